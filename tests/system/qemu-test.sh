#!/usr/bin/env bash
# Runs one image on QEMU with a time limit and judges it by its console and
# its exit status. Fails on a timeout, a wrong status, a missing --expect
# line (in order), any --reject match or an --input-on never typed.
#   qemu-test.sh --image IMG --status N [--timeout S] [--gic 2|3] [--no-virt] [--mem SIZE]
#                [--append BOOTARGS]
#                [--icount] [--expect REGEX]... [--sequence [--expect REGEX]...]...
#                [--vm NAME [--expect REGEX]...]...
#                [--reject REGEX]... [--count N REGEX]...
#                [--input-on REGEX TEXT]...
# Each --expect line must come after the one before it in its sequence.
# The first sequence and each --sequence are matched against the whole
# console; a --vm sequence only against that VM's own lines: those vmsrv
# tags [NAME] (the tag taken off, so a guest's checks read the same in
# every VM that runs it) and vmsrv's own about it ("vmsrv: vm [N ]'NAME'").
# VMs run concurrently and their lines interleave however the host
# schedules them: order only what one line causes, and check each VM as
# its own stream. A sequence that stops short names its first missing line
# (the check a guest was in when it hung or crashed) and the last line it
# had.
# --input-on types TEXT (printf %b escapes) on the console once a line
# matching REGEX appears after the line the previous --input-on waited for:
# input waits for the state it needs, however slow the host is.
# --count wants exactly N matching lines anywhere (guests interleave).
# The time limit is a backstop for a machine that hangs: nothing is judged
# by how long it took.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
run="$here/../../platforms/qemu-virt/run.sh"
image="" status="" timeout=120
runargs=() expects=() sequence_of=() vm_of=("") rejects=() counts=() inputs=()
sequence=0
while [ $# -gt 0 ]; do
	case "$1" in
	--image) image="$2"; shift 2 ;;
	--status) status="$2"; shift 2 ;;
	--timeout) timeout="$2"; shift 2 ;;
	--gic) runargs+=(--gic "$2"); shift 2 ;;
	--no-virt) runargs+=(--no-virt); shift ;;
	--icount) runargs+=(--icount); shift ;;
	--mem) runargs+=(--mem "$2"); shift 2 ;;
	--append) runargs+=(--append "$2"); shift 2 ;;
	--expect) expects+=("$2"); sequence_of+=("$sequence"); shift 2 ;;
	--sequence) sequence=$((sequence + 1)); vm_of+=(""); shift ;;
	--vm)
		[[ $2 =~ ^[A-Za-z0-9_-]+$ ]] || { echo "qemu-test: bad VM name '$2'" >&2; exit 2; }
		sequence=$((sequence + 1)); vm_of+=("$2"); shift 2 ;;
	--reject) rejects+=("$2"); shift 2 ;;
	--count) counts+=("$2" "$3"); shift 3 ;;
	--input-on) inputs+=("$2" "$3"); shift 3 ;;
	*) echo "qemu-test: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -f "$image" ] || { echo "qemu-test: no image $image" >&2; exit 2; }
[ -n "$status" ] || { echo "qemu-test: --status is required" >&2; exit 2; }

log=$(mktemp)
trap 'rm -f "$log" "$log.typed" "$log.stream"' EXIT
: >"$log.typed"
# The number of the first line at or after line $1 of stdin that matches
# $2; nothing if none does.
first_match() {
	local n
	n=$(tail -n +"$1" | grep -n -E -m1 -- "$2" | cut -d: -f1)
	[ -z "$n" ] || echo $(($1 + n - 1))
}
# Polls the growing log (its complete lines only), bounded by the time
# limit; $log.typed counts the inputs typed.
type_input() {
	local pos=1 line
	for ((i = 0; i < ${#inputs[@]}; i += 2)); do
		until
			line=$(head -n "$(wc -l <"$log")" "$log" | tr -d '\r' |
				first_match "$pos" "${inputs[i]}")
			[ -n "$line" ]
		do
			[ $SECONDS -lt "$timeout" ] || break 2
			sleep 0.2
		done
		# Counted first: the program may finish (and QEMU exit, and this
		# typist be killed) as soon as it has the input.
		echo >>"$log.typed"
		printf '%b' "${inputs[i + 1]}"
		pos=$((line + 1))
	done
	exec sleep "$timeout" # the console stays open until QEMU is done
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
	# What it was doing (a suite's "run  NAME": the test that hung).
	echo "      its last line: $(grep -v "^qemu-system" "$log" | tail -n 1)"
	fail=1
elif [ "$rc" != "$status" ]; then
	echo "FAIL: exit status $rc, want $status"
	fail=1
fi
# The lines sequence $1 is matched against, into $log.stream.
stream() {
	local vm=${vm_of[$1]}
	if [ -z "$vm" ]; then
		cp "$log" "$log.stream"
	else
		awk -v tag="[$vm] " -v own="^vmsrv: vm ([0-9]+ )?'$vm'" '
			index($0, tag) == 1 { print substr($0, length(tag) + 1); next }
			$0 ~ own { print }' "$log" >"$log.stream"
	fi
}
# Each expected line must appear after the previous one of its sequence; a
# sequence is judged up to its first missing line.
for ((s = 0, i = 0; s <= sequence; s++)); do
	stream "$s"
	who=""
	[ -z "${vm_of[s]}" ] || who="vm '${vm_of[s]}': "
	pos=1 last=""
	for (( ; i < ${#expects[@]} && sequence_of[i] == s; i++)); do
		line=$(first_match "$pos" "${expects[i]}" <"$log.stream")
		if [ -n "$line" ]; then
			last=$(sed -n "${line}p" "$log.stream")
			pos=$((line + 1))
			continue
		fi
		echo "FAIL: ${who}missing (in order): ${expects[i]}"
		echo "      after: ${last:-(its start)}"
		echo "      its last line: $(tail -n 1 "$log.stream")"
		left=0
		for (( ; i < ${#expects[@]} && sequence_of[i] == s; i++)); do
			left=$((left + 1))
		done
		[ $left -le 1 ] || echo "      and $((left - 1)) more lines it expects after that one"
		fail=1
		break
	done
done
typed=$(wc -l <"$log.typed")
if [ "$typed" -lt $((${#inputs[@]} / 2)) ]; then
	echo "FAIL: never typed the input waiting for: ${inputs[typed * 2]}"
	fail=1
fi
for re in "${rejects[@]}"; do
	if grep -q -E -- "$re" "$log"; then
		echo "FAIL: unwanted output: $re: $(grep -m1 -E -- "$re" "$log")"
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
