#!/bin/sh
# Run unit-test binaries; each prints TAP-style lines and "# N passed, M failed".
pass=0; fail=0; status=0
for t in "$@"; do
	out=$("$t" 2>&1); rc=$?
	printf '%s\n' "$out" | grep -E '^not ok' | sed "s|^|$(basename "$t"): |"
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok')
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "$(basename "$t"): exited $rc"; printf '%s\n' "$out" | tail -5; fi
	[ $rc -ne 0 ] && status=1
	pass=$((pass + p)); fail=$((fail + f))
done
echo "unit: $pass passed, $fail failed"
exit $status
