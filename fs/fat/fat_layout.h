/*
 * fat_layout.h — FAT32 on disk: byte offsets of the boot sector, FSInfo,
 * directory entries and long-name slots, and little-endian accessors.
 * Private to the core (fs/fat/fat32.c, fs/fat/fat_dir.c).
 *
 * Disk layout:  [reserved: boot sector, FSInfo, backup boot sector ...]
 *               [FAT 0][FAT 1 ...][data: cluster 2, 3, ...]
 * The root directory is a cluster chain like any other directory.
 *
 * Layer: fs, the FAT32 core's lowest piece: constants and byte accessors,
 * no calls, no locks.
 */
#ifndef KITE_FAT_LAYOUT_H
#define KITE_FAT_LAYOUT_H

#include "fs/fat/fat_env.h"

/* ---- boot sector / BIOS parameter block ---- */
#define BPB_BYTES_PER_SEC 11   /* u16 */
#define BPB_SEC_PER_CLUS 13    /* u8 */
#define BPB_RESERVED 14        /* u16 */
#define BPB_NUM_FATS 16        /* u8 */
#define BPB_ROOT_ENTRIES 17    /* u16, 0 on FAT32 */
#define BPB_TOTAL16 19         /* u16 */
#define BPB_MEDIA 21           /* u8 */
#define BPB_FAT_SIZE16 22      /* u16, 0 on FAT32 */
#define BPB_TOTAL32 32         /* u32 */
#define BPB_FAT_SIZE32 36      /* u32 */
#define BPB_EXT_FLAGS 40       /* u16: bit 7 = only FAT (bits 0-3) is active */
#define BPB_FS_VERSION 42      /* u16, 0 */
#define BPB_ROOT_CLUSTER 44    /* u32 */
#define BPB_FSINFO 48          /* u16 */
#define BS_STATE 0x41          /* u8: bit 0 = volume not cleanly unmounted (Linux) */
#define BS_STATE_DIRTY 0x01

/* ---- FSInfo sector ---- */
#define FSI_LEAD_SIG 0         /* u32 0x41615252 */
#define FSI_STRUC_SIG 484      /* u32 0x61417272 */
#define FSI_FREE_COUNT 488     /* u32, 0xffffffff unknown */
#define FSI_NEXT_FREE 492      /* u32 */
#define FSI_TRAIL_SIG 508      /* u32 0xaa550000 */
#define FSI_LEAD_MAGIC 0x41615252u
#define FSI_STRUC_MAGIC 0x61417272u
#define FSI_TRAIL_MAGIC 0xaa550000u

/* ---- FAT entries (28 bits used; the top 4 are kept) ---- */
#define FAT_MASK 0x0fffffffu
#define FAT_FREE 0
#define FAT_BAD 0x0ffffff7u
#define FAT_EOC_MIN 0x0ffffff8u  /* anything >= ends a chain */
#define FAT_EOC 0x0fffffffu      /* what we write */

/* ---- directory entry (32 bytes) ---- */
#define DE_SIZE_BYTES 32
#define DE_NAME 0              /* 11 bytes: 8 + 3, space padded, upper case */
#define DE_ATTR 11
#define DE_LCASE 12            /* case flags (Windows NT, mtools) */
#define DE_CTIME_CS 13         /* creation time, 10 ms units (0..199) */
#define DE_CTIME 14
#define DE_CDATE 16
#define DE_ADATE 18
#define DE_CLUS_HI 20
#define DE_MTIME 22
#define DE_MDATE 24
#define DE_CLUS_LO 26
#define DE_FILE_SIZE 28
#define DE_END 0x00            /* name[0]: this and every later slot are free */
#define DE_DELETED 0xe5        /* name[0]: free slot */
#define DE_E5 0x05             /* name[0]: the name really starts with 0xe5 */
#define LCASE_BASE 0x08        /* show the base name in lower case */
#define LCASE_EXT 0x10         /* show the extension in lower case */

/* ---- long-name slot (VFAT): 13 UTF-16 units each, last part first ---- */
#define LFN_ORD 0              /* sequence number 1..20, | LFN_LAST on the first slot */
#define LFN_NAME1 1            /* 5 units */
#define LFN_ATTR 11            /* FAT_ATTR_LFN */
#define LFN_TYPE 12            /* 0 */
#define LFN_CSUM 13            /* checksum of the short name */
#define LFN_NAME2 14           /* 6 units */
#define LFN_CLUS 26            /* 0 */
#define LFN_NAME3 28           /* 2 units */
#define LFN_LAST 0x40
#define LFN_CHARS 13
#define LFN_MAX_SLOTS 20       /* 20 * 13 >= 255 */

/* Little-endian fields at p (any alignment): get16/get32 read one,
 * put16/put32 store v. */
static inline uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t get32(const uint8_t *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void put32(uint8_t *p, uint32_t v)
{
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

/* The first cluster an entry names. */
static inline uint32_t de_cluster(const uint8_t *e)
{
  return ((uint32_t)get16(e + DE_CLUS_HI) << 16 | get16(e + DE_CLUS_LO)) & FAT_MASK;
}
static inline void de_set_cluster(uint8_t *e, uint32_t c)
{
  put16(e + DE_CLUS_HI, (uint16_t)(c >> 16));
  put16(e + DE_CLUS_LO, (uint16_t)c);
}

#define FAT_MIN(a, b) ((a) < (b) ? (a) : (b))
#define FAT_MAX(a, b) ((a) > (b) ? (a) : (b))
#define FAT_DIV_UP(x, a) (((x) + (a) - 1) / (a))
#define FAT_ROUND_UP(x, a) (FAT_DIV_UP(x, a) * (a))

#endif
