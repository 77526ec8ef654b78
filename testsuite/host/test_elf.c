/* test_elf.c — ELF header checks, on real riscv64 binaries and damaged copies. */
#include "kern/elf.h"
#include "check.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  *len = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc(*len);
  if (fread(buf, 1, *len, f) != *len) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  return buf;
}

#define LIMIT 0x4000000000ULL

static int check_file(char *buf, size_t len)
{
  Elf64_Ehdr *eh = (Elf64_Ehdr *)buf;
  int r = elf_check_header(eh, len);
  if (r)
    return r;
  return elf_check_phdrs(eh, (Elf64_Phdr *)(buf + eh->e_phoff), len, LIMIT);
}

int main(int argc, char **argv)
{
  check_suite = "elf";
  if (argc < 3) {
    printf("usage: test_elf static-exec dynamic-exec\n");
    return 2;
  }
  size_t slen, dlen;
  char *s = read_file(argv[1], &slen), *d = read_file(argv[2], &dlen);
  CHECK("test binaries readable", s && d);
  if (!s || !d)
    CHECK_DONE();
  CHECK("static ET_EXEC accepted", check_file(s, slen) == 0 && ((Elf64_Ehdr *)s)->e_type == ET_EXEC);
  CHECK("dynamic executable accepted", check_file(d, dlen) == 0);
  bool interp = false;
  Elf64_Ehdr *dh = (Elf64_Ehdr *)d;
  Elf64_Phdr *dph = (Elf64_Phdr *)(d + dh->e_phoff);
  for (int i = 0; i < dh->e_phnum; i++)
    if (dph[i].p_type == PT_INTERP && !strcmp(d + dph[i].p_offset, "/lib/ld-musl-riscv64.so.1"))
      interp = true;
  CHECK("dynamic executable asks for musl's loader", interp);
  uint64_t lo, hi;
  Elf64_Ehdr *sh = (Elf64_Ehdr *)s;
  elf_load_span(sh, (Elf64_Phdr *)(s + sh->e_phoff), &lo, &hi);
  CHECK("load span of a static program starts at 0x10000", lo == 0x10000 && hi > lo);

  char *c = malloc(slen);
  Elf64_Ehdr *ch = (Elf64_Ehdr *)c;
#define DAMAGED(what, mutate)                          \
  do {                                                 \
    memcpy(c, s, slen);                                \
    mutate;                                            \
    CHECK("rejects " what, check_file(c, slen) != 0);  \
  } while (0)
  DAMAGED("bad magic", c[1] = 'X');
  DAMAGED("32-bit class", c[4] = 1);
  DAMAGED("big endian", c[5] = 2);
  DAMAGED("another machine", ch->e_machine = 62);
  DAMAGED("a relocatable object", ch->e_type = 1);
  DAMAGED("too many program headers", ch->e_phnum = 1000);
  DAMAGED("program headers past the end", ch->e_phoff = slen - 8);
  DAMAGED("wrong phentsize", ch->e_phentsize = 32);
  Elf64_Phdr *cph;
#define FIRST_LOAD                                                         \
  cph = (Elf64_Phdr *)(c + ch->e_phoff);                                   \
  while (cph->p_type != PT_LOAD) cph++;
  DAMAGED("a segment past the end of the file", { FIRST_LOAD; cph->p_filesz = slen * 2; cph->p_memsz = slen * 2; });
  DAMAGED("filesz larger than memsz", { FIRST_LOAD; cph->p_memsz = cph->p_filesz - 1; });
  DAMAGED("a segment wrapping around", { FIRST_LOAD; cph->p_vaddr = ~0ULL - 100; });
  DAMAGED("a segment above user space", { FIRST_LOAD; cph->p_vaddr = LIMIT; });
  DAMAGED("offset and address disagreeing mod page", { FIRST_LOAD; cph->p_vaddr += 8; });
  CHECK("a truncated header is rejected", elf_check_header((Elf64_Ehdr *)s, 20) != 0);
  free(c);
  free(s);
  free(d);
  CHECK_DONE();
}
