set confirm off
set architecture riscv:rv64
file build/kernel.elf
target remote 127.0.0.1:26000
set disassemble-next-line auto
