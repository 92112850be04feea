#!/usr/bin/env python3
"""bench/flamegraph.py — folded stacks (bench/fold.py) to an SVG flame graph.

    bench/flamegraph.py --title "SQLite GET" < stacks.folded > flame.svg

Roots at the bottom, each frame as wide as its share of the samples,
children ordered by name; hovering a frame shows its name, samples and
share (an SVG <title>).  Frames narrower than --min-width pixels are left
out.  Colours are warm, picked from the name, greener for the kernel and
bluer for shared libraries, so a frame keeps its colour from graph to
graph.  No scripts, no downloads.  Not part of the product.
"""
import argparse
import html
import sys
import zlib

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from fold import read_folded  # noqa: E402


class Node:
    __slots__ = ("name", "total", "kids")

    def __init__(self, name):
        self.name, self.total, self.kids = name, 0, {}


def build(stacks):
    root = Node("all")
    for st, c in stacks.items():
        root.total += c
        n = root
        for f in st:
            n = n.kids.setdefault(f, Node(f))
            n.total += c
    return root


def depth(n, min_total):
    """Rows of the frames wide enough to draw."""
    return 1 + max((depth(k, min_total) for k in n.kids.values() if k.total >= min_total), default=0)


def colour(name):
    h = zlib.crc32(name.encode())
    v1, v2 = (h & 0xFF) / 255, ((h >> 8) & 0xFF) / 255
    if name.endswith("_[k]") or name.startswith("[kernel") or "kallsyms" in name:
        return f"rgb({int(60 + 60 * v1)},{int(170 + 60 * v2)},{int(60 + 40 * v1)})"
    if name.startswith("[") or name.startswith("sqlite3") or name.startswith("json_") or name.startswith("PQ"):
        return f"rgb({int(80 + 50 * v1)},{int(140 + 60 * v2)},{int(190 + 50 * v1)})"
    return f"rgb({int(205 + 50 * v1)},{int(80 + 130 * v2)},{int(40 + 40 * v1)})"


def render(root, title, width, fh, min_w, out):
    scale = (width - 20) / max(root.total, 1)
    rows = depth(root, min_w / scale)
    top_pad, bottom_pad = 40, 10
    height = top_pad + rows * fh + bottom_pad
    out.write(f'<?xml version="1.0" standalone="no"?>\n<svg version="1.1" width="{width}" height="{height}" '
              f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">\n'
              '<style>text{font:11px monospace;fill:#000} rect:hover{stroke:#000;stroke-width:0.5}</style>\n'
              f'<rect width="100%" height="100%" fill="#fdfdf6"/>\n'
              f'<text x="{width / 2}" y="20" text-anchor="middle" style="font-size:15px">{html.escape(title)}</text>\n'
              f'<text x="10" y="34" style="font-size:10px;fill:#555">{root.total} samples; hover a frame for its share</text>\n')

    def walk(n, x, level):
        w = n.total * scale
        if w < min_w:
            return
        y = height - bottom_pad - (level + 1) * fh
        pct = 100 * n.total / max(root.total, 1)
        name = html.escape(n.name)
        out.write(f'<g><title>{name} ({n.total} samples, {pct:.2f}%)</title>'
                  f'<rect x="{x:.2f}" y="{y}" width="{w:.2f}" height="{fh - 1}" fill="{colour(n.name)}" rx="1"/>')
        chars = int((w - 4) / 6.6)
        if chars >= 3:
            label = n.name if len(n.name) <= chars else n.name[:chars - 2] + ".."
            out.write(f'<text x="{x + 2:.2f}" y="{y + fh - 4}">{html.escape(label)}</text>')
        out.write("</g>\n")
        cx = x
        for k in sorted(n.kids.values(), key=lambda k: k.name):
            walk(k, cx, level + 1)
            cx += k.total * scale

    walk(root, 10, 0)
    out.write("</svg>\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--title", default="flame graph")
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--frame-height", type=int, default=16)
    ap.add_argument("--min-width", type=float, default=0.3)
    a = ap.parse_args()
    render(build(read_folded(sys.stdin)), a.title, a.width, a.frame_height, a.min_width, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
