#!/usr/bin/env bash
# Boots a Septa image on QEMU virt with virtualization (EL2), GICv3 and a
# Cortex-A72, and no network card (none is needed, and the default one
# wants a boot ROM Debian ships apart). Usage: run.sh [--gdb] [--gic 2|3] [--icount] [--mem SIZE] [--no-virt] IMAGE [qemu args]
# --mem is QEMU's -m (1G unless given).
# --gdb waits for gdb-multiarch on tcp::1234 (see docs/running.md).
# Its exit status is QEMU's: the machine's, which the kernel gives QEMU
# through semihosting (-semihosting; platform.cmake). Standard input may be
# anything: with no terminal the image runs to its end by itself.
set -euo pipefail
gic=3
virt=on
mem=1G
append=""
extra=()
while [ $# -gt 0 ]; do
	case "$1" in
	--gdb) extra+=(-s -S); echo "septa: QEMU waits for gdb on localhost:1234"; shift ;;
	--gic) gic="$2"; shift 2 ;;
	--icount) extra+=(-icount shift=0); shift ;;
	--mem) mem="$2"; shift 2 ;;
	--no-virt) virt=off; shift ;;
	--append) append="$2"; shift 2 ;;
	*) break ;;
	esac
done
[ $# -ge 1 ] || { echo "usage: $0 [--gdb] [--gic 2|3] IMAGE [qemu args]" >&2; exit 2; }
image="$1"
shift
# With nobody at the console (a script, CI: `make run </dev/null`) the
# machine's bootargs say so, and vmsrv passes them on to every guest: the
# Linux guest's init then runs its checks and powers off instead of
# starting a shell (docs/linux-guest.md).
if [ -t 0 ]; then
	echo "septa: quit QEMU with Ctrl-A x" >&2
	[ -z "$append" ] || extra+=(-append "$append")
else
	extra+=(-append "septa.batch${append:+ $append}")
fi
exec qemu-system-aarch64 -M "virt,virtualization=$virt,gic-version=$gic" -cpu cortex-a72 \
	-m "$mem" -smp 1 -nographic -nic none -no-reboot -semihosting "${extra[@]}" -kernel "$image" "$@"
