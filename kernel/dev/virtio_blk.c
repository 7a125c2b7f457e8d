/* The virtio block device (virtio 1.1, section 5.2) behind blk.h: one
 * disk, one request queue.
 *
 * A request is a chain of descriptors: the header (read or write, and
 * where), the data in up to BLK_SEGS pieces (the device puts them one
 * after the other on the disk), and a status byte the device writes last.
 * The queue is cut into BLK_SLOTS fixed runs of SLOT_DESCS descriptors,
 * slot i owning those from SLOT_DESCS * i on, so that a request allocates
 * no descriptors and the head the device hands back in the used ring
 * names the slot. A caller takes a free slot (or sleeps until one frees),
 * fills it, publishes its head in the available ring, notifies the device
 * and sleeps on the slot; the interrupt handler walks the used ring, marks
 * each finished slot done and wakes its sleeper, who reads the status and
 * gives the slot back.
 *
 * blk_rw_many joins requests that follow each other on the disk into one
 * request of several pieces: under QEMU a request costs about as much
 * whatever its size, so sixteen pages in one request move eight times
 * faster than in sixteen (make bench's blkbench line). Swap writes and
 * reads runs of neighbouring slots, which join. */
#include "include/uapi/errno.h"
#include "kernel/arch/riscv/memlayout.h"
#include "kernel/arch/riscv/plic.h"
#include "kernel/dev/blk.h"
#include "kernel/dev/virtio.h"
#include "kernel/lib/panic.h"
#include "kernel/lib/printf.h"
#include "kernel/lib/spinlock.h"
#include "kernel/mm/page.h"
#include "kernel/proc/proc.h"

/* A swap read (a page and up to 15 read ahead) is one request; the slots
 * take all but two of the queue's descriptors, which must fit with the
 * rings in one page. */
#define BLK_SEGS   16		  /* pieces of data in one request */
#define SLOT_DESCS (BLK_SEGS + 2) /* a slot's descriptors: header, data, status */
#define BLK_SLOTS  7		  /* requests on the disk at once */
#define QUEUE_SIZE 128		  /* descriptors: a power of two */

/* The three rings in one zeroed page. */
#define AVAIL_OFFSET VIRTQ_DESC_SIZE(QUEUE_SIZE)
#define USED_OFFSET  ALIGN_UP(AVAIL_OFFSET + VIRTQ_AVAIL_SIZE(QUEUE_SIZE), VIRTQ_USED_ALIGN)
_Static_assert(USED_OFFSET + VIRTQ_USED_SIZE(QUEUE_SIZE) <= PAGE_SIZE, "rings exceed a page");
_Static_assert(SLOT_DESCS *BLK_SLOTS <= QUEUE_SIZE, "too few descriptors for the slots");

/* The request header the device reads (section 5.2.6). */
struct virtio_blk_req {
	u32 type; /* VIRTIO_BLK_T_* */
	u32 reserved;
	u64 sector; /* in 512-byte units, whatever the disk's block size */
};
#define VIRTIO_BLK_T_IN	 0 /* read from the disk */
#define VIRTIO_BLK_T_OUT 1 /* write to it */

/* The status byte: the device's, then two of the driver's own. */
#define VIRTIO_BLK_S_OK	    0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2
#define STATUS_NONE	    0xff /* until the device writes it */
#define STATUS_GONE	    0xfe /* failed by the driver: the device needs a reset */

/* The device-specific configuration (section 5.2.4). */
#define VIRTIO_BLK_CONFIG_CAPACITY 0 /* u64: the size in 512-byte sectors */

struct blk_slot {
	struct virtio_blk_req req; /* (l) read by the device */
	u8 status;		   /* written by the device; read under (l) once done */
	bool busy;		   /* (l) a request holds the slot */
	bool done;		   /* (l) the device has finished its request */
};

/* Locking legend: (l) blk.lock; (-) set by blk_init, before any request. */
static struct {
	struct spinlock lock;
	struct virtio_mmio dev;		  /* (-) */
	u64 size;			  /* (-) bytes; 0: no disk */
	struct virtq_desc *desc;	  /* (l) */
	struct virtq_avail *avail;	  /* (l) */
	volatile struct virtq_used *used; /* the device writes it; read under (l) */
	u16 used_seen;			  /* (l) used entries handled, mod 2^16 */
	int slot_waiters;		  /* (l) callers asleep for a free slot */
	bool broken;			  /* (l) the device needs a reset: no new requests */
	struct blk_slot slots[BLK_SLOTS]; /* (l) */
} blk = {.lock = SPINLOCK_INIT("blk")};

static const char *status_name(u8 status)
{
	switch (status) {
	case VIRTIO_BLK_S_IOERR:
		return "I/O error";
	case VIRTIO_BLK_S_UNSUPP:
		return "request not supported";
	case STATUS_NONE:
		return "the device wrote no status";
	case STATUS_GONE:
		return "the device needs a reset";
	default:
		return "unknown status";
	}
}

/* The descriptor of slot i that never changes: the header's. The data's
 * and the status byte's, after the data, are the request's. */
static void chain_init(int i)
{
	struct blk_slot *s = &blk.slots[i];
	blk.desc[SLOT_DESCS * i] = (struct virtq_desc){.addr = kva_to_pa(&s->req),
						       .len = sizeof(s->req),
						       .flags = VIRTQ_DESC_F_NEXT,
						       .next = SLOT_DESCS * i + 1};
}

/* A free slot, taken; sleeps while every slot is busy. NULL once the
 * device is broken. blk.lock held. */
static struct blk_slot *slot_take(void)
{
	if (!spin_holding(&blk.lock))
		panic("slot_take: blk.lock not held");
	for (;;) {
		if (blk.broken)
			return NULL;
		for (int i = 0; i < BLK_SLOTS; i++) {
			if (!blk.slots[i].busy) {
				blk.slots[i].busy = true;
				blk.slots[i].done = false;
				return &blk.slots[i];
			}
		}
		blk.slot_waiters++;
		sleep(&blk.slot_waiters, &blk.lock);
		blk.slot_waiters--;
	}
}

/* Is a slot free now? blk.lock held. */
static bool has_free_slot(void)
{
	for (int i = 0; i < BLK_SLOTS; i++)
		if (!blk.slots[i].busy)
			return true;
	return false;
}

/* Gives back a slot whose request is done. blk.lock held. */
static void slot_put(struct blk_slot *s)
{
	if (!spin_holding(&blk.lock))
		panic("slot_put: blk.lock not held");
	s->busy = false;
	if (blk.slot_waiters)
		wakeup(&blk.slot_waiters);
}

/* Hands s's request, ios[0..n) (n <= BLK_SEGS, each starting where the
 * one before ends on the disk, all reads or all writes), to the device:
 * the chain's head on the available ring, then a notification. blk.lock
 * held. */
static void submit(struct blk_slot *s, const struct blk_io *ios, int n)
{
	if (!spin_holding(&blk.lock))
		panic("submit: blk.lock not held");
	u16 head = SLOT_DESCS * (s - blk.slots);
	bool write = ios[0].write;
	s->req = (struct virtio_blk_req){.type = write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN,
					 .sector = ios[0].offset / BLK_SECTOR_SIZE};
	s->status = STATUS_NONE;
	for (int i = 0; i < n; i++)
		blk.desc[head + 1 + i] = (struct virtq_desc){
		    .addr = kva_to_pa(ios[i].buf),
		    .len = ios[i].len,
		    .flags = VIRTQ_DESC_F_NEXT | (write ? 0 : VIRTQ_DESC_F_WRITE),
		    .next = head + 2 + i};
	blk.desc[head + 1 + n] = (struct virtq_desc){
	    .addr = kva_to_pa(&s->status), .len = 1, .flags = VIRTQ_DESC_F_WRITE};
	u16 idx = blk.avail->idx;
	blk.avail->ring[idx % QUEUE_SIZE] = head;
	/* The chain and the entry before the index that hands them over. */
	__sync_synchronize();
	__atomic_store_n(&blk.avail->idx, (u16)(idx + 1), __ATOMIC_RELAXED);
	virtio_mmio_notify(&blk.dev, 0);
}

/* The device finished the chain at head. blk.lock held. */
static void slot_done(u32 head)
{
	if (!spin_holding(&blk.lock))
		panic("slot_done: blk.lock not held");
	struct blk_slot *s = head % SLOT_DESCS == 0 && head / SLOT_DESCS < BLK_SLOTS
				 ? &blk.slots[head / SLOT_DESCS]
				 : NULL;
	if (!s || !s->busy || s->done) {
		printk("virtio-blk: the device finished descriptor %u, which holds no request\n",
		       head);
		return;
	}
	s->done = true;
	wakeup(s);
}

/* The device gave up (DEVICE_NEEDS_RESET): fail what it holds and take
 * nothing new. Resetting it would free its rings under requests it may
 * still be writing, so it stays as it is. blk.lock held. */
static void fail_all(void)
{
	if (!spin_holding(&blk.lock))
		panic("fail_all: blk.lock not held");
	printk("virtio-blk: the device needs a reset; every request fails from now on\n");
	blk.broken = true;
	for (int i = 0; i < BLK_SLOTS; i++) {
		struct blk_slot *s = &blk.slots[i];
		if (s->busy && !s->done) {
			s->status = STATUS_GONE;
			s->done = true;
			wakeup(s);
		}
	}
	if (blk.slot_waiters)
		wakeup(&blk.slot_waiters);
}

static void blk_intr(void)
{
	spin_lock(&blk.lock);
	u32 why = virtio_mmio_intr_ack(&blk.dev);
	if ((why & VIRTIO_INT_CONFIG) && !blk.broken &&
	    (virtio_mmio_read(&blk.dev, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_DEVICE_NEEDS_RESET))
		fail_all();
	while (blk.used_seen != blk.used->idx) {
		/* The entry after the index that published it. */
		__sync_synchronize();
		u32 head = blk.used->ring[blk.used_seen % QUEUE_SIZE].id;
		blk.used_seen++;
		slot_done(head);
	}
	spin_unlock(&blk.lock);
}

int blk_init(void)
{
	struct virtio_mmio *t = &blk.dev;
	int err = virtio_mmio_find(VIRTIO_ID_BLOCK, t);
	if (err)
		return err;

	const char *why;
	void *rings = NULL;
	err = virtio_mmio_start(t, VIRTIO_F_VERSION_1, &why);
	if (err)
		goto out_fail;
	err = -ENOMEM;
	why = "out of memory";
	rings = kpage_alloc_zeroed();
	if (!rings)
		goto out_fail;
	blk.desc = rings;
	blk.avail = (struct virtq_avail *)((u8 *)rings + AVAIL_OFFSET);
	blk.used = (struct virtq_used *)((u8 *)rings + USED_OFFSET);
	for (int i = 0; i < BLK_SLOTS; i++)
		chain_init(i);
	err = virtio_mmio_queue(t, 0, QUEUE_SIZE, kva_to_pa(blk.desc), kva_to_pa(blk.avail),
				kva_to_pa((void *)blk.used), &why);
	if (err)
		goto out_fail;
	u64 sectors = virtio_mmio_config64(t, VIRTIO_BLK_CONFIG_CAPACITY);
	err = -ENODEV;
	why = "it is empty";
	if (sectors == 0)
		goto out_fail;
	why = "its interrupt cannot be routed";
	if (plic_route(t->irq, blk_intr) < 0)
		goto out_fail;
	virtio_mmio_driver_ok(t);
	blk.size = sectors * BLK_SECTOR_SIZE;
	printk("virtio-blk: %lu MiB disk (virtio-mmio at 0x%lx, irq %d)\n", blk.size >> 20, t->pa,
	       t->irq);
	return 0;

out_fail:
	/* Reset first: the device lets go of the rings before they are freed. */
	virtio_mmio_fail(t);
	if (rings)
		kpage_free(rings);
	printk("virtio-blk: disk at 0x%lx not used: %s\n", t->pa, why);
	return err;
}

u64 blk_size(void)
{
	return blk.size;
}

/* Is [offset, offset+len) of the disk whole sectors, and buf in the
 * direct map, where the device can reach it? */
static bool request_ok(u64 offset, const void *buf, u32 len)
{
	return len > 0 && offset % BLK_SECTOR_SIZE == 0 && len % BLK_SECTOR_SIZE == 0 &&
	       offset <= blk.size && len <= blk.size - offset && (u64)buf >= DIRECT_MAP;
}

/* The end of a request whose slot is done, for ios[0..n): its result,
 * the slot back. */
static int finish(struct blk_slot *s, const struct blk_io *ios, int n)
{
	u8 status = s->status;
	slot_put(s);
	if (status == VIRTIO_BLK_S_OK)
		return 0;
	u64 len = ios[n - 1].offset + ios[n - 1].len - ios[0].offset;
	printk("virtio-blk: %s of %lu bytes at offset %lu failed: %s (status %u)\n",
	       ios[0].write ? "write" : "read", len, ios[0].offset, status_name(status), status);
	return -EIO;
}

/* How many of ios[0..n) (the first one valid) one request carries: the
 * first, and those right after it that are valid, go the same way and
 * start on the disk where the one before ends; BLK_SEGS at most. */
static int run_length(const struct blk_io *ios, int n)
{
	int k = 1;
	while (k < n && k < BLK_SEGS && ios[k].write == ios[0].write &&
	       ios[k].offset == ios[k - 1].offset + ios[k - 1].len &&
	       request_ok(ios[k].offset, ios[k].buf, ios[k].len))
		k++;
	return k;
}

int blk_rw_many(struct blk_io *ios, int n)
{
	if (!blk.size)
		return -ENODEV;
	if (!myproc())
		panic("blk_rw_many: not in a process");
	int failed = 0;
	/* This round's requests: slot (NULL: refused or failed at once) and
	 * the run of ios it carries. */
	struct blk_slot *slots[BLK_SLOTS];
	int first[BLK_SLOTS], count[BLK_SLOTS];
	spin_lock(&blk.lock);
	for (int i = 0; i < n;) {
		/* Submit as many as there are free slots (waiting only for
		 * the first, holding none: a caller that held done slots while
		 * it slept for more could starve another that does the same),
		 * then wait for them all. */
		int k = 0, next = i;
		while (next < n && k < BLK_SLOTS) {
			struct blk_io *io = &ios[next];
			struct blk_slot *s = NULL;
			int len = 1;
			if (!request_ok(io->offset, io->buf, io->len)) {
				io->err = -EINVAL;
			} else if (k == 0 || has_free_slot()) {
				s = slot_take();
				len = run_length(io, n - next);
				for (int j = 0; j < len; j++)
					io[j].err =
					    s ? 0 : -EIO; /* broken: said once, by fail_all */
			} else {
				break;
			}
			slots[k] = s;
			first[k] = next;
			count[k++] = len;
			if (s)
				submit(s, io, len);
			next += len;
		}
		for (int j = 0; j < k; j++) {
			struct blk_slot *s = slots[j];
			struct blk_io *run = &ios[first[j]];
			/* Not killable: the device reads or writes buf until done. */
			while (s && !s->done)
				sleep(s, &blk.lock);
			int err = s ? finish(s, run, count[j]) : run->err;
			for (int m = 0; m < count[j]; m++) {
				run[m].err = err;
				failed += err != 0;
			}
		}
		i = next;
	}
	spin_unlock(&blk.lock);
	return failed ? -EIO : 0;
}

int blk_rw(u64 offset, void *buf, u32 len, bool write)
{
	struct blk_io io = {.offset = offset, .buf = buf, .len = len, .write = write};
	if (!blk.size)
		return -ENODEV;
	if (!request_ok(offset, buf, len))
		return -EINVAL;
	blk_rw_many(&io, 1);
	return io.err;
}
