# The Linux benchmarks (linux-bench.sh) as the test bench.linux, labelled
# linux-bench: make bench runs it, make test leaves it out (it takes a minute
# or two of wall time and checks no behaviour the other tests miss). No figure
# is compared with a limit. The kernel and initramfs are the target build's
# (tests/guests/linux), booted by bare QEMU for comparison.
add_test(NAME bench.linux COMMAND ${CMAKE_SOURCE_DIR}/tests/bench/linux/linux-bench.sh
  ${IMG} ${CMAKE_BINARY_DIR}/target/linux-arm64/Image
  ${CMAKE_BINARY_DIR}/target/tests/guests/linux/initramfs.cpio.gz)
set_tests_properties(bench.linux PROPERTIES TIMEOUT 900 LABELS linux-bench)
