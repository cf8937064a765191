#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need. As root it
# installs what is missing; otherwise it prints the exact command and fails,
# so that nobody gets a half-working build.
set -euo pipefail

pkgs=(cmake make gcc libc6-dev gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
      libcunit1-dev newlib-source qemu-system-arm device-tree-compiler
      clang-format xz-utils libfdt-dev cpio clang libclang-rt-14-dev)
if [ "${1:-}" = "--debug" ]; then
	pkgs+=(gdb-multiarch)
fi

missing=()
for p in "${pkgs[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
# vmsrv links Debian's aarch64 libfdt.a, which the build fetches with
# `apt-get download libfdt-dev:arm64`, as it fetches the Linux guest's
# kernel and busybox (linux-image-arm64, busybox-static; cpio packs its
# initramfs): that needs arm64 package lists.
arm64=yes
dpkg --print-foreign-architectures | grep -qx arm64 || arm64=no
[ ${#missing[@]} -eq 0 ] && [ $arm64 = yes ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	[ ${#missing[@]} -eq 0 ] || echo "septa: missing Debian packages: ${missing[*]}" >&2
	[ $arm64 = yes ] || echo "septa: run as root:  dpkg --add-architecture arm64 && apt-get update" >&2
	[ ${#missing[@]} -eq 0 ] || echo "septa: run as root:  apt-get install -y ${missing[*]}" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if [ $arm64 = no ]; then
	echo "septa: adding the arm64 architecture (for libfdt-dev, the Linux guest)"
	dpkg --add-architecture arm64
	apt-get update -q
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "septa: installing ${missing[*]}"
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
