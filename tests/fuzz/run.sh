#!/bin/sh
# One short fuzzing run for ctest: run.sh FUZZER SEEDS WORK [SECONDS]
# New inputs go to WORK/corpus (kept between runs, so coverage grows), a
# crashing input to WORK/; a crash fails the test and says how to replay it.
set -u
fuzzer=$1 seeds=$2 work=$3 secs=${4:-15}
mkdir -p "$work/corpus"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS
"$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
	-artifact_prefix="$work/" "$work/corpus" "$seeds"
rc=$?
if [ $rc -ne 0 ]; then
	for f in "$work"/crash-* "$work"/timeout-* "$work"/oom-* "$work"/leak-*; do
		[ -e "$f" ] && echo "fuzz: reproducer $f (replay: $fuzzer $f)"
	done
	exit $rc
fi
