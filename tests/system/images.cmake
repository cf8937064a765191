# Boot images for the QEMU tests, all on the test kernel (semihosting exit).
# The fault program picks its misdeed from the name it is packed under.
septa_image(test-hello KERNEL septa_kernel_test ROOT memsrv)
septa_image(test-syscalls KERNEL septa_kernel_test ROOT syscalls)
foreach(kind null ro-write xn-exec undef kernel)
  septa_image(test-fault-${kind} KERNEL septa_kernel_test ROOT fault AS fault-${kind})
endforeach()
septa_image(test-captest KERNEL septa_kernel_test ROOT captest)
# captest's harness tested: a test that crashes, one that spins (runner.c).
foreach(kind crash spin)
  septa_image(test-captest-${kind} KERNEL septa_kernel_test ROOT captest AS captest-${kind})
endforeach()
# The on-target fuzzer, once per seed: it takes its seed from the name.
foreach(seed 1 2 3 4)
  septa_image(test-kfuzz-${seed} KERNEL septa_kernel_test ROOT kfuzz AS kfuzz-${seed})
endforeach()
septa_image(bench-ipc KERNEL septa_kernel_test ROOT ipcbench)
septa_image(bench-guest KERNEL septa_kernel_test ROOT guestbench)
septa_image(bench-bound KERNEL septa_kernel_stats ROOT boundbench)
# memtest's quotas come from the boot archive (tests/memtest/memsrv.quota).
set(MEMTEST_QUOTA FILES memsrv.quota=${CMAKE_SOURCE_DIR}/tests/memtest/memsrv.quota)
septa_image(test-memsrv KERNEL septa_kernel_test ROOT memsrv SERVERS memtest=memtest
  ${MEMTEST_QUOTA})
# memtest's harness tested: a test that crashes (tests/memtest/runner.c).
septa_image(test-memsrv-crash KERNEL septa_kernel_test ROOT memsrv
  SERVERS memtest-crash=memtest ${MEMTEST_QUOTA})
septa_image(bench-memsrv KERNEL septa_kernel_test ROOT memsrv SERVERS memsrvbench=memtest)
# vmsrv scenarios: memsrv, vmsrv and the guests of tests/system/vms/NAME.dts.
set(VMS ${CMAKE_SOURCE_DIR}/tests/system/vms)
set(ALL_GUESTS hello=hello share=share witness=witness probe=probe spin=spin echo=echo
  crash=crash reset=reset peers=peers mailfair=mailfair mailreset=mailreset)
foreach(s two four isolation reset misbehave console bad-memory bad-uart bad-property
  bad-overcommit bad-format bad-initrd peers bad-peers mail-fair mail-reset bad-subpage
  subpage)
  septa_image(test-vm-${s} KERNEL septa_kernel_test ROOT memsrv SERVERS vmsrv=vmsrv
    VMS ${VMS}/${s}.dts GUESTS ${ALL_GUESTS})
endforeach()
# vmsrv's own refusal of a module the image lacks (the packer would refuse
# the missing file first).
septa_image(test-vm-bad-module KERNEL septa_kernel_test ROOT memsrv SERVERS vmsrv=vmsrv
  VMS ${VMS}/bad-module.dts GUESTS ${ALL_GUESTS} MODULES_ONLY)
septa_image(bench-vm KERNEL septa_kernel_test ROOT memsrv SERVERS vmsrv=vmsrv
  VMS ${VMS}/bench.dts GUESTS bench=bench)
septa_image(bench-vm-scale KERNEL septa_kernel_test ROOT memsrv SERVERS vmsrv=vmsrv
  VMS ${VMS}/bench-scale.dts GUESTS benchscale=benchscale)
# make run's image (platforms/target.cmake) with a kernel that stops it at
# the first guest instruction: bench.boot's figure.
septa_image(bench-boot KERNEL septa_kernel_boot ${SEPTA_RUN_IMAGE})
# The formats vmsrv tells by their magic, end to end: the hello guest as
# the ELF64 executable it is linked as (module hello), and a Septa boot
# image (an arm64 Image: text_offset 2 MiB, placement bit clear) as a
# guest (module septa).
septa_image(test-vm-elf KERNEL septa_kernel_test ROOT memsrv SERVERS vmsrv=vmsrv
  VMS ${VMS}/two.dts FILES hello=$<TARGET_FILE:hello_guest> DEPENDS hello_guest)
set(septa_img FILES septa=${SEPTA_IMAGE_DIR}/test-hello.img DEPENDS test-hello)
septa_image(test-vm-image KERNEL septa_kernel_test ROOT memsrv SERVERS vmsrv=vmsrv
  VMS ${VMS}/image.dts ${septa_img})
septa_image(test-vm-bad-size KERNEL septa_kernel_test ROOT memsrv SERVERS vmsrv=vmsrv
  VMS ${VMS}/bad-size.dts ${septa_img})
# Debian's Linux beside a bare-metal guest (tests/guests/linux).
septa_image(test-vm-linux KERNEL septa_kernel_test ROOT memsrv SERVERS vmsrv=vmsrv
  VMS ${VMS}/linux.dts GUESTS echo=echo linux=linux linux-initrd=linux_initrd)
# The release kernel ends QEMU with the machine's status too: a refused
# configuration powers off with 1. Its guest is packed as a plain file.
septa_image(release-bad-memory KERNEL septa_kernel ROOT memsrv SERVERS vmsrv=vmsrv
  VMS ${VMS}/bad-memory.dts FILES hello=${SEPTA_GUEST_hello} DEPENDS hello_guest)
# The boot archive at 64 MiB and more: a big module made at build time
# (tests/lib/bigmod.h says what it holds), read by memtest through the
# archive memsrv shares and by a guest as its initrd. One target makes it,
# so that the two images never write it at once.
set(BIGMOD ${CMAKE_CURRENT_BINARY_DIR}/big.bin)
add_custom_command(OUTPUT ${BIGMOD}
  COMMAND sh -c "seq -f %015.0f 0 4194303 > ${BIGMOD}" VERBATIM)
add_custom_target(big_module DEPENDS ${BIGMOD})
septa_image(test-archive KERNEL septa_kernel_test ROOT memsrv SERVERS memtest=memtest
  FILES big=${BIGMOD} memsrv.quota=${CMAKE_SOURCE_DIR}/tests/memtest/memsrv.quota
  DEPENDS big_module)
septa_image(test-vm-archive KERNEL septa_kernel_test ROOT memsrv SERVERS vmsrv=vmsrv
  VMS ${VMS}/archive.dts GUESTS initrd=initrd FILES big=${BIGMOD} DEPENDS big_module)
# Containment under load (docs/testing.md, "Hostile guests and containment"):
# the storm beside the measured guest, and the benchmark's baselines.
foreach(s contain contain-alone contain-spin contain-above contain-periodic-alone
  contain-periodic contain-periodic-above)
  septa_image(test-vm-${s} KERNEL septa_kernel_test ROOT memsrv SERVERS vmsrv=vmsrv
    VMS ${VMS}/${s}.dts GUESTS work=work storm=storm spin=spin)
endforeach()
# A VM configured at vmsrv's priority: refused at boot.
septa_image(test-vm-bad-priority KERNEL septa_kernel_test ROOT memsrv SERVERS vmsrv=vmsrv
  VMS ${VMS}/bad-priority.dts GUESTS hello=hello)
# The hostile guest fuzzer beside its witness.
septa_image(test-vm-fuzz KERNEL septa_kernel_test ROOT memsrv SERVERS vmsrv=vmsrv
  VMS ${VMS}/fuzz.dts GUESTS fuzz=fuzz steady=steady)
# The Linux benchmarks (tests/bench/linux).
include(${CMAKE_SOURCE_DIR}/tests/bench/linux/images.cmake)
