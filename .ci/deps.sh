#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need. As root it
# installs what is missing; otherwise it prints the exact command and fails,
# so that nobody gets a half-working build.
set -euo pipefail

pkgs=(cmake make gcc libc6-dev gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
      libcunit1-dev newlib-source qemu-system-arm device-tree-compiler
      clang-format xz-utils)
if [ "${1:-}" = "--debug" ]; then
	pkgs+=(gdb-multiarch)
fi

missing=()
for p in "${pkgs[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "septa: missing Debian packages: ${missing[*]}" >&2
	echo "septa: run as root:  apt-get install -y ${missing[*]}" >&2
	exit 1
fi
echo "septa: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
