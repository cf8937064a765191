#!/usr/bin/env bash
# Fails if any C source or header differs from what .clang-format makes of it.
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files --cached --others --exclude-standard '*.c' '*.h' 2>/dev/null || find . -name '*.[ch]' -not -path './build*')
[ -n "$files" ] || { echo "no sources found"; exit 1; }
bad=0
for f in $files; do
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "needs clang-format: $f"
		bad=1
	fi
done
[ $bad -eq 0 ] && echo "format: $(echo "$files" | wc -w) files clean"
exit $bad
