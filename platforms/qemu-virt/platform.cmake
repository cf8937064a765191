# QEMU virt: where the kernel is linked and how QEMU is started.
# Linked 2 MiB into RAM: QEMU puts the device tree at the start of RAM for
# ELF images, and an arm64 Image header with text_offset 2 MiB makes the
# flat image land at the same address under QEMU and U-Boot's booti.
set(SEPTA_RAM_BASE 0x40000000)
set(SEPTA_TEXT_OFFSET 0x200000)
set(SEPTA_PLAT_SOURCES ${CMAKE_CURRENT_LIST_DIR}/plat.c)
# The machine is QEMU, started with -semihosting (run.sh): the kernel ends
# it with its status through semihosting, which PSCI SYSTEM_OFF cannot carry.
# A board's platform leaves this out and powers off through PSCI.
set(SEPTA_PLAT_DEFINITIONS SEPTA_SEMIHOSTING)
