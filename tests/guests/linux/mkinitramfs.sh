#!/usr/bin/env bash
# mkinitramfs.sh BUSYBOX INIT OUT: a gzipped newc initramfs with busybox as
# /bin/busybox, INIT as /init, and the directories init mounts on. The
# kernel opens /dev/console before /init runs, and a device node cannot be
# made without root: that entry is written by hand, as an archive of its
# own in front (Linux unpacks concatenated archives in order).
set -euo pipefail
busybox=$1 init=$2 out=$3
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/proc" "$stage/sys" "$stage/tmp"
cp "$busybox" "$stage/bin/busybox"
cp "$init" "$stage/init"
chmod 755 "$stage/bin/busybox" "$stage/init"
# One newc entry: name, mode, rdev major, minor (no data).
entry() {
	local n=$(($(printf '%s' "$1" | wc -c) + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%s\0' \
		0 "$2" 0 0 1 0 0 0 0 "$3" "$4" "$n" 0 "$1"
	# header (110 bytes) + name, padded to 4
	local pad=$(((4 - (110 + n) % 4) % 4))
	head -c "$pad" /dev/zero
}
{
	entry dev $((0040755)) 0 0
	entry dev/console $((0020600)) 5 1
	entry TRAILER!!! 0 0 0
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0 --reproducible)
} | gzip -9n >"$out"
