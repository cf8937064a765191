#!/usr/bin/env bash
# The containment benchmark (docs/performance.md, "Containment under load"):
#   contain-bench.sh IMAGES
# Runs under -icount shift=0, where the measured guest's virtual counter
# counts the machine's instructions, three images of tests/system/vms:
# the measured guest (tests/guests/work.c) alone, beside a CPU-bound guest
# that never exits (its fair share of one CPU), and beside the storm
# (tests/guests/storm.c). Prints the median window of each and the
# percentages; no figure is compared with a limit. Each run is stopped once
# it has printed what is measured.
set -euo pipefail
images=$1
here=$(cd "$(dirname "$0")" && pwd)
run="$here/../../platforms/qemu-virt/run.sh"
limit=240 # seconds any run may take
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# measure IMAGE UNTIL: the median the measured guest printed; runs IMAGE
# until a line matches UNTIL. The console is kept in $tmp/NAME.log.
measure() {
	local img=$1 until=$2 log pid line median=""
	log=$tmp/$(basename "$img" .elf).log
	[ -f "$img" ] || { echo "containbench: FAIL: no $img" >&2; exit 2; }
	rm -f "$tmp/fifo" && mkfifo "$tmp/fifo"
	"$run" --icount "$img" </dev/null >"$tmp/fifo" 2>&1 &
	pid=$!
	: >"$log"
	while IFS= read -r -t "$limit" line; do
		line=${line%$'\r'}
		echo "$line" >>"$log"
		[[ $line =~ work:\ median\ of\ windows\ [0-9-]+:\ ([0-9]+)\ blocks ]] &&
			median=${BASH_REMATCH[1]}
		[[ $line =~ $until ]] && break
	done <"$tmp/fifo"
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	if [ -z "$median" ] || ! [[ $(tail -n 1 "$log") =~ $until ]]; then
		tail -n 30 "$log" >&2
		echo "containbench: FAIL: $(basename "$img"): no median or no '$until'" >&2
		exit 1
	fi
	echo "$median"
}
pct() { echo "scale=1; 100 * $1 / $2" | bc | sed 's/^\./0./'; }

alone=$(measure "$images/test-vm-contain-alone.elf" 'work: median')
share=$(measure "$images/test-vm-contain-spin.elf" 'work: median')
storm=$(measure "$images/test-vm-contain.elf" 'storm: stopped by the doorbell')
echo "containbench: measured guest alone: $alone blocks per window"
echo "containbench: beside a CPU-bound guest (its fair share): $share blocks, $(pct "$share" "$alone")% of alone"
echo "containbench: beside the storm: $storm blocks, $(pct "$storm" "$alone")% of alone, $(pct "$storm" "$share")% of its fair share"
grep -E '^\[storm\] storm: vCPU' "$tmp/test-vm-contain.log" | tr -d '\r' |
	sed 's/^\[storm\] storm: /containbench: storm /'
grep -E "vmsrv: vm 'storm'" "$tmp/test-vm-contain.log" | tr -d '\r' | head -5 |
	sed 's/^/containbench: /'
