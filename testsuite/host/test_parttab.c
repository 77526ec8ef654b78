/*
 * test_parttab.c — drivers/parttab.c on disk images built here in memory:
 * MBR primaries, extended chains (and a looping one), GPT (protective and
 * hybrid MBR, bad CRCs, more than 15 entries), partitions past the end of
 * the disk, and the boot sector of a file system. Optional arguments are
 * image files that must have no partition table (mkfs.vfat, mkfs.ext4).
 */
#include "check.h"
#include "drivers/parttab.h"
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#define SECTORS 65536   /* a 32 MiB disk */

struct found {
  int n;
  int partno[300];
  uint64_t start[300], size[300];
};

static uint8_t *disk;
static uint64_t disk_sectors;

static int rd(void *dev, uint64_t sector, void *buf, uint32_t count)
{
  (void)dev;
  if (sector + count > disk_sectors)
    return -5;
  memcpy(buf, disk + sector * 512, (size_t)count * 512);
  return 0;
}

static void add(void *arg, int partno, uint64_t start, uint64_t size)
{
  struct found *f = arg;
  f->partno[f->n] = partno;
  f->start[f->n] = start;
  f->size[f->n] = size;
  f->n++;
}

static void *al(uint64_t n) { return malloc(n); }

static int scan(struct found *f)
{
  memset(f, 0, sizeof(*f));
  return parttab_scan(NULL, disk_sectors, rd, add, f, al, free);
}

static void put32(uint8_t *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = v >> (8 * i); }
static void put64(uint8_t *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = v >> (8 * i); }

static void fresh(void)
{
  disk_sectors = SECTORS;
  memset(disk, 0, SECTORS * 512);
}

/* An MBR-style entry in the sector at `sector`, slot 0..3. */
static void mbr_entry(uint64_t sector, int slot, uint8_t flag, uint8_t type, uint32_t start, uint32_t n)
{
  uint8_t *s = disk + sector * 512;
  uint8_t *e = s + 446 + 16 * slot;
  e[0] = flag;
  e[4] = type;
  put32(e + 8, start);
  put32(e + 12, n);
  s[510] = 0x55;
  s[511] = 0xaa;
}

static int has(struct found *f, int partno, uint64_t start, uint64_t size)
{
  for (int i = 0; i < f->n; i++)
    if (f->partno[i] == partno)
      return f->start[i] == start && f->size[i] == size;
  return 0;
}

/* A GPT with `n` entry slots; entries filled by gpt_entry(), then gpt_seal(). */
static void gpt_begin(uint32_t nentries)
{
  fresh();
  mbr_entry(0, 0, 0, 0xee, 1, SECTORS - 1);
  uint8_t *h = disk + 512;
  memcpy(h, "EFI PART", 8);
  put32(h + 8, 0x00010000);
  put32(h + 12, 92);
  put64(h + 24, 1);
  put64(h + 32, SECTORS - 1);
  put64(h + 40, 34);
  put64(h + 48, SECTORS - 34);
  put64(h + 72, 2);
  put32(h + 80, nentries);
  put32(h + 84, 128);
}

static void gpt_entry(int i, uint64_t first, uint64_t last)
{
  uint8_t *e = disk + 1024 + 128 * i;
  for (int k = 0; k < 16; k++)
    e[k] = 0x10 + k;  /* some non-zero type GUID */
  e[16] = (uint8_t)i;
  put64(e + 32, first);
  put64(e + 40, last);
}

static void gpt_seal(void)
{
  uint8_t *h = disk + 512;
  uint32_t n = h[80] | h[81] << 8 | h[82] << 16 | (uint32_t)h[83] << 24;
  put32(h + 88, parttab_crc32(0, disk + 1024, (uint64_t)n * 128));
  put32(h + 16, 0);
  put32(h + 16, parttab_crc32(0, h, 92));
}

static void file_without_table(const char *path)
{
  FILE *fp = fopen(path, "rb");
  char what[300];
  snprintf(what, sizeof(what), "no table on %s", strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
  if (!fp) {
    CHECK(what, 0);
    return;
  }
  fresh();
  size_t got = fread(disk, 1, SECTORS * 512, fp);
  fclose(fp);
  struct found f;
  int kind = scan(&f);
  CHECK(what, got >= 4096 && kind != PARTTAB_GPT && f.n == 0);
}

int main(int argc, char **argv)
{
  check_suite = "parttab";
  disk = malloc((size_t)SECTORS * 512);
  struct found f;

  CHECK("crc32 of \"123456789\" is cbf43926", parttab_crc32(0, "123456789", 9) == 0xcbf43926);

  fresh();
  CHECK("an empty disk has no table", scan(&f) == PARTTAB_NONE && f.n == 0);

  fresh();
  mbr_entry(0, 0, 0x80, 0x83, 2048, 10000);
  mbr_entry(0, 2, 0, 0x0c, 20000, 5000);
  CHECK("MBR: primaries keep their slot numbers (1 and 3)",
        scan(&f) == PARTTAB_MBR && f.n == 2 && has(&f, 1, 2048, 10000) && has(&f, 3, 20000, 5000));

  fresh();
  mbr_entry(0, 0, 0, 0x83, 2048, 4096);
  mbr_entry(0, 1, 0, 0x05, 8192, 30000);       /* extended: 8192 .. 38191 */
  mbr_entry(8192, 0, 0, 0x83, 63, 1000);        /* logical 5 at 8255 */
  mbr_entry(8192, 1, 0, 0x05, 2000, 3000);      /* next EBR at 8192 + 2000 */
  mbr_entry(10192, 0, 0, 0x83, 63, 2000);       /* logical 6 at 10255 */
  mbr_entry(10192, 1, 0, 0x05, 6000, 20000);    /* next EBR at 14192 */
  mbr_entry(14192, 0, 0, 0x0b, 2048, 4000);     /* logical 7 at 16240 */
  int k = scan(&f);
  CHECK("MBR extended: the extended partition is 2 sectors, logicals are 5, 6, 7",
        k == PARTTAB_MBR && f.n == 5 && has(&f, 1, 2048, 4096) && has(&f, 2, 8192, 2) &&
            has(&f, 5, 8255, 1000) && has(&f, 6, 10255, 2000) && has(&f, 7, 16240, 4000));

  fresh();
  mbr_entry(0, 0, 0, 0x0f, 4096, 10000);
  mbr_entry(4096, 0, 0, 0x83, 1, 10);
  mbr_entry(4096, 1, 0, 0x05, 0, 10000);        /* the next EBR is this one again */
  k = scan(&f);
  CHECK("MBR extended: a looping chain ends (Linux's 100-link guard)",
        k == PARTTAB_MBR && f.n > 2 && f.n < 300 && has(&f, 5, 4097, 10));

  fresh();
  mbr_entry(0, 0, 0, 0x83, 2048, 1000);
  mbr_entry(0, 1, 0, 0x83, SECTORS + 10, 1000);  /* starts past the end */
  mbr_entry(0, 2, 0, 0x83, SECTORS - 100, 1000); /* runs past the end */
  k = scan(&f);
  CHECK("MBR: a partition past the end is dropped, one running past it is cut",
        k == PARTTAB_MBR && f.n == 2 && has(&f, 1, 2048, 1000) && has(&f, 3, SECTORS - 100, 100));

  fresh();
  mbr_entry(0, 0, 0, 0x83, 2048, 1000);
  disk[446 + 16] = 0x12;                         /* a boot flag that is neither 0 nor 0x80 */
  CHECK("MBR: a bad boot flag means a boot sector, not a table", scan(&f) == PARTTAB_NONE && f.n == 0);

  gpt_begin(128);
  gpt_entry(0, 2048, 4095);
  gpt_entry(1, 4096, 20479);
  gpt_entry(3, 20480, SECTORS - 34);
  gpt_seal();
  k = scan(&f);
  CHECK("GPT: entries 1, 2 and 4 become partitions 1, 2, 4",
        k == PARTTAB_GPT && f.n == 3 && has(&f, 1, 2048, 2048) && has(&f, 2, 4096, 16384) &&
            has(&f, 4, 20480, SECTORS - 34 - 20480 + 1));

  disk[512 + 40] ^= 1;                           /* header changed after sealing */
  CHECK("GPT: a bad header CRC means no partitions (not even the MBR's)",
        scan(&f) == PARTTAB_NONE && f.n == 0);

  gpt_begin(128);
  gpt_entry(0, 2048, 4095);
  gpt_seal();
  disk[1024 + 32] ^= 1;                          /* entry changed after sealing */
  CHECK("GPT: a bad entry-array CRC means no partitions", scan(&f) == PARTTAB_NONE && f.n == 0);

  gpt_begin(128);
  gpt_entry(0, 2048, 4095);
  gpt_seal();
  memset(disk + 446, 0, 64);                     /* no protective MBR */
  CHECK("GPT: without a protective MBR it is not read", scan(&f) != PARTTAB_GPT && f.n == 0);

  gpt_begin(128);
  gpt_entry(0, 2048, 4095);
  gpt_seal();
  mbr_entry(0, 1, 0, 0x0c, 2048, 2048);          /* hybrid MBR */
  CHECK("GPT: a hybrid MBR is accepted; the GPT wins", scan(&f) == PARTTAB_GPT && f.n == 1 &&
        has(&f, 1, 2048, 2048));

  gpt_begin(128);
  for (int i = 0; i < 20; i++)
    gpt_entry(i, 2048 + 100 * i, 2048 + 100 * i + 99);
  gpt_entry(21, 40000, SECTORS + 5);             /* ends past the last LBA: skipped */
  gpt_seal();
  CHECK("GPT: 20 partitions, numbered 1..20; an entry past the end is skipped",
        scan(&f) == PARTTAB_GPT && f.n == 20 && has(&f, 20, 2048 + 1900, 100));

  for (int i = 1; i < argc; i++)
    file_without_table(argv[i]);
  free(disk);
  CHECK_DONE();
}
