/*
 * elf.c — checks on ELF headers before the loader trusts them.
 *
 * Layer: core, pure logic (host-testable). Above: fs/exec.c, which
 * reads the headers from the file and maps the segments. No locks.
 */
#include "kern/elf.h"

#define ENOEXEC 8
#define EINVAL 22
#define ELF_PAGE 4096ULL

int elf_check_header(const Elf64_Ehdr *eh, uint64_t file_size)
{
  if (file_size < sizeof(Elf64_Ehdr))
    return -ENOEXEC;
  const unsigned char *id = eh->e_ident;
  if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
    return -ENOEXEC;
  if (id[4] != 2 /* ELFCLASS64 */ || id[5] != 1 /* little endian */)
    return -ENOEXEC;
  if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
    return -ENOEXEC;
  if (eh->e_machine != EM_RISCV)
    return -ENOEXEC;
  if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 || eh->e_phnum > ELF_MAX_PHNUM)
    return -ENOEXEC;
  uint64_t end = eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
  if (end < eh->e_phoff || end > file_size)
    return -ENOEXEC;
  return 0;
}

int elf_check_phdrs(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, uint64_t file_size,
                    uint64_t addr_limit)
{
  int loads = 0;
  for (int i = 0; i < eh->e_phnum; i++) {
    const Elf64_Phdr *p = &ph[i];
    if (p->p_type == PT_INTERP) {
      if (p->p_filesz < 2 || p->p_filesz > 4096 || p->p_offset + p->p_filesz > file_size ||
          p->p_offset + p->p_filesz < p->p_offset)
        return -ENOEXEC;
    }
    if (p->p_type != PT_LOAD)
      continue;
    loads++;
    if (p->p_filesz > p->p_memsz)
      return -ENOEXEC;
    if (p->p_offset + p->p_filesz < p->p_offset || p->p_offset + p->p_filesz > file_size)
      return -ENOEXEC;
    if (p->p_vaddr + p->p_memsz < p->p_vaddr || p->p_vaddr + p->p_memsz > addr_limit)
      return -ENOEXEC;
    /* vaddr and offset must agree modulo the page size to be mappable */
    if ((p->p_vaddr % ELF_PAGE) != (p->p_offset % ELF_PAGE))
      return -ENOEXEC;
  }
  return loads ? 0 : -ENOEXEC;
}

void elf_load_span(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, uint64_t *lo, uint64_t *hi)
{
  uint64_t l = UINT64_MAX, h = 0;
  for (int i = 0; i < eh->e_phnum; i++) {
    if (ph[i].p_type != PT_LOAD)
      continue;
    uint64_t s = ph[i].p_vaddr & ~(ELF_PAGE - 1);
    uint64_t e = (ph[i].p_vaddr + ph[i].p_memsz + ELF_PAGE - 1) & ~(ELF_PAGE - 1);
    if (s < l)
      l = s;
    if (e > h)
      h = e;
  }
  *lo = l == UINT64_MAX ? 0 : l;
  *hi = h;
}
