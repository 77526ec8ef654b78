/*
 * elf.h — the ELF64 structures Kite reads, and header checks.
 * elf.c is pure logic, host-testable (testsuite/host/test_elf.c).
 *
 * Layer: core. Above: fs/exec.c (the loader), testsuite/host. No locks.
 */
#ifndef KITE_ELF_H
#define KITE_ELF_H

#include <stdint.h>
#include <stddef.h>

#define EI_NIDENT 16
#define ET_EXEC 2
#define ET_DYN 3
#define EM_RISCV 243
#define PT_NULL 0
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PT_PHDR 6
#define PT_TLS 7
#define PT_GNU_STACK 0x6474e551
#define PF_X 1
#define PF_W 2
#define PF_R 4

typedef struct {
  unsigned char e_ident[EI_NIDENT];
  uint16_t e_type, e_machine;
  uint32_t e_version;
  uint64_t e_entry, e_phoff, e_shoff;
  uint32_t e_flags;
  uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} Elf64_Ehdr;

typedef struct {
  uint32_t p_type, p_flags;
  uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
} Elf64_Phdr;

#define ELF_MAX_PHNUM 64

/* Check an ELF header for a loadable riscv64 program; 0 or a negative errno. */
int elf_check_header(const Elf64_Ehdr *eh, uint64_t file_size);
/* Check a program header table: every PT_LOAD is sane (sizes, overlap with
 * the file, no wrap-around, address below `addr_limit`). */
int elf_check_phdrs(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, uint64_t file_size,
                    uint64_t addr_limit);
/* The span [lo, hi) of all PT_LOAD segments (page aligned). */
void elf_load_span(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, uint64_t *lo, uint64_t *hi);

#endif
