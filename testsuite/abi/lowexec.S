/*
 * lowexec.S — a static program linked at 0x1000, as some test suites link
 * theirs (testsuite/abi/hang.c runs it): one PT_LOAD at 0x1000, entry at
 * 0x1000. It writes "ok\n" and exits 0. User space.
 */
  .section .text
  .globl _start
_start:
  li a7, 64        /* write(1, msg, 3) */
  li a0, 1
  la a1, msg
  li a2, 3
  ecall
  li a7, 94        /* exit_group(0) */
  li a0, 0
  ecall
msg:
  .ascii "ok\n"
