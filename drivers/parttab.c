/*
 * parttab.c — MBR and GPT partition tables (the rules are in parttab.h).
 * Layer: pure logic under drivers/blk.c, which supplies the sector reader
 * and makes a block device of each partition found. No locks, no state.
 *
 * On-disk layouts (little-endian):
 *   MBR sector 0: boot code, 4 entries of 16 bytes at 446, 0x55 0xAA at 510.
 *     entry: +0 boot flag, +4 type, +8 first sector (u32), +12 sectors (u32).
 *     An extended entry points at a chain of EBRs laid out like an MBR:
 *     entry 1 = a logical partition (relative to its EBR), entry 2 = the
 *     next EBR (relative to the start of the extended partition).
 *   GPT: sector 0 a protective MBR (type 0xee starting at LBA 1); the header
 *     at LBA 1: "EFI PART", revision, header size (+12), header CRC (+16),
 *     my LBA (+24), alternate LBA (+32), first/last usable LBA (+40, +48),
 *     disk GUID (+56), entry-array LBA (+72), entry count (+80), entry size
 *     (+84), entry-array CRC (+88). An entry: type GUID (+0, 16 bytes),
 *     unique GUID, first LBA (+32), last LBA (+40, inclusive), attributes,
 *     UTF-16 name.
 */
#include "drivers/parttab.h"
#include <string.h>

#define MBR_TABLE 446
#define MBR_ENTRY 16
#define GPT_HEADER_MIN 92
#define GPT_ENTRY_SIZE 128
#define TYPE_GPT_PROTECTIVE 0xee

static uint32_t le32(const uint8_t *p)
{
  return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
  return le32(p) | (uint64_t)le32(p + 4) << 32;
}

uint32_t parttab_crc32(uint32_t crc, const void *p, uint64_t n)
{
  const uint8_t *s = p;
  crc = ~crc;
  while (n--) {
    crc ^= *s++;
    for (int k = 0; k < 8; k++)
      crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
  }
  return ~crc;
}

struct scan {
  void *dev;
  uint64_t nsectors;
  parttab_read_fn read;
  parttab_add_fn add;
  void *arg;
  void *(*alloc)(uint64_t bytes);
  void (*free_fn)(void *p);
  uint8_t *sec;              /* one sector of scratch */
};

/* Report a partition, cut to the disk as Linux does (parttab.h). */
static void put(struct scan *s, int partno, uint64_t start, uint64_t size)
{
  if (partno <= 0 || partno >= PARTTAB_MAX_PARTS || size == 0 || start >= s->nsectors)
    return;
  if (start + size > s->nsectors || start + size < start)
    size = s->nsectors - start;
  s->add(s->arg, partno, start, size);
}

static int read_sector(struct scan *s, uint64_t sector)
{
  if (sector >= s->nsectors)
    return -1;
  return s->read(s->dev, sector, s->sec, 1) ? -1 : 0;
}

static bool has_55aa(const uint8_t *sec)
{
  return sec[510] == 0x55 && sec[511] == 0xaa;
}

static bool is_extended(uint8_t type)
{
  return type == 0x05 || type == 0x0f || type == 0x85;
}

/* ---- GPT ---- */

/* Is sector 0 (in s->sec) a protective or hybrid MBR? */
static bool pmbr_valid(const uint8_t *mbr)
{
  if (!has_55aa(mbr))
    return false;
  for (int i = 0; i < 4; i++) {
    const uint8_t *e = mbr + MBR_TABLE + i * MBR_ENTRY;
    if (e[4] == TYPE_GPT_PROTECTIVE && le32(e + 8) == 1)
      return true;
  }
  return false;
}

/* The primary GPT: 1 if valid (partitions reported), 0 if not, <0 on error. */
static int gpt_scan(struct scan *s)
{
  if (read_sector(s, 0) || !pmbr_valid(s->sec))
    return 0;
  if (read_sector(s, 1))
    return 0;
  uint8_t *h = s->sec;
  uint64_t lastlba = s->nsectors - 1;
  uint32_t hsize = le32(h + 12);
  if (memcmp(h, "EFI PART", 8) != 0 || hsize > PARTTAB_SECTOR || hsize < GPT_HEADER_MIN)
    return 0;
  uint32_t want = le32(h + 16);
  memset(h + 16, 0, 4);
  if (parttab_crc32(0, h, hsize) != want)
    return 0;
  uint64_t first_usable = le64(h + 40), last_usable = le64(h + 48);
  if (le64(h + 24) != 1 || first_usable > lastlba || last_usable > lastlba ||
      last_usable < first_usable || le32(h + 84) != GPT_ENTRY_SIZE)
    return 0;
  uint64_t nentries = le32(h + 80), array_lba = le64(h + 72);
  uint32_t array_crc = le32(h + 88);
  uint64_t bytes = nentries * GPT_ENTRY_SIZE;
  if (bytes == 0 || bytes > PARTTAB_MAX_GPT_ENTRIES_BYTES || !s->alloc)
    return 0;
  uint64_t nsec = (bytes + PARTTAB_SECTOR - 1) / PARTTAB_SECTOR;
  if (array_lba >= s->nsectors || array_lba + nsec > s->nsectors)
    return 0;
  uint8_t *ptes = s->alloc(nsec * PARTTAB_SECTOR);
  if (!ptes)
    return -12; /* ENOMEM */
  int r = 0;
  if (s->read(s->dev, array_lba, ptes, (uint32_t)nsec) || parttab_crc32(0, ptes, bytes) != array_crc)
    goto out;
  r = 1;
  static const uint8_t zero_guid[16];
  for (uint64_t i = 0; i < nentries && i < PARTTAB_MAX_PARTS - 1; i++) {
    const uint8_t *e = ptes + i * GPT_ENTRY_SIZE;
    uint64_t first = le64(e + 32), last = le64(e + 40);
    if (memcmp(e, zero_guid, 16) == 0 || first > lastlba || last > lastlba)
      continue;
    put(s, (int)i + 1, first, last - first + 1);
  }
out:
  s->free_fn(ptes);
  return r;
}

/* ---- MBR ---- */

/* The logical partitions in the extended partition [first, first + size). */
static void mbr_extended(struct scan *s, uint64_t first, uint64_t size, int *next)
{
  uint64_t this_sector = first, this_size = size;
  int loops = 0;
  for (;;) {
    if (++loops > PARTTAB_MAX_EBRS || *next >= PARTTAB_MAX_PARTS)
      return;
    if (read_sector(s, this_sector) || !has_55aa(s->sec))
      return;
    uint8_t ebr[4 * MBR_ENTRY];
    memcpy(ebr, s->sec + MBR_TABLE, sizeof(ebr));
    /* data partitions first (usually entry 1; entries 3 and 4 only if sane) */
    for (int i = 0; i < 4; i++) {
      const uint8_t *e = ebr + i * MBR_ENTRY;
      uint64_t offs = le32(e + 8), n = le32(e + 12), at = this_sector + offs;
      if (!n || is_extended(e[4]))
        continue;
      if (i >= 2 && (offs + n > this_size || at < first || at + n > first + size))
        continue;
      put(s, *next, at, n);
      loops = 0;
      if (++*next >= PARTTAB_MAX_PARTS)
        return;
    }
    /* then the link to the next EBR */
    int i;
    for (i = 0; i < 4; i++)
      if (le32(ebr + i * MBR_ENTRY + 12) && is_extended(ebr[i * MBR_ENTRY + 4]))
        break;
    if (i == 4)
      return;
    this_sector = first + le32(ebr + i * MBR_ENTRY + 8);
    this_size = le32(ebr + i * MBR_ENTRY + 12);
  }
}

/* 1 if sector 0 is an MBR partition table (partitions reported), else 0. */
static int mbr_scan(struct scan *s)
{
  if (read_sector(s, 0) || !has_55aa(s->sec))
    return 0;
  uint8_t mbr[4 * MBR_ENTRY];
  memcpy(mbr, s->sec + MBR_TABLE, sizeof(mbr));
  for (int i = 0; i < 4; i++) {
    uint8_t flag = mbr[i * MBR_ENTRY];
    if (flag != 0 && flag != 0x80)
      return 0; /* a boot sector (a FAT file system, say), not a table */
  }
  for (int i = 0; i < 4; i++)
    if (mbr[i * MBR_ENTRY + 4] == TYPE_GPT_PROTECTIVE)
      return 0; /* a GPT disk whose GPT is not valid */
  int next = 5;
  for (int slot = 1; slot <= 4; slot++) {
    const uint8_t *e = mbr + (slot - 1) * MBR_ENTRY;
    uint64_t start = le32(e + 8), size = le32(e + 12);
    if (!size)
      continue;
    if (is_extended(e[4])) {
      put(s, slot, start, size < 2 ? size : 2); /* the extended partition itself: 1 KiB */
      mbr_extended(s, start, size, &next);
      continue;
    }
    put(s, slot, start, size);
  }
  return 1;
}

int parttab_scan(void *dev, uint64_t nsectors, parttab_read_fn read, parttab_add_fn add, void *arg,
                 void *(*alloc)(uint64_t bytes), void (*free_fn)(void *p))
{
  uint8_t *scratch = alloc ? alloc(PARTTAB_SECTOR) : NULL;
  if (!scratch)
    return -12; /* ENOMEM */
  struct scan s = { dev, nsectors, read, add, arg, alloc, free_fn, scratch };
  int r = PARTTAB_NONE;
  if (nsectors >= 2) {
    int g = gpt_scan(&s);
    if (g < 0)
      r = g;
    else if (g)
      r = PARTTAB_GPT;
    else if (mbr_scan(&s))
      r = PARTTAB_MBR;
  }
  free_fn(scratch);
  return r;
}
