# Boot images for the QEMU tests, all on the test kernel (semihosting exit).
# The fault program picks its misdeed from the name it is packed under.
septa_image(test-hello KERNEL septa_kernel_test ROOT memsrv)
septa_image(test-syscalls KERNEL septa_kernel_test ROOT syscalls)
foreach(kind null ro-write xn-exec undef kernel)
  septa_image(test-fault-${kind} KERNEL septa_kernel_test ROOT fault AS fault-${kind})
endforeach()
septa_image(test-captest KERNEL septa_kernel_test ROOT captest)
septa_image(bench-ipc KERNEL septa_kernel_test ROOT ipcbench)
septa_image(bench-guest KERNEL septa_kernel_test ROOT guestbench)
septa_image(test-memsrv KERNEL septa_kernel_test ROOT memsrv SERVERS memtest=memtest)
septa_image(bench-memsrv KERNEL septa_kernel_test ROOT memsrv SERVERS memsrvbench=memtest)
# vmsrv scenarios: memsrv, vmsrv and the guests of tests/system/vms/NAME.dts.
set(VMS ${CMAKE_SOURCE_DIR}/tests/system/vms)
set(ALL_GUESTS hello=hello share=share witness=witness probe=probe spin=spin echo=echo
  crash=crash reset=reset)
foreach(s two four isolation reset misbehave console bad-memory bad-uart bad-property
  bad-overcommit bad-format bad-module)
  septa_image(test-vm-${s} KERNEL septa_kernel_test ROOT memsrv SERVERS vmsrv=vmsrv
    VMS ${VMS}/${s}.dts GUESTS ${ALL_GUESTS})
endforeach()
septa_image(bench-vm KERNEL septa_kernel_test ROOT memsrv SERVERS vmsrv=vmsrv
  VMS ${VMS}/bench.dts GUESTS bench=bench)
