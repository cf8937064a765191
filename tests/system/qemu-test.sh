#!/usr/bin/env bash
# Runs one image on QEMU with a time limit and judges it by its console and
# its exit status. Fails on a timeout, a wrong status, a missing --expect
# line (in order) or any --reject match.
#   qemu-test.sh --image IMG --status N [--timeout S] [--gic 2|3] [--no-virt]
#                [--expect REGEX]... [--reject REGEX]... [--count N REGEX]...
#                [--input SECONDS TEXT]...
# --input types TEXT (printf %b escapes) on the console after SECONDS more.
# --count wants exactly N matching lines anywhere (guests interleave).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
run="$here/../../platforms/qemu-virt/run.sh"
image="" status="" timeout=60
runargs=() expects=() rejects=() counts=() inputs=()
while [ $# -gt 0 ]; do
	case "$1" in
	--image) image="$2"; shift 2 ;;
	--status) status="$2"; shift 2 ;;
	--timeout) timeout="$2"; shift 2 ;;
	--gic) runargs+=(--gic "$2"); shift 2 ;;
	--no-virt) runargs+=(--no-virt); shift ;;
	--icount) runargs+=(--icount); shift ;;
	--expect) expects+=("$2"); shift 2 ;;
	--reject) rejects+=("$2"); shift 2 ;;
	--count) counts+=("$2" "$3"); shift 3 ;;
	--input) inputs+=("$2" "$3"); shift 3 ;;
	*) echo "qemu-test: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -f "$image" ] || { echo "qemu-test: no image $image" >&2; exit 2; }
[ -n "$status" ] || { echo "qemu-test: --status is required" >&2; exit 2; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
type_input() {
	for ((i = 0; i < ${#inputs[@]}; i += 2)); do
		sleep "${inputs[i]}"
		printf '%b' "${inputs[i + 1]}"
	done
	sleep "$timeout" # the console stays open until QEMU is done
}
if [ ${#inputs[@]} -gt 0 ]; then
	exec 3< <(type_input 2>/dev/null)
	typist=$!
	timeout -k 5 "$timeout" "$run" "${runargs[@]}" "$image" <&3 >"$log" 2>&1
	rc=$?
	kill "$typist" 2>/dev/null
	exec 3<&-
else
	timeout -k 5 "$timeout" "$run" "${runargs[@]}" "$image" </dev/null >"$log" 2>&1
	rc=$?
fi
tr -d '\r' <"$log" >"$log.clean" && mv "$log.clean" "$log"
cat "$log"
echo "----"
fail=0
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "FAIL: timed out after ${timeout}s"
	fail=1
elif [ "$rc" != "$status" ]; then
	echo "FAIL: exit status $rc, want $status"
	fail=1
fi
# Each expected line must appear after the previous one.
pos=1
for re in "${expects[@]}"; do
	line=$(tail -n +"$pos" "$log" | grep -n -E -m1 -- "$re" | cut -d: -f1)
	if [ -z "$line" ]; then
		echo "FAIL: missing (in order): $re"
		fail=1
	else
		pos=$((pos + line))
	fi
done
for re in "${rejects[@]}"; do
	if grep -q -E -- "$re" "$log"; then
		echo "FAIL: unwanted output: $re"
		fail=1
	fi
done
for ((i = 0; i < ${#counts[@]}; i += 2)); do
	n=$(grep -c -E -- "${counts[i + 1]}" "$log")
	if [ "$n" != "${counts[i]}" ]; then
		echo "FAIL: $n lines match ${counts[i + 1]}, want ${counts[i]}"
		fail=1
	fi
done
[ $fail -eq 0 ] && echo "PASS"
exit $fail
