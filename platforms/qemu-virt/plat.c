/* QEMU `virt` (QEMU 7.2): addresses from its published memory map. */
#include <plat.h>

static const struct plat_region devices[] = {
    {0x08000000, 0x01000000, "GIC"},   /* GICD, GICC/GICH/GICV, ITS, GICR */
    {0x09000000, 0x00001000, "PL011"}, /* INTID 33 */
};

static const struct plat_region user_devices[] = {
    {0x09010000, 0x00001000, "PL031 RTC"},   /* INTID 34 */
    {0x09030000, 0x00001000, "PL061 GPIO"},  /* INTID 39 */
    {0x0a000000, 0x00004000, "virtio-mmio"}, /* 32 transports, INTID 48.. */
    {0x08040000, 0x00002000, "GICV"},	     /* GICv2 virtual CPU interface */
};

const struct plat_info plat = {
    .name = "qemu-virt",
    .ram_base = 0x40000000,
    .ram_size_default = 0x40000000,
    .uart_base = 0x09000000,
    .uart_irq = 33,
    .gicd_base = 0x08000000,
    .gicr_base = 0x080a0000,
    .gicc_base = 0x08010000,
    .gich_base = 0x08030000,
    .devices = devices,
    .num_devices = sizeof(devices) / sizeof(devices[0]),
    .user_devices = user_devices,
    .num_user_devices = sizeof(user_devices) / sizeof(user_devices[0]),
};
