# mnemo: `make qemu` boots to a shell, `make test` runs every test.
# Variables: CPUS (4), MEM (256M), SWAP (256M: the size of the swap disk,
# a sparse image in the build folder that every boot attaches; 0: no
# disk), PAGER (lazy|eager), EXTRA (a folder of extra user programs), CMD
# (for `make run`), TIMEOUT (seconds QEMU may run in `make run`,
# `system-test`, `fuzz` and, per boot, `bench-linux`), LINUX_ARGS (more
# of Linux's command line in `make bench-linux`), STRICT (1: the kernel
# that lets itself reach user memory only inside the uaccess helpers,
# built in build-strict/), and for `make fuzz`: SEED, CALLS, ROUND,
# PRINT, SKIP (tests/fuzz/README.md).

CPUS ?= 4
MEM ?= 256M
SWAP ?= 256M
PAGER ?= lazy
EXTRA ?=
CMD ?=
STRICT ?=

# V=1 shows whole command lines.
Q := $(if $(V),,@)

CROSS ?= riscv64-unknown-elf-
CC := $(CROSS)gcc
OBJCOPY := $(CROSS)objcopy
QEMU ?= qemu-system-riscv64
# The strict kernel sets sstatus.SUM only around each user access
# (UACCESS_TOGGLE_SUM, kernel/arch/riscv/mmu.c), so the hardware faults
# any other kernel access to user memory; the normal one keeps SUM set,
# as QEMU makes toggling it slow (docs/memory.md). It gets a build folder
# of its own so that the two never mix objects.
B := $(if $(STRICT),build-strict,build)

ARCH_FLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany
# Loops start at a 64-byte boundary, so that a short one never straddles
# a page: QEMU ends a block of translated code at each page boundary and
# links no block to one on another page, so each round of such a loop
# costs a lookup of the next block. The page-zeroing loop of memset
# straddling one made a first touch 14 to 28% slower; where a loop falls
# moves with every change of the code before it. The link step generates
# the kernel's code (-flto), so it is told too.
ALIGN_FLAGS := -falign-loops=64
COMMON_CFLAGS := -O2 -g $(ALIGN_FLAGS) -Wall -Werror -fno-common -fno-omit-frame-pointer -fno-stack-protector \
	-ffunction-sections -fdata-sections -std=gnu11

KCFLAGS := $(ARCH_FLAGS) $(COMMON_CFLAGS) -ffreestanding -nostdlib -fno-pie -mno-relax -I. -MMD -MP \
	$(if $(STRICT),-DUACCESS_TOGGLE_SUM)
# The kernel is optimised at link time as one program (-flto): under QEMU
# every call's return costs a lookup of the next block of translated
# code, and a system call crosses a dozen files (a 1-byte pipe write and
# read: 4.0-4.3 us without, 3.2-3.5 with, alternating boots). The link
# generates the code, so it needs the compile's -march; libgcc is named by
# path because -march with extensions matches none of its multilibs, and
# -march without them picks the lp64 (soft-float) one. string.c stays out
# of it: the compiler's own calls to memcpy and memset, made while it
# generates code, must find a definition that the link step did not drop.
LIBGCC := $(shell $(CC) -march=rv64imac -mabi=lp64 -print-libgcc-file-name)
KLDFLAGS := $(ARCH_FLAGS) -O2 $(ALIGN_FLAGS) -flto=2 -ffreestanding -nostdlib -no-pie -Wl,--gc-sections \
	-Wl,-T,kernel/arch/riscv/kernel.ld -Wl,--no-warn-rwx-segments
KLTO_OFF := kernel/lib/string.c

PICOLIBC := /usr/lib/picolibc/riscv64-unknown-elf
UCFLAGS := $(ARCH_FLAGS) $(COMMON_CFLAGS) -mno-relax -specs=picolibc.specs --picolibc-buildtype=release \
	-ftls-model=local-exec \
	-Iuser/include -I. -MMD -MP
# -march without extensions: it selects picolibc's rv64imac/lp64 multilib.
ULDFLAGS := -march=rv64imac -mabi=lp64 -nostartfiles -T user/lib/user.ld \
	-Wl,--gc-sections -Wl,--no-warn-rwx-segments

SETUP := build/.setup-done

# ---------------------------------------------------------------- kernel
KSRCS := $(shell find kernel -name '*.c' -o -name '*.S' | sort)
KOBJS := $(patsubst %,$(B)/%.o,$(KSRCS))

$(B)/kernel/%.c.o: kernel/%.c | $(SETUP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) $(if $(filter $<,$(KLTO_OFF)),-fno-lto,-flto) -c $< -o $@
$(B)/kernel/%.S.o: kernel/%.S | $(SETUP)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(KCFLAGS) -D__ASSEMBLER__ -c $< -o $@

# Two links: the second adds the symbol table (for backtraces) built from
# the first; the table sits last in the image, so nothing else moves.
$(B)/kernel.elf: $(KOBJS) kernel/arch/riscv/kernel.ld scripts/ksyms
	@echo "  LD      $@"
	$(Q)scripts/ksyms > $(B)/ksyms0.S
	$(Q)$(CC) $(KCFLAGS) -c $(B)/ksyms0.S -o $(B)/ksyms0.o
	$(Q)$(CC) $(KLDFLAGS) $(KOBJS) $(B)/ksyms0.o -o $(B)/kernel.pass1.elf $(LIBGCC)
	$(Q)scripts/ksyms $(B)/kernel.pass1.elf > $(B)/ksyms.S
	$(Q)$(CC) $(KCFLAGS) -c $(B)/ksyms.S -o $(B)/ksyms.o
	$(Q)$(CC) $(KLDFLAGS) $(KOBJS) $(B)/ksyms.o -o $@ $(LIBGCC)

# ---------------------------------------------------------------- user
ULIB_SRCS := $(sort $(wildcard user/lib/*.c user/lib/*.S))
ULIB_OBJS := $(patsubst %,$(B)/%.o,$(ULIB_SRCS))
UPROG_SRCS := $(sort $(wildcard user/bin/*.c))
TEST_SRCS := $(sort $(wildcard tests/system/*.c))
PRESSURE_TESTS := $(patsubst tests/system/%.c,%,$(sort $(wildcard tests/system/p_*.c)))
SPACE := $(subst ,, )
COMMA := ,
BENCH_SRCS := $(sort $(wildcard bench/*.c))
# tests/xv6: xv6 programs, built unchanged into every image and run by the
# system test t_xv6progs.
XV6_SRCS := $(sort $(wildcard tests/xv6/*.c))
EXTRA_SRCS := $(filter-out $(abspath $(XV6_SRCS)),$(if $(EXTRA),$(abspath $(sort $(wildcard $(EXTRA)/*.c)))))

$(B)/user/%.c.o: user/%.c | $(SETUP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@
$(B)/user/%.S.o: user/%.S | $(SETUP)
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(UCFLAGS) -D__ASSEMBLER__ -c $< -o $@

# GCC would turn the byte loops of memcpy, memset... into calls of
# themselves; and they call nothing, so they need no frame of their own.
$(B)/user/lib/string.c.o: UCFLAGS += -fno-tree-loop-distribute-patterns -fomit-frame-pointer

$(B)/ulib.a: $(ULIB_OBJS)
	@rm -f $@
	@echo "  AR      $@"
	$(Q)$(CROSS)ar rcs $@ $^

# One rule links every program: $(B)/prog/NAME from a single source file.
# Test and xv6-style programs see compat/xv6 on their include path.
define USER_PROG
$(B)/prog/$(notdir $(basename $(1))): $(1) $(B)/ulib.a user/lib/user.ld | $(SETUP)
	@mkdir -p $(B)/prog $(B)/dep
	@echo "  PROG    $$@"
	$(Q)$(CC) $(2) $(UCFLAGS) -MF $(B)/dep/$(notdir $(basename $(1))).d $(ULDFLAGS) $(1) -Wl,--start-group $(B)/ulib.a -lc -Wl,--end-group -o $$@
endef
$(foreach s,$(UPROG_SRCS) $(TEST_SRCS) $(BENCH_SRCS),$(eval $(call USER_PROG,$(s),)))
$(foreach s,$(XV6_SRCS) $(EXTRA_SRCS),$(eval $(call USER_PROG,$(s),-Icompat/xv6)))

# The fuzzer is the one program of several files: every .c in tests/fuzz.
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/*.c))
FUZZ_OBJS := $(patsubst %,$(B)/%.o,$(FUZZ_SRCS))

$(B)/tests/fuzz/%.c.o: tests/fuzz/%.c | $(SETUP)
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(UCFLAGS) -c $< -o $@

$(B)/prog/fuzz: $(FUZZ_OBJS) $(B)/ulib.a user/lib/user.ld | $(SETUP)
	@mkdir -p $(B)/prog
	@echo "  PROG    $@"
	$(Q)$(CC) $(UCFLAGS) $(ULDFLAGS) $(FUZZ_OBJS) -Wl,--start-group $(B)/ulib.a -lc -Wl,--end-group -o $@

PROGS := $(foreach s,$(UPROG_SRCS) $(TEST_SRCS) $(BENCH_SRCS) $(XV6_SRCS) $(EXTRA_SRCS),$(B)/prog/$(notdir $(basename $(s)))) \
	$(B)/prog/fuzz

# bench/posix/lbench.c, the benchmark `make bench-linux` runs on mnemo and
# on Linux, goes into the image only for that target, which boots it as
# `make run` boots CMD.
LBENCH_SRC := bench/posix/lbench.c
$(eval $(call USER_PROG,$(LBENCH_SRC),))
ifneq ($(filter bench-linux,$(MAKECMDGOALS)),)
PROGS += $(B)/prog/lbench
CMD := lbench
endif

# ---------------------------------------------------------------- root fs
$(B)/rd.cpio: $(PROGS) scripts/mkrootfs $(wildcard rootfs/*) FORCE
	@scripts/mkrootfs $(B) $@ "$(CMD)" $(PROGS)

FORCE:

# ---------------------------------------------------------------- swap disk
# A sparse file of SWAP bytes, made again (empty) when SWAP changes: the
# size is kept in swap.size, rewritten only when it differs. QEMU's
# virtio-mmio transports speak the legacy interface unless told not to;
# the driver (kernel/dev/virtio_blk.c) speaks only the modern one. The
# image is scratch space that no boot reads back: cache=unsafe lets QEMU skip
# flushing it, which halves a write's latency.
ifneq ($(SWAP),0)
SWAP_IMG := $(B)/swap.img
QEMU_DISK = -global virtio-mmio.force-legacy=false \
	-drive file=$(SWAP_IMG),if=none,format=raw,cache=unsafe,id=swap -device virtio-blk-device,drive=swap
endif

$(B)/swap.size: FORCE
	@mkdir -p $(B)
	@echo "$(SWAP)" | cmp -s - $@ || echo "$(SWAP)" >$@

$(B)/swap.img: $(B)/swap.size
	@echo "  SWAP    $@ ($(SWAP))"
	$(Q)rm -f $@ && truncate -s $(SWAP) $@

# ---------------------------------------------------------------- running
QEMUOPTS = -machine virt -bios default -kernel $(B)/kernel.elf -initrd $(B)/rd.cpio \
	-m $(MEM) -smp $(CPUS) -nographic $(QEMU_DISK)
BOOTARGS = pager=$(PAGER)

.PHONY: all qemu qemu-gdb run test unit-test system-test service-test swap-test panic-test blk-test ctrlc-test fuzz \
	mutants bench bench-linux clean format setup

all: $(B)/kernel.elf $(B)/rd.cpio $(SWAP_IMG)

qemu: all
	$(QEMU) $(QEMUOPTS) -append "$(BOOTARGS)"

qemu-gdb: all
	@echo "*** now run 'gdb-multiarch -x .gdbinit' in this directory"
	$(QEMU) $(QEMUOPTS) -append "$(BOOTARGS)" -S -gdb tcp::26000

# Runs CMD in the shell, powers off, and exits with the last command's status.
run: all
	@scripts/run-qemu --mode run --timeout $(or $(TIMEOUT),120) -- \
		$(QEMU) $(QEMUOPTS) -append "$(BOOTARGS) mode=run"

unit-test: | $(SETUP)
	@$(MAKE) -s -C tests/unit

system-test: all
	@scripts/run-qemu --mode test --timeout $(or $(TIMEOUT),600) --log $(B)/test-$(PAGER).log -- \
		$(QEMU) $(QEMUOPTS) -append "$(BOOTARGS) mode=test"

# The crypto server's deaths: boots with a server that crashes on purpose
# (tests/system/srv_crash.c) and runs only tests/system/srv_restart.c.
service-test: all
	@scripts/run-qemu --mode test --timeout 300 --log $(B)/service-test.log -- \
		$(QEMU) $(QEMUOPTS) -append "$(BOOTARGS) mode=test tests=srv_restart cryptosrv=/bin/srv_crash"

# Memory pressure: boots with a small RAM (SWAP_TEST_MEM, 64 MiB) and the swap
# disk, and runs only the pressure tests (tests/system/p_*.c): programs
# that use more memory than the machine has.
SWAP_TEST_MEM ?= 64M
# make bench's pressure machine: smaller, so that its rows take seconds.
BENCH_SWAP_MEM ?= 32M
swap-test: all
	@scripts/run-qemu --mode test --timeout 300 --log $(B)/swap-test-$(PAGER).log -- \
		$(QEMU) $(subst -m $(MEM),-m $(SWAP_TEST_MEM),$(QEMUOPTS)) \
		-append "$(BOOTARGS) mode=test tests=$(subst $(SPACE),$(COMMA),$(PRESSURE_TESTS))"

# Mutation testing: each of a few defects put into a copy of kernel/mm
# must make the host tests fail (scripts/mutants).
mutants: | $(SETUP)
	@scripts/mutants

# Boots to the interactive shell and types at it: Ctrl-C and Ctrl-\ end
# the foreground job and nothing else (scripts/ctrlc-test).
ctrlc-test: all
	@scripts/ctrlc-test $(B)/ctrlc-test.log $(QEMU) $(QEMUOPTS) -append "$(BOOTARGS)"

# Boots with crashtest=printk: a panic inside printk must still be reported.
panic-test: all
	@scripts/panic-test $(QEMU) $(QEMUOPTS)

# Boots with blkcheck: the swap disk is written and read back
# (kernel/dev/blk_check.c, scripts/blk-test). Skipped with SWAP=0.
blk-test: all
	@scripts/blk-test $(B)/blk-test.log "$(SWAP_IMG)" $(QEMU) $(QEMUOPTS)

# A longer fuzz run than the suite's: CALLS calls (or round ROUND alone, or
# rounds ROUND=A-B; each call printed with PRINT=1) from SEED (else one
# from the clock), leaving out SKIP. The command goes into the image as
# `make run`'s does.
CALLS ?= 200000
fuzz: CMD = fuzz $(if $(SEED),--seed $(SEED)) $(if $(ROUND),--round $(ROUND),--calls $(CALLS)) \
	$(if $(PRINT),--print) $(if $(SKIP),--skip $(SKIP))
fuzz: all
	@scripts/run-qemu --mode run --timeout $(or $(TIMEOUT),1800) --log $(B)/fuzz-$(PAGER).log -- \
		$(QEMU) $(QEMUOPTS) -append "$(BOOTARGS) mode=run"

test: all | $(SETUP)
	@scripts/test-all

# The guest's memory is allocated on the host before the boot
# (-mem-prealloc): the first use of a page would otherwise cost the host a
# page fault of its own, in whichever row first needs more memory.
bench: all
	@scripts/run-qemu --mode bench --timeout 600 --log $(B)/bench.log -- \
		$(QEMU) $(QEMUOPTS) -mem-prealloc -append "$(BOOTARGS) mode=bench"
ifneq ($(SWAP),0)
	@scripts/run-qemu --mode bench --timeout 600 --log $(B)/bench-swap.log -- \
		$(QEMU) $(subst -m $(MEM),-m $(BENCH_SWAP_MEM),$(QEMUOPTS)) -mem-prealloc \
		-append "$(BOOTARGS) mode=bench bench=swap blkbench"
endif

# ---------------------------------------------------------------- mnemo against Linux
# Debian's riscv64 kernel and busybox-static, fetched with apt through a
# private configuration (scripts/linux-fetch), boot an initramfs whose init
# runs lbench built with Debian's riscv64-linux-gnu-gcc; scripts/bench-linux
# boots both systems on the same machine and prints one table. Only this
# target needs the network and the extra packages (scripts/setup linux).
LINUX_DIR := build/linux
LINUX_CC := riscv64-linux-gnu-gcc
# More of Linux's command line, e.g. transparent_hugepage=never: Debian's
# defaults stay as they are unless asked.
LINUX_ARGS ?=
LINUX_APPEND = $(strip console=ttyS0 quiet panic=-1 $(LINUX_ARGS))
LINUX_SETUP := $(LINUX_DIR)/.setup-done

$(LINUX_SETUP):
	@scripts/setup linux
	@mkdir -p $(dir $@) && touch $@

# Fetched once; `rm -rf build/linux` fetches stable's newest again.
$(LINUX_DIR)/Image $(LINUX_DIR)/busybox &: | $(LINUX_SETUP)
	@scripts/linux-fetch $(LINUX_DIR)

# The same sources as mnemo's lbench and /bin/true, static with glibc.
$(LINUX_DIR)/lbench: $(LBENCH_SRC) | $(LINUX_SETUP)
	@echo "  LINUXCC $@"
	$(Q)$(LINUX_CC) -static -O2 -Wall -Werror -std=gnu11 $< -o $@
$(LINUX_DIR)/true: user/bin/true.c | $(LINUX_SETUP)
	@echo "  LINUXCC $@"
	$(Q)$(LINUX_CC) -static -O2 -Wall -Werror -std=gnu11 $< -o $@

$(LINUX_DIR)/initramfs.cpio.gz: $(LINUX_DIR)/busybox $(LINUX_DIR)/lbench $(LINUX_DIR)/true \
		scripts/linux-initramfs
	@scripts/linux-initramfs $@ $(LINUX_DIR)/busybox $(LINUX_DIR)/lbench $(LINUX_DIR)/true

bench-linux: all $(LINUX_DIR)/Image $(LINUX_DIR)/initramfs.cpio.gz
	@scripts/bench-linux --qemu $(QEMU) --cpus $(CPUS) --mem $(MEM) --timeout $(or $(TIMEOUT),900) \
		--log-dir $(LINUX_DIR) \
		--mnemo $(B)/kernel.elf $(B)/rd.cpio "$(BOOTARGS) mode=run" \
		--linux $(LINUX_DIR)/Image $(LINUX_DIR)/initramfs.cpio.gz "$(LINUX_APPEND)" \
		--linux-version "$$(cat $(LINUX_DIR)/kernel-version)"

setup:
	@scripts/setup

$(SETUP):
	@scripts/setup
	@mkdir -p $(dir $@) && touch $@

format:
	clang-format -i $$(find kernel user tests bench compat include -name '*.[ch]')

clean:
	rm -rf build build-strict
	@$(MAKE) -s -C tests/unit clean

-include $(shell find $(B) -name '*.d' 2>/dev/null)
