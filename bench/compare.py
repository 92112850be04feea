#!/usr/bin/env python3
"""bench/compare.py — the Node peer answers as our server does (bench/all.sh).

    compare.py TOKEN OURS_URL PEER_URL ID...

GETs /api/v1/customers/ID from both with the token and compares the parsed
bodies (key order ignored) and the status codes.  Exits 0 when every pair
is equal, 1 (printing the first difference) otherwise.
"""
import json
import sys
import urllib.error
import urllib.request


def get(url, token):
    req = urllib.request.Request(url, headers={"Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def diff(a, b, path="$"):
    if type(a) is not type(b):
        return f"{path}: {a!r} != {b!r}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{path}.{k}: only in {'ours' if k in a else 'peer'}"
            d = diff(a[k], b[k], f"{path}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} items != {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            d = diff(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


def main():
    if len(sys.argv) < 5:
        print(__doc__, file=sys.stderr)
        return 2
    token, ours, peer, ids = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    for cid in ids:
        sa, a = get(f"{ours}/api/v1/customers/{cid}", token)
        sb, b = get(f"{peer}/api/v1/customers/{cid}", token)
        if sa != 200 or sb != 200:
            print(f"compare: customer {cid}: ours {sa}, peer {sb}", file=sys.stderr)
            return 1
        d = diff(a, b)
        if d:
            print(f"compare: customer {cid}: {d}", file=sys.stderr)
            return 1
    # A refused token is refused by both.
    sa, _ = get(f"{ours}/api/v1/customers/{ids[0]}", token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    sb, _ = get(f"{peer}/api/v1/customers/{ids[0]}", token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    if sa != 401 or sb != 401:
        print(f"compare: a forged token: ours {sa}, peer {sb} (both should be 401)", file=sys.stderr)
        return 1
    print(f"compare: the peer's body equals ours for {len(ids)} customers; both refuse a forged token")
    return 0


if __name__ == "__main__":
    sys.exit(main())
