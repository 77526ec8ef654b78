/*
 * parttab.h — reading partition tables: MBR (with extended and logical
 * partitions) and GPT. Pure logic, host-testable
 * (testsuite/host/test_parttab.c); drivers/blk.c turns what it finds into
 * block devices (/dev/vda1, ...). See docs/block.md.
 *
 * The rules are Linux's (block/partitions/efi.c and msdos.c), so a disk
 * shows the same partitions, numbered the same way, on Kite and on Linux:
 *   - GPT is tried first. It needs a protective (or hybrid) MBR, and a
 *     primary header at LBA 1 whose CRC, own LBA, usable range, entry size
 *     and entry-array CRC are all right; the backup is not used when the
 *     primary is bad. Entry i (type GUID not zero, inside the disk) is
 *     partition i + 1.
 *   - MBR: 0x55AA at 510, every boot flag 0 or 0x80 (otherwise it is a
 *     file system's boot sector, not a table). Primary entries are 1..4;
 *     an extended entry (types 0x05, 0x0f, 0x85) is itself a 2-sector
 *     partition, and its chain of EBRs gives logical partitions 5, 6, ...
 *   - A partition starting past the end of the disk is dropped; one running
 *     past the end is cut there.
 *
 * Layer: drivers, pure logic (drivers/parttab.c calls nothing). Above:
 * drivers/blk.c, which reads the sectors and registers the partitions.
 * No locks.
 */
#ifndef KITE_PARTTAB_H
#define KITE_PARTTAB_H

#include <stdint.h>
#include <stdbool.h>

#define PARTTAB_SECTOR 512
#define PARTTAB_MAX_PARTS 256   /* partition numbers 1 .. 255, as Linux's DISK_MAX_PARTS */
#define PARTTAB_MAX_EBRS 100    /* links followed in an extended chain (Linux's loop guard) */
#define PARTTAB_MAX_GPT_ENTRIES_BYTES (1u << 20)  /* a bigger entry array is refused */

enum parttab_kind { PARTTAB_NONE, PARTTAB_MBR, PARTTAB_GPT };

/* Read `count` 512-byte sectors at `sector` into buf; 0 or a negative errno. */
typedef int (*parttab_read_fn)(void *dev, uint64_t sector, void *buf, uint32_t count);
/* One partition found: number (1..), first sector, length in sectors. */
typedef void (*parttab_add_fn)(void *arg, int partno, uint64_t start, uint64_t nsectors);

/*
 * Scan the disk `dev` of `nsectors` sectors, calling add() for each
 * partition found (GPT: in entry order; MBR: primaries, then logicals).
 * Every buffer handed to read() comes from alloc() (the kernel's kmalloc:
 * contiguous memory a driver can transfer into) and goes back to free_fn().
 * Returns the kind of table found (PARTTAB_NONE: the disk has none and is
 * used whole), or -ENOMEM. A sector that cannot be read ends the scan as
 * Linux's does: what was found so far stands.
 */
int parttab_scan(void *dev, uint64_t nsectors, parttab_read_fn read, parttab_add_fn add, void *arg,
                 void *(*alloc)(uint64_t bytes), void (*free_fn)(void *p));

/* CRC-32 (IEEE 802.3, reflected, as zlib and the GPT use): crc32(0, p, n). */
uint32_t parttab_crc32(uint32_t crc, const void *p, uint64_t n);

#endif
