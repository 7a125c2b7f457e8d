/* Virtio devices over MMIO (Virtual I/O Device specification 1.1,
 * sections 2 "Basic Facilities", 2.6 "Split Virtqueues" and 4.2 "Virtio
 * Over MMIO"): the transport's registers, the device status bits, the
 * rings a driver shares with its device, and the steps of setting a
 * device up, which every virtio driver takes in the same order.
 *
 * Only the modern interface (MMIO version 2) is spoken. Virtio is
 * little-endian, like RISC-V, so fields are read and written as they are. */
#ifndef KERNEL_DEV_VIRTIO_H
#define KERNEL_DEV_VIRTIO_H

#include "kernel/arch/riscv/memlayout.h"
#include "kernel/types.h"

/* Registers, as byte offsets from the transport's base; 32 bits each. */
#define VIRTIO_MMIO_MAGIC_VALUE		0x000 /* VIRTIO_MMIO_MAGIC */
#define VIRTIO_MMIO_VERSION		0x004 /* 2 for the modern interface */
#define VIRTIO_MMIO_DEVICE_ID		0x008 /* 0: no device behind this transport */
#define VIRTIO_MMIO_VENDOR_ID		0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010 /* 32 feature bits, chosen by ..._SEL */
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL		0x030 /* the queue the QUEUE_ registers mean */
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034 /* 0: no such queue */
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050 /* write a queue's index: it has new buffers */
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070 /* VIRTIO_STATUS_*; write 0 to reset */
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080 /* physical addresses of the three rings */
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW	0x090 /* the available ring */
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW	0x0a0 /* the used ring */
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH	0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc /* changes when the device's config does */
#define VIRTIO_MMIO_CONFIG		0x100 /* the device-specific configuration */

#define VIRTIO_MMIO_MAGIC 0x74726976 /* "virt", little-endian */

/* InterruptStatus bits. */
#define VIRTIO_INT_USED_BUFFER 0x1 /* a queue's used ring has new entries */
#define VIRTIO_INT_CONFIG      0x2 /* the configuration (or the status) changed */

/* Device status bits, set by the driver one step at a time. */
#define VIRTIO_STATUS_ACKNOWLEDGE	 1   /* the driver has seen the device */
#define VIRTIO_STATUS_DRIVER		 2   /* and knows how to drive it */
#define VIRTIO_STATUS_DRIVER_OK		 4   /* set up: the device may run */
#define VIRTIO_STATUS_FEATURES_OK	 8   /* the features are agreed */
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64  /* set by the device: it gave up */
#define VIRTIO_STATUS_FAILED		 128 /* the driver gave up */

/* Feature bits that do not depend on the device type. */
#define VIRTIO_F_VERSION_1 (1ULL << 32) /* the modern interface; required */

/* Device IDs. */
#define VIRTIO_ID_BLOCK 2

/* A split virtqueue of size n (a power of two) is three rings, each in
 * memory both sides share: the descriptor table, the available ring (the
 * driver's: heads of chains the device may take) and the used ring (the
 * device's: the chains it has finished). */
struct virtq_desc {
	u64 addr; /* physical */
	u32 len;
	u16 flags; /* VIRTQ_DESC_F_* */
	u16 next;  /* the chain's next descriptor, with VIRTQ_DESC_F_NEXT */
};
#define VIRTQ_DESC_F_NEXT  1
#define VIRTQ_DESC_F_WRITE 2 /* the device writes this buffer (else it reads it) */

struct virtq_avail {
	u16 flags; /* 0: the driver wants an interrupt for each used buffer */
	u16 idx;   /* where the driver puts its next entry, mod n; wraps at 2^16 */
	u16 ring[];
	/* then u16 used_event, unused without VIRTIO_F_EVENT_IDX */
};

struct virtq_used_elem {
	u32 id;	 /* the head of the finished chain */
	u32 len; /* bytes the device wrote into it */
};

struct virtq_used {
	u16 flags;
	u16 idx; /* where the device puts its next entry, mod n */
	struct virtq_used_elem ring[];
	/* then u16 avail_event, unused without VIRTIO_F_EVENT_IDX */
};

/* Each ring's alignment and size for a queue of n entries. */
#define VIRTQ_DESC_ALIGN    16
#define VIRTQ_AVAIL_ALIGN   2
#define VIRTQ_USED_ALIGN    4
#define VIRTQ_DESC_SIZE(n)  (sizeof(struct virtq_desc) * (n))
#define VIRTQ_AVAIL_SIZE(n) (sizeof(struct virtq_avail) + sizeof(u16) * ((n) + 1))
#define VIRTQ_USED_SIZE(n)  (sizeof(struct virtq_used) + sizeof(struct virtq_used_elem) * (n) + 2)

/* A virtio-mmio transport with a device behind it. */
struct virtio_mmio {
	u64 pa;	 /* its registers, physical */
	int irq; /* its PLIC source */
};

static inline u32 virtio_mmio_read(const struct virtio_mmio *t, u32 reg)
{
	return *(volatile u32 *)pa_to_kva(t->pa + reg);
}
static inline void virtio_mmio_write(const struct virtio_mmio *t, u32 reg, u32 v)
{
	*(volatile u32 *)pa_to_kva(t->pa + reg) = v;
}

/* The steps of setting a device up (specification 3.1.1), in order.
 * Each that can fail returns 0, or -ENODEV with *why saying what the
 * device lacks; the driver then calls virtio_mmio_fail.
 *
 * virtio_mmio_find: the first transport in the device tree (in the tree's
 *   order) with device_id behind it, speaking version 2. A version 1 (legacy) one is named on the
 * console and passed over. -ENODEV, silently, when there is none. virtio_mmio_start: resets the
 * device, says ACKNOWLEDGE and DRIVER, and agrees on the features: wanted must all be offered; the
 * driver accepts no others. Ends with FEATURES_OK, checked. virtio_mmio_queue: sets queue q up with
 * n entries (the device must take that many) on the rings at the given physical addresses, which
 *   must be zeroed, and makes it ready.
 * virtio_mmio_driver_ok: the device may run; its interrupt must be routed.
 * virtio_mmio_fail: the driver gives up on the device: resets it (it
 *   lets go of the rings, which may then be freed) and says FAILED. */
int virtio_mmio_find(u32 device_id, struct virtio_mmio *t);
int virtio_mmio_start(const struct virtio_mmio *t, u64 wanted, const char **why);
int virtio_mmio_queue(const struct virtio_mmio *t, u32 q, u32 n, u64 desc_pa, u64 avail_pa,
		      u64 used_pa, const char **why);
void virtio_mmio_driver_ok(const struct virtio_mmio *t);
void virtio_mmio_fail(const struct virtio_mmio *t);

/* A 64-bit field of the device-specific configuration at byte offset
 * off, read as two halves that belong together (ConfigGeneration). */
u64 virtio_mmio_config64(const struct virtio_mmio *t, u32 off);
/* Tells the device that queue q has new available entries. The entries
 * and the ring's index must be written before: this orders them first. */
void virtio_mmio_notify(const struct virtio_mmio *t, u32 q);
/* Acknowledges the device's interrupt and returns its InterruptStatus
 * (VIRTIO_INT_* bits). Call it before looking at the rings: an entry the
 * device adds after the acknowledgement raises a new interrupt. */
u32 virtio_mmio_intr_ack(const struct virtio_mmio *t);

#endif
