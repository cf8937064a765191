#!/usr/bin/env bash
# The fuzzer's long run: RUNS seeds from FIRST on, CALLS calls each, JOBS
# at a time, on the test image (docs/fuzzing.md, "On-target fuzzer").
# Defaults: 10 seeds of 1,000,000 calls from seed 1000, 2 at a time:
# 10^7 calls, about 4 minutes on two cores.
#   tests/kfuzz/longrun.sh [BUILD]   (BUILD: the build directory, default build)
# Environment: FIRST, RUNS, CALLS, JOBS, LOGS (where each run's console goes).
# Prints each run's line and the total; exits 1 if any run failed, with the
# replay line of each failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
image=$build/target/images/test-kfuzz-1.elf
run=$here/../../platforms/qemu-virt/run.sh
FIRST=${FIRST:-1000} RUNS=${RUNS:-10} CALLS=${CALLS:-1000000} JOBS=${JOBS:-2}
LOGS=${LOGS:-$(mktemp -d)}
[ -f "$image" ] || { echo "longrun: no $image (make build first)" >&2; exit 2; }
# A run's time limit: some 20,000 calls a second under QEMU is typical; allow 1,000.
limit=$((CALLS / 1000 + 60))
one() {
	local seed=$1 log=$LOGS/seed-$1.log
	timeout -k 5 "$limit" "$run" "$image" -append "kfuzz.seed=$seed kfuzz.calls=$CALLS" \
		</dev/null >"$log" 2>&1
	local rc=$?
	if [ $rc -eq 0 ] && grep -q '^kfuzz: PASS' "$log"; then
		grep -E '^kfuzz: seed [0-9]+: ' "$log"
	else
		echo "kfuzz: seed $seed FAILED (status $rc, log $log):"
		grep -E 'FAIL|VIOLATION|replay' "$log" | head -5
	fi
}
export -f one
export LOGS CALLS image run limit
start=$SECONDS
seq "$FIRST" $((FIRST + RUNS - 1)) | xargs -P "$JOBS" -I{} bash -c 'one {}' | tee "$LOGS/summary"
total=$(awk '/^kfuzz: seed [0-9]+: [0-9]+ calls/ { n += $4 } END { print n + 0 }' "$LOGS/summary")
failed=$(grep -c FAILED "$LOGS/summary")
echo "longrun: ${total:-0} calls in $((SECONDS - start)) s over $RUNS seeds, $failed failed (logs in $LOGS)"
[ "$failed" -eq 0 ]
