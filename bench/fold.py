#!/usr/bin/env python3
"""bench/fold.py — `perf script` output to folded stacks, and the top frames.

    perf script -i perf.data | bench/fold.py > stacks.folded
    bench/fold.py --top 15 < stacks.folded          (or --top 15 --perf < script output)

Folded: one line per distinct stack, root first, frames joined by ';' and
the number of samples after a space ("quantumtrack;start_thread;...;memset 42"),
the format flame graph renderers read (bench/flamegraph.py).  The thread's
name (perf's comm) is the root frame.  Symbols lose their +0x offsets;
frames perf could not name become [dso] or [unknown]; kernel frames end in
_[k].  With --top N it
prints instead the N frames with most self samples (the leaf of a stack)
and the N with most inclusive samples (anywhere in a stack, counted once a
stack), as text.  Not part of the product.
"""
import argparse
import collections
import re
import sys

HEADER = re.compile(r"^(\S.*?)\s+(\d+)(?:/(\d+))?\s+")
FRAME = re.compile(r"^\s+([0-9a-fA-F]+)\s+(.*?)(?:\s+\((.*)\))?$")


def clean(sym, dso):
    if sym in ("", "[unknown]"):
        if dso and dso != "[unknown]":
            return "[" + dso.rsplit("/", 1)[-1] + "]"
        return "[unknown]"
    sym = re.sub(r"\+0x[0-9a-f]+$", "", sym).replace(";", ":")
    return sym + "_[k]" if dso == "[kernel.kallsyms]" else sym


def fold_perf(lines):
    """perf script text -> Counter of stacks (tuples, root first)."""
    stacks = collections.Counter()
    comm, frames = None, []

    def flush():
        if comm is not None:
            st = [comm]
            for f in reversed(frames):
                # A frame-pointer walk lost in code built without them
                # gives runs of unnamed frames: one stands for the run.
                if not (f == "[unknown]" and st[-1] == "[unknown]"):
                    st.append(f)
            stacks[tuple(st)] += 1

    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            flush()
            comm, frames = None, []
            continue
        if not line[0].isspace():
            flush()
            m = HEADER.match(line)
            comm, frames = (m.group(1).strip() if m else line.split()[0]), []
            continue
        m = FRAME.match(line)
        if m and comm is not None:
            frames.append(clean(m.group(2), m.group(3)))
    flush()
    return stacks


def read_folded(lines):
    stacks = collections.Counter()
    for line in lines:
        line = line.rstrip("\n")
        if not line:
            continue
        stack, _, n = line.rpartition(" ")
        if stack and n.isdigit():
            stacks[tuple(stack.split(";"))] += int(n)
    return stacks


def top(stacks, n, out):
    total = sum(stacks.values()) or 1
    self_c, incl = collections.Counter(), collections.Counter()
    for st, c in stacks.items():
        self_c[st[-1]] += c
        for f in set(st[1:]) or set(st):
            incl[f] += c
    out.write(f"{total} samples\n\ntop {n} by self time:\n")
    for f, c in self_c.most_common(n):
        out.write(f"  {100 * c / total:6.2f}%  {c:7d}  {f}\n")
    out.write(f"\ntop {n} by inclusive time (the thread roots left out):\n")
    for f, c in incl.most_common(n):
        out.write(f"  {100 * c / total:6.2f}%  {c:7d}  {f}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--top", type=int, help="print the top N frames instead of folded stacks")
    ap.add_argument("--perf", action="store_true", help="with --top: the input is perf script output, not folded")
    a = ap.parse_args()
    if a.top:
        stacks = fold_perf(sys.stdin) if a.perf else read_folded(sys.stdin)
        top(stacks, a.top, sys.stdout)
        return 0
    for st, c in sorted(fold_perf(sys.stdin).items()):
        sys.stdout.write(";".join(st) + f" {c}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
