/*
 * asm.h — constants shared by assembly and C: the trapframe layout and
 * page-table bits used by entry.S. The C structs carry static asserts
 * that keep them in step with these offsets (arch/riscv/trap.h).
 *
 * Layer: arch (constants only), included by the assembly files of arch/
 * (entry.S, trapvec.S, swtch.S) and by trap.h. No locks.
 */
#ifndef KITE_ASM_H
#define KITE_ASM_H

/* riscv.h's DIRECT_MAP_BASE, for assembly. */
#define DIRECT_MAP_BASE_ASM 0xffffffc000000000

/* V R W X G A D: a global kernel leaf mapping. */
#define PTE_KERNEL_LEAF 0xef

/* struct trapframe: pc and x1..x31 (the user_regs_struct order), then CSRs. */
#define TF_EPC 0
#define TF_RA 8
#define TF_SP 16
#define TF_GP 24
#define TF_TP 32
#define TF_T0 40
#define TF_T1 48
#define TF_T2 56
#define TF_S0 64
#define TF_S1 72
#define TF_A0 80
#define TF_A1 88
#define TF_A2 96
#define TF_A3 104
#define TF_A4 112
#define TF_A5 120
#define TF_A6 128
#define TF_A7 136
#define TF_S2 144
#define TF_S3 152
#define TF_S4 160
#define TF_S5 168
#define TF_S6 176
#define TF_S7 184
#define TF_S8 192
#define TF_S9 200
#define TF_S10 208
#define TF_S11 216
#define TF_T3 224
#define TF_T4 232
#define TF_T5 240
#define TF_T6 248
#define TF_SSTATUS 256
#define TF_STVAL 264
#define TF_SCAUSE 272
#define TF_ORIG_A0 280
#define TF_KERNEL_TP 288
#define TF_SIZE 304 /* multiple of 16: the stack stays aligned */

#endif
