#!/usr/bin/env bash
# The Linux benchmarks of issue 13 (docs/performance.md, "Linux guest"):
#   linux-bench.sh IMAGES KERNEL INITRD [RUNS]
# 1. Boot time: wall time from QEMU's start to Linux's "Run /init", and the
#    guest's printk clock on that line, under Septa (IMAGES/bench-linux.elf)
#    and on bare QEMU (KERNEL and INITRD booted by QEMU itself, the same
#    bootargs, CPUs and memory), RUNS pairs back to back; the medians and
#    their ratio. Wall time depends on the host: read it beside its ratio.
#    Then the guest clock once more under -icount shift=0, each way.
# 2. Progress: a CPU-bound bare-metal guest's count per window of its
#    virtual counter, alone (bench-progress.elf) and beside a Linux idle at
#    its /init (bench-linux-beside.elf), under -icount shift=0; the median
#    window of each and their ratio.
# Each QEMU run is stopped once it has printed what is measured. make test
# leaves it out (ctest label linux-bench, tests/bench/linux/tests.cmake).
set -euo pipefail
images=$1 kernel=$2 initrd=$3 runs=${4:-3}
here=$(cd "$(dirname "$0")" && pwd)
run="$here/../../../platforms/qemu-virt/run.sh"
bootargs="console=ttyAMA0 earlycon septa.bench=idle" # as linux.dts has them
skip=2 windows=8 # progress windows: the first ones dropped, then the ones counted
limit=300        # seconds any run may take
bad='FAIL|BUG|KERNEL EXCEPTION' # what no console may print
for f in "$images/bench-linux.elf" "$images/bench-progress.elf" \
	"$images/bench-linux-beside.elf" "$kernel" "$initrd"; do
	[ -f "$f" ] || { echo "linux-bench: no $f" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# follow SCRIPT CMD...: runs CMD and feeds each line of its console to the
# function SCRIPT until SCRIPT returns 1; then stops CMD. SCRIPT calls
# elapsed for the seconds since CMD started. The console is kept in
# $tmp/log for a failure's report.
follow() {
	local script=$1 pid line
	shift
	start=$EPOCHREALTIME
	rm -f "$tmp/fifo" && mkfifo "$tmp/fifo"
	"$@" </dev/null >"$tmp/fifo" 2>&1 &
	pid=$!
	: >"$tmp/log"
	while IFS= read -r -t "$limit" line; do
		line=${line%$'\r'}
		echo "$line" >>"$tmp/log"
		"$script" "$line" || break
	done <"$tmp/fifo"
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	# A figure printed beside a failure is no figure (as BENCHOK, tests/system).
	if grep -qE "$bad" "$tmp/log"; then
		grep -E "$bad" "$tmp/log" | head -n 5 >&2
		fail "${*: -1}: the console reports a failure"
	fi
}
elapsed() { printf "%.3f" "$(echo "$EPOCHREALTIME - $start" | bc)"; }
fail() {
	tail -n 30 "$tmp/log" >&2
	echo "linuxbench: FAIL: $*" >&2
	exit 1
}
median() { tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { echo "scale=3; $1 / $2" | bc | sed 's/^\./0./'; }

# 1. Boot to userspace. Bare QEMU gets Linux's VM: 2 CPUs on one TCG thread
# (as Septa's QEMU has one CPU), 256 MiB, no EL2.
found="" first=""
at_init() {
	[ -n "$first" ] || [[ $1 != *"Booting Linux on physical CPU"* ]] || first=$(elapsed)
	if [[ $1 =~ \[\ *([0-9.]+)\]\ Run\ /init ]]; then
		found="$(elapsed) ${BASH_REMATCH[1]} $first"
		return 1
	fi
}
boot() { # boot septa|bare [--icount]: "wall guest first" seconds (first: Linux's first line)
	found="" first=""
	if [ "$1" = septa ]; then
		follow at_init "$run" ${2:-} "$images/bench-linux.elf"
	else
		follow at_init qemu-system-aarch64 -M virt,gic-version=3 -cpu cortex-a72 \
			-accel tcg,thread=single -smp 2 -m 256M -nographic -nic none -no-reboot \
			${2:+-icount shift=0} -kernel "$kernel" -initrd "$initrd" \
			-append "$bootargs septa.batch"
	fi
	[ -n "$found" ] || fail "$1: no 'Run /init' line"
	echo "$found"
}
# The ratios are each pair's, then their median: a pair's two runs are
# seconds apart, so share the host's load more nearly than any others.
sw=() sg=() sf=() bw=() bg=() bf=() rw=() rg=()
for ((i = 1; i <= runs; i++)); do
	read -r w g f < <(boot septa) || exit 1
	sw+=("$w") sg+=("$g") sf+=("$f")
	read -r w g f < <(boot bare) || exit 1
	bw+=("$w") bg+=("$g") bf+=("$f")
	rw+=("$(ratio "${sw[-1]}" "$w")") rg+=("$(ratio "${sg[-1]}" "$g")")
	echo "linuxbench:   pair $i: septa ${sw[-1]} s (guest ${sg[-1]} s, first line at ${sf[-1]} s), bare $w s (guest $g s, first line at $f s): ${rw[-1]}x"
done
msw=$(echo "${sw[*]}" | median) mbw=$(echo "${bw[*]}" | median)
msg=$(echo "${sg[*]}" | median) mbg=$(echo "${bg[*]}" | median)
msf=$(echo "${sf[*]}" | median) mbf=$(echo "${bf[*]}" | median)
printf 'linuxbench: wall time to Run /init: septa %.2f s, bare QEMU %.2f s: %sx (medians of %d pairs)\n' \
	"$msw" "$mbw" "$(echo "${rw[*]}" | median)" "$runs"
printf "linuxbench: wall time to Linux's first line: septa %.2f s, bare QEMU %.2f s\n" "$msf" "$mbf"
printf 'linuxbench: guest clock at Run /init: septa %.2f s, bare QEMU %.2f s: %sx\n' \
	"$msg" "$mbg" "$(echo "${rg[*]}" | median)"
# The same clock under -icount counts what ran in the guest's time, Septa's
# share included (a nanosecond an instruction, idle time apart): the
# host-independent part of the ratio above. Once each: it hardly moves.
read -r _ sg _ < <(boot septa --icount) || exit 1
read -r _ bg _ < <(boot bare --icount) || exit 1
printf 'linuxbench: guest clock at Run /init under -icount: septa %.3f s, bare QEMU %.3f s: %sx\n' \
	"$sg" "$bg" "$(ratio "$sg" "$bg")"

# 2. Progress. The first $skip windows are dropped: alone, from the start;
# beside Linux, from Linux's saying it is idle (the first one then is only
# partly idle).
counted=() idle=""
window() {
	local re='^\[progress\] progress: window [0-9]+: ([0-9]+) blocks'
	[[ $1 == "[linux] init: idle"* ]] && idle=yes
	if [[ $1 =~ $re ]] && [ -n "$idle" ]; then
		if [ "$skip_left" -gt 0 ]; then
			skip_left=$((skip_left - 1))
		else
			counted+=("${BASH_REMATCH[1]}")
			[ ${#counted[@]} -lt $windows ] || return 1
		fi
	fi
}
progress() { # progress IMAGE IDLE: the median window; IDLE empty: wait for Linux
	counted=() idle=$2 skip_left=$skip
	follow window "$run" --icount "$images/$1"
	[ ${#counted[@]} -eq $windows ] || fail "$1: ${#counted[@]} progress windows"
	echo "linuxbench:   $1, windows: ${counted[*]}" >&2
	echo "${counted[*]}" | median
}
alone=$(progress bench-progress.elf yes) || exit 1
beside=$(progress bench-linux-beside.elf "") || exit 1
echo "linuxbench: CPU-bound guest beside an idle Linux vs alone: $(ratio "$beside" "$alone") ($beside vs $alone blocks per 1/8 s of its counter, -icount, median of $windows windows)"
