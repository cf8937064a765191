# The Linux benchmarks (linux-bench.sh) as the test bench.linux: make bench
# runs it (SEPTA_LINUX_BENCH set), make test reports it skipped. No figure
# is compared with a limit. The kernel and initramfs are the target build's
# (tests/guests/linux), booted by bare QEMU for comparison.
add_test(NAME bench.linux COMMAND ${CMAKE_SOURCE_DIR}/tests/bench/linux/linux-bench.sh
  ${IMG} ${CMAKE_BINARY_DIR}/target/linux-arm64/Image
  ${CMAKE_BINARY_DIR}/target/tests/guests/linux/initramfs.cpio.gz)
set_tests_properties(bench.linux PROPERTIES TIMEOUT 900 SKIP_RETURN_CODE 77)
