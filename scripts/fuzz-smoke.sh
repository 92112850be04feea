#!/bin/sh
# Run each fuzz target briefly over a copy of its committed corpus, so the
# repository's corpus is never written to.
status=0
for f in "$@"; do
	name=$(basename "$f"); corpus=tests/fuzz/corpus/${name#fuzz_}
	tmp=$(mktemp -d)
	[ -d "$corpus" ] && cp -r "$corpus"/. "$tmp"/
	if "$f" -runs=3000 -max_total_time=10 "$tmp" >"$tmp.log" 2>&1; then
		echo "ok - fuzz $name"
	else
		echo "not ok - fuzz $name"; tail -20 "$tmp.log"; status=1
	fi
	rm -rf "$tmp" "$tmp.log"
done
exit $status
