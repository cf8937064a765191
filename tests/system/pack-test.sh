#!/usr/bin/env bash
# Tests of platforms/septa-pack as a user runs it: a configuration in a
# directory of its own, outside the tree, naming a prebuilt guest by a
# relative path longer than a module name may be.
#   pack-test.sh KIT GUEST.bin boot      packs it and boots it (qemu-test.sh)
#   pack-test.sh KIT GUEST.bin missing   a file that is not there is refused
#   pack-test.sh KIT GUEST.bin repack    make with the depfile repacks on a change
#   pack-test.sh KIT GUEST.bin names     files named with '=' and with a long
#                                        UTF-8 name are packed and found
#   pack-test.sh KIT GUEST.bin include   a path in an /include/d file is
#                                        relative to that file
#   pack-test.sh KIT GUEST.bin link      called through a symbolic link, the
#                                        packer finds its tree's kit
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
pack="$here/../../platforms/septa-pack"
kit=$1 guest=$2 what=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
guests="$tmp/guests built somewhere else, by someone else"
mkdir -p "$tmp/conf" "$guests"
cp "$guest" "$guests/hello.bin"
# configs NAME KERNEL...: a configuration with one VM for each pair, ids from
# 1; config KERNEL: the one VM "outside". No region is shared with the
# hello guest, which its bootargs tell it (tests/guests/hello.c).
configs() {
	local id=1
	printf '/dts-v1/;\n/ {\n\tcompatible = "septa,vm-config";\n'
	printf '\t#address-cells = <1>;\n\t#size-cells = <0>;\n'
	while [ $# -gt 0 ]; do
		cat <<EOF
	vm@$id {
		reg = <$id>;
		vm-name = "$1";
		kernel = "$2";
		memory = <0x0 0x40000000 0x0 0x1000000>;
		cpus = <2>;
		bootargs = "hello.regions=0";
		uart = <0x0 0x09000000>;
		uart-interrupt = <33>;
	};
EOF
		id=$((id + 1))
		shift 2
	done
	echo "};"
}
config() {
	configs outside "$1"
}
fail() {
	echo "FAIL: $*"
	exit 1
}
config "../${guests##*/}/hello.bin" >"$tmp/conf/vms.dts"

case "$what" in
boot)
	"$pack" --kit "$kit" -o "$tmp/out/vms.elf" "$tmp/conf/vms.dts" || fail "septa-pack failed"
	"$here/qemu-test.sh" --image "$tmp/out/vms.elf" --status 0 \
		--expect "^vmsrv: vm 1 'outside': 2 vCPU" \
		--expect "^\\[outside\\] hello from VM 1" \
		--expect "^\\[outside\\] guest: all checks passed" \
		--expect "every VM has stopped \\(0 crashed\\)" \
		--reject "FAIL" --reject "BUG" --reject "KERNEL EXCEPTION"
	;;
missing)
	config "../${guests##*/}/nothere.bin" >"$tmp/conf/vms.dts"
	want="septa-pack: $tmp/conf/vms.dts: vm@1: kernel = \"../${guests##*/}/nothere.bin\": no such file $guests/nothere.bin"
	got=$("$pack" --kit "$kit" -o "$tmp/out/vms.elf" "$tmp/conf/vms.dts" 2>&1)
	rc=$?
	[ $rc -eq 1 ] || fail "septa-pack exit status $rc, want 1 (output: $got)"
	[ "$got" = "$want" ] || fail "septa-pack said: $got; want: $want"
	[ ! -e "$tmp/out/vms.elf" ] || fail "an image was written"
	;;
repack)
	# make with the depfile, as CMake's DEPFILE and any make-based build use it.
	cat >"$tmp/Makefile" <<EOF
out/vms.elf:
	"$pack" --kit "$kit" --depfile out/vms.d -o out/vms.elf conf/vms.dts
-include out/vms.d
EOF
	make -s -C "$tmp" >/dev/null || fail "first make failed"
	grep -qF "${guests// /\\ }/hello.bin" "$tmp/out/vms.d" || fail "the depfile does not name the guest: $(cat "$tmp/out/vms.d")"
	first=$(md5sum <"$tmp/out/vms.elf")
	[ -z "$(make -s -C "$tmp")" ] || fail "repacked with nothing changed"
	sleep 1 # mtime resolution of some file systems
	printf 'changed' >>"$guests/hello.bin"
	make -s -C "$tmp" >/dev/null || fail "make after the change failed"
	[ "$(md5sum <"$tmp/out/vms.elf")" != "$first" ] || fail "the guest changed and the image did not"
	;;
names)
	# mkbootarc splits NAME=FILE at the first '=', and a module's name is
	# limited in bytes, not characters.
	long=$(printf 'é%.0s' $(seq 30)).bin
	cp "$guest" "$guests/a=b.bin"
	cp "$guest" "$guests/$long"
	configs equals "../${guests##*/}/a=b.bin" long "../${guests##*/}/$long" >"$tmp/conf/vms.dts"
	"$pack" --kit "$kit" -o "$tmp/out/vms.elf" "$tmp/conf/vms.dts" || fail "septa-pack failed"
	"$here/qemu-test.sh" --image "$tmp/out/vms.elf" --status 0 \
		--expect "every VM has stopped \\(0 crashed\\)" \
		--vm equals --expect "^guest: all checks passed" \
		--vm long --expect "^guest: all checks passed" \
		--reject "FAIL" --reject "BUG" --reject "KERNEL EXCEPTION" --reject "refused"
	;;
include)
	mkdir -p "$tmp/conf/vms"
	config "../../${guests##*/}/hello.bin" | sed -e '1d' >"$tmp/conf/vms/one.dtsi"
	printf '/dts-v1/;\n/include/ "vms/one.dtsi"\n' >"$tmp/conf/vms.dts"
	"$pack" --kit "$kit" --depfile "$tmp/out/vms.d" -o "$tmp/out/vms.elf" "$tmp/conf/vms.dts" ||
		fail "septa-pack failed"
	grep -qF "${guests// /\\ }/hello.bin" "$tmp/out/vms.d" || fail "the depfile does not name the guest: $(cat "$tmp/out/vms.d")"
	;;
link)
	# A tree of its own, with the kit where the packer looks by default.
	mkdir -p "$tmp/tree/platforms" "$tmp/tree/build/target" "$tmp/bin"
	cp "$pack" "$tmp/tree/platforms/"
	cp "$kit" "$tmp/tree/build/target/septa-kit.env"
	ln -s "$tmp/tree/platforms/septa-pack" "$tmp/bin/septa-pack"
	"$tmp/bin/septa-pack" -o "$tmp/out/vms.elf" "$tmp/conf/vms.dts" || fail "septa-pack through a link failed"
	;;
*) fail "unknown test $what" ;;
esac
echo PASS
