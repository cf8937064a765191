# The Linux benchmarks' images (linux-bench.sh, tests.cmake): Linux alone,
# the CPU-bound progress guest alone, and the two side by side. Release
# kernel, so the timings are a user's.
set(lbench_dir ${CMAKE_SOURCE_DIR}/tests/bench/linux)
set(lbench_linux linux=linux linux-initrd=linux_initrd)
septa_image(bench-linux KERNEL septa_kernel ROOT memsrv SERVERS vmsrv=vmsrv
  VMS ${lbench_dir}/linux.dts GUESTS ${lbench_linux})
septa_image(bench-progress KERNEL septa_kernel ROOT memsrv SERVERS vmsrv=vmsrv
  VMS ${lbench_dir}/progress.dts GUESTS progress=progress)
septa_image(bench-linux-beside KERNEL septa_kernel ROOT memsrv SERVERS vmsrv=vmsrv
  VMS ${lbench_dir}/beside.dts GUESTS progress=progress ${lbench_linux})
