#!/usr/bin/env bash
# The containment benchmark (docs/performance.md, "Containment under load"):
#   contain-bench.sh IMAGES
# Runs under -icount shift=0, where the measured guest's virtual counter
# counts the machine's instructions, and sleep=off, where time a machine
# spends all idle jumps to the next timer's deadline instead of passing at
# the host's pace (which would make a waiting guest's figures the host's),
# images of tests/system/vms:
# - the measured guest (tests/guests/work.c) working without a pause:
#   alone, beside a CPU-bound guest that never exits (its fair share of one
#   CPU), beside the storm (tests/guests/storm.c) at the same priority, and
#   configured above the storm (which then starves: no containment to see);
# - the same guest working 2 ms of every 4 and waiting for its timer in
#   between: alone, beside the storm at the same priority, and above it,
#   where the storm runs while the worker waits and the worker's busy spans
#   and wake-ups pay whatever the storm leaves behind.
# Prints each figure, the percentages, and the exits vmsrv served the storm
# (that it ran); no figure is compared with a limit. Each run is stopped
# once it has printed what is measured.
set -euo pipefail
images=$1
here=$(cd "$(dirname "$0")" && pwd)
run="$here/../../platforms/qemu-virt/run.sh"
limit=240 # seconds any run may take
bad='FAIL|BUG|KERNEL EXCEPTION' # what no console may print
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# boot NAME UNTIL: runs test-vm-NAME.elf until a line matches UNTIL,
# keeping the console in $tmp/NAME.log.
boot() {
	local img=$images/test-vm-$1.elf until=$2 log=$tmp/$1.log pid line
	[ -f "$img" ] || { echo "containbench: FAIL: no $img" >&2; exit 2; }
	rm -f "$tmp/fifo" && mkfifo "$tmp/fifo"
	"$run" "$img" -icount shift=0,sleep=off </dev/null >"$tmp/fifo" 2>&1 &
	pid=$!
	: >"$log"
	while IFS= read -r -t "$limit" line; do
		line=${line%$'\r'}
		echo "$line" >>"$log"
		[[ $line =~ $until ]] && break
	done <"$tmp/fifo"
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	if ! [[ $(tail -n 1 "$log") =~ $until ]]; then
		tail -n 30 "$log" >&2
		echo "containbench: FAIL: $1: no '$until'" >&2
		exit 1
	fi
	# A figure printed beside a failure is no figure (as BENCHOK, tests/system).
	if grep -qE "$bad" "$log"; then
		grep -E "$bad" "$log" | head -n 5 >&2
		echo "containbench: FAIL: $1: the console reports a failure" >&2
		exit 1
	fi
}
# figure NAME REGEX: the first group of REGEX in NAME's log.
figure() {
	local line
	while IFS= read -r line; do
		[[ $line =~ $2 ]] && { echo "${BASH_REMATCH[1]}"; return; }
	done <"$tmp/$1.log"
	tail -n 30 "$tmp/$1.log" >&2
	echo "containbench: FAIL: $1: no '$2'" >&2
	exit 1
}
pct() { echo "scale=1; 100 * $1 / $2" | bc | sed 's/^\./0./'; }
median() { figure "$1" 'work: median of windows [0-9-]+: ([0-9]+) blocks'; }
exits() { figure "$1" 'storm: vmsrv served ([0-9]+) exits'; }
busy() { figure "$1" 'work: periods [0-9-]+: blocks per busy span min [0-9]+ median ([0-9]+)'; }
latency() {
	figure "$1" 'work: periods [0-9-]+: wake latency (median [0-9]+ max [0-9]+) instructions'
}

stopped='storm: stopped by the doorbell'
boot contain-alone 'work: median'
boot contain-spin 'work: median'
boot contain "$stopped"
boot contain-above "$stopped"
boot contain-periodic-alone 'work: periods .* wake latency'
boot contain-periodic "$stopped"
boot contain-periodic-above "$stopped"

alone=$(median contain-alone)
share=$(median contain-spin)
storm=$(median contain)
above=$(median contain-above)
echo "containbench: measured guest alone: $alone blocks per window"
echo "containbench: beside a CPU-bound guest (its fair share): $share blocks, $(pct "$share" "$alone")% of alone"
echo "containbench: beside the storm: $storm blocks, $(pct "$storm" "$alone")% of alone, $(pct "$storm" "$share")% of its fair share; the storm: $(exits contain) exits"
echo "containbench: above the storm (60 over 50): $above blocks, $(pct "$above" "$alone")% of alone; the storm, starved: $(exits contain-above) exits"
palone=$(busy contain-periodic-alone)
pstorm=$(busy contain-periodic)
pabove=$(busy contain-periodic-above)
echo "containbench: periodic (2 ms busy of every 4), blocks per busy span (median of periods 9-64) and wake latency (instructions):"
echo "containbench: periodic alone: $palone blocks, latency $(latency contain-periodic-alone)"
echo "containbench: periodic beside the storm: $pstorm blocks, $(pct "$pstorm" "$palone")% of alone, latency $(latency contain-periodic); the storm: $(exits contain-periodic) exits"
echo "containbench: periodic above the storm (60 over 50): $pabove blocks, $(pct "$pabove" "$palone")% of alone, latency $(latency contain-periodic-above); the storm: $(exits contain-periodic-above) exits"
grep -E '^\[storm\] storm: vCPU' "$tmp/contain.log" |
	sed 's/^\[storm\] storm: /containbench: storm (same priority) /'
grep -E '^\[storm\] storm: vCPU' "$tmp/contain-periodic-above.log" |
	sed 's/^\[storm\] storm: /containbench: storm (below the periodic worker) /'
grep -E "vmsrv: vm 'storm'" "$tmp/contain.log" | head -5 | sed 's/^/containbench: /'
