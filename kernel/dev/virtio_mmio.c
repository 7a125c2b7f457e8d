/* The virtio-mmio transport (virtio 1.1, section 4.2): finding a device
 * among the transports the device tree names, and the status and feature
 * handshake every virtio device goes through before it runs. What a
 * driver does with its queues is the driver's (virtio_blk.c). */
#include "include/uapi/errno.h"
#include "kernel/arch/riscv/fdt.h"
#include "kernel/dev/virtio.h"
#include "kernel/lib/printf.h"

/* The registers up to the configuration space, which every transport has. */
#define VIRTIO_MMIO_MIN_SIZE 0x100

/* A reset takes effect at once under QEMU; a device that is slower gets
 * this many reads of Status to show 0. */
#define RESET_POLLS 100000

int virtio_mmio_find(u32 device_id, struct virtio_mmio *t)
{
	for (int i = 0; i < boot_info.nvirtio; i++) {
		const struct fdt_device *d = &boot_info.virtio[i];
		struct virtio_mmio c = {.pa = d->base, .irq = d->irq};
		if (d->size < VIRTIO_MMIO_MIN_SIZE ||
		    virtio_mmio_read(&c, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC ||
		    virtio_mmio_read(&c, VIRTIO_MMIO_DEVICE_ID) != device_id)
			continue;
		u32 version = virtio_mmio_read(&c, VIRTIO_MMIO_VERSION);
		if (version != 2) {
			/* QEMU's transports speak the legacy interface
			 * unless its force-legacy property is off. */
			printk("virtio: device %u at 0x%lx speaks virtio-mmio version %u, not 2; "
			       "not used (QEMU: -global virtio-mmio.force-legacy=false)\n",
			       device_id, c.pa, version);
			continue;
		}
		*t = c;
		return 0;
	}
	return -ENODEV;
}

static void set_status(const struct virtio_mmio *t, u32 bits)
{
	virtio_mmio_write(t, VIRTIO_MMIO_STATUS, virtio_mmio_read(t, VIRTIO_MMIO_STATUS) | bits);
}

int virtio_mmio_start(const struct virtio_mmio *t, u64 wanted, const char **why)
{
	virtio_mmio_write(t, VIRTIO_MMIO_STATUS, 0);
	for (int i = 0; virtio_mmio_read(t, VIRTIO_MMIO_STATUS) != 0; i++) {
		if (i == RESET_POLLS) {
			*why = "it does not reset";
			return -ENODEV;
		}
	}
	set_status(t, VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(t, VIRTIO_STATUS_DRIVER);

	virtio_mmio_write(t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	u64 offered = virtio_mmio_read(t, VIRTIO_MMIO_DEVICE_FEATURES);
	virtio_mmio_write(t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	offered |= (u64)virtio_mmio_read(t, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	if ((offered & wanted) != wanted) {
		*why = (wanted & ~offered) == VIRTIO_F_VERSION_1 ? "it lacks VIRTIO_F_VERSION_1"
								 : "it lacks a feature";
		return -ENODEV;
	}
	virtio_mmio_write(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	virtio_mmio_write(t, VIRTIO_MMIO_DRIVER_FEATURES, (u32)wanted);
	virtio_mmio_write(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	virtio_mmio_write(t, VIRTIO_MMIO_DRIVER_FEATURES, (u32)(wanted >> 32));

	/* The device may still refuse the set: it clears the bit then. */
	set_status(t, VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_mmio_read(t, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK)) {
		*why = "it refused the features";
		return -ENODEV;
	}
	return 0;
}

int virtio_mmio_queue(const struct virtio_mmio *t, u32 q, u32 n, u64 desc_pa, u64 avail_pa,
		      u64 used_pa, const char **why)
{
	virtio_mmio_write(t, VIRTIO_MMIO_QUEUE_SEL, q);
	if (virtio_mmio_read(t, VIRTIO_MMIO_QUEUE_READY)) {
		*why = "its queue is in use";
		return -ENODEV;
	}
	u32 max = virtio_mmio_read(t, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (max < n) {
		*why = max ? "its queue is too small" : "it has no queue";
		return -ENODEV;
	}
	virtio_mmio_write(t, VIRTIO_MMIO_QUEUE_NUM, n);
	virtio_mmio_write(t, VIRTIO_MMIO_QUEUE_DESC_LOW, (u32)desc_pa);
	virtio_mmio_write(t, VIRTIO_MMIO_QUEUE_DESC_HIGH, (u32)(desc_pa >> 32));
	virtio_mmio_write(t, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (u32)avail_pa);
	virtio_mmio_write(t, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (u32)(avail_pa >> 32));
	virtio_mmio_write(t, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (u32)used_pa);
	virtio_mmio_write(t, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (u32)(used_pa >> 32));
	/* The zeroed rings reach memory before the device may read them. */
	__sync_synchronize();
	virtio_mmio_write(t, VIRTIO_MMIO_QUEUE_READY, 1);
	return 0;
}

void virtio_mmio_driver_ok(const struct virtio_mmio *t)
{
	set_status(t, VIRTIO_STATUS_DRIVER_OK);
}

void virtio_mmio_fail(const struct virtio_mmio *t)
{
	virtio_mmio_write(t, VIRTIO_MMIO_STATUS, 0);
	virtio_mmio_write(t, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_FAILED);
}

u64 virtio_mmio_config64(const struct virtio_mmio *t, u32 off)
{
	u32 gen, lo, hi;
	do {
		gen = virtio_mmio_read(t, VIRTIO_MMIO_CONFIG_GENERATION);
		lo = virtio_mmio_read(t, VIRTIO_MMIO_CONFIG + off);
		hi = virtio_mmio_read(t, VIRTIO_MMIO_CONFIG + off + 4);
	} while (gen != virtio_mmio_read(t, VIRTIO_MMIO_CONFIG_GENERATION));
	return (u64)hi << 32 | lo;
}

void virtio_mmio_notify(const struct virtio_mmio *t, u32 q)
{
	/* The ring's entries and index before the register write (fence
	 * iorw, iorw orders memory against device I/O too). */
	__sync_synchronize();
	virtio_mmio_write(t, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

u32 virtio_mmio_intr_ack(const struct virtio_mmio *t)
{
	u32 status = virtio_mmio_read(t, VIRTIO_MMIO_INTERRUPT_STATUS);
	virtio_mmio_write(t, VIRTIO_MMIO_INTERRUPT_ACK, status);
	/* The acknowledgement before the rings are read. */
	__sync_synchronize();
	return status;
}
