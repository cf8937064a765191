#!/usr/bin/env bash
# check-registered.sh DIR: every `void test_NAME(void)` written in DIR/*.c is
# registered in DIR/tests.def (once), so a test dropped from the list, and
# so never run, fails here rather than going unnoticed. (Tests a macro
# writes are registered too; the link fails for a T() with no test.)
set -euo pipefail
dir=$1
defined=$(grep -ho '^void test_[a-z0-9_]*(void)' "$dir"/*.c | sed 's/^void test_//; s/(void)$//' | sort)
listed=$(grep -o '^T([a-z0-9_]*)' "$dir/tests.def" | sed 's/^T(//; s/)$//' | sort)
fail=0
missing=$(comm -23 <(echo "$defined") <(echo "$listed"))
if [ -n "$missing" ]; then
	echo "check-registered: written in $dir but not in its tests.def:"
	echo "$missing" | sed 's/^/  /'
	fail=1
fi
twice=$(echo "$listed" | uniq -d)
if [ -n "$twice" ]; then
	echo "check-registered: listed twice in $dir/tests.def:"
	echo "$twice" | sed 's/^/  /'
	fail=1
fi
n=$(echo "$listed" | grep -c .)
[ $fail -eq 0 ] && echo "check-registered: $dir: $n tests listed, every one written is"
exit $fail
