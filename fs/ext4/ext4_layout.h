/*
 * ext4_layout.h — ext4 and jbd2 on disk: the structures, their fields and
 * flags, as the kernel's "ext4 Data Structures and Algorithms" describes
 * them. Private to the core (fs/ext4/ext4_*.c). docs/ext4.md draws them.
 * Layer: fs, the core's lowest piece: structures and constants, no calls,
 * no locks.
 *
 * ext4 fields are little-endian, jbd2 (journal) fields big-endian. Kite
 * runs little-endian only (riscv64, and x86-64 for the host tests), so the
 * ext4 structures are read in place; jbd2 fields go through be32().
 *
 * Disk layout (block size 1, 2 or 4 KiB; first_data_block is 1 for 1 KiB):
 *   [boot 1 KiB][superblock 1 KiB] group descriptors, reserved GDT blocks,
 *   then per group (or per flex group of 2^n groups): block bitmaps, inode
 *   bitmaps, inode tables, then data. Groups 0, 1 and powers of 3, 5, 7
 *   carry backup copies of the superblock and descriptors (sparse_super).
 */
#ifndef KITE_EXT4_LAYOUT_H
#define KITE_EXT4_LAYOUT_H

#include "fs/ext4/ext4_env.h"

#define EXT4_PACKED __attribute__((packed))

/* ---- the superblock: 1024 bytes at byte 1024 ---- */
#define EXT4_SUPER_OFFSET 1024
#define EXT4_SUPER_MAGIC 0xEF53

struct ext4_super {
  uint32_t s_inodes_count;          /* 0x00 */
  uint32_t s_blocks_count_lo;
  uint32_t s_r_blocks_count_lo;
  uint32_t s_free_blocks_count_lo;
  uint32_t s_free_inodes_count;     /* 0x10 */
  uint32_t s_first_data_block;
  uint32_t s_log_block_size;        /* block size = 1024 << this */
  uint32_t s_log_cluster_size;
  uint32_t s_blocks_per_group;      /* 0x20 */
  uint32_t s_clusters_per_group;
  uint32_t s_inodes_per_group;
  uint32_t s_mtime;
  uint32_t s_wtime;                 /* 0x30 */
  uint16_t s_mnt_count;
  uint16_t s_max_mnt_count;
  uint16_t s_magic;
  uint16_t s_state;                 /* EXT4_STATE_* */
  uint16_t s_errors;
  uint16_t s_minor_rev_level;
  uint32_t s_lastcheck;             /* 0x40 */
  uint32_t s_checkinterval;
  uint32_t s_creator_os;
  uint32_t s_rev_level;
  uint16_t s_def_resuid;            /* 0x50 */
  uint16_t s_def_resgid;
  uint32_t s_first_ino;
  uint16_t s_inode_size;
  uint16_t s_block_group_nr;
  uint32_t s_feature_compat;
  uint32_t s_feature_incompat;      /* 0x60 */
  uint32_t s_feature_ro_compat;
  uint8_t s_uuid[16];               /* 0x68 */
  char s_volume_name[16];           /* 0x78 */
  char s_last_mounted[64];          /* 0x88 */
  uint32_t s_algorithm_usage_bitmap; /* 0xC8 */
  uint8_t s_prealloc_blocks;
  uint8_t s_prealloc_dir_blocks;
  uint16_t s_reserved_gdt_blocks;
  uint8_t s_journal_uuid[16];       /* 0xD0 */
  uint32_t s_journal_inum;          /* 0xE0 */
  uint32_t s_journal_dev;
  uint32_t s_last_orphan;           /* head of the orphan inode list */
  uint32_t s_hash_seed[4];          /* 0xEC */
  uint8_t s_def_hash_version;       /* 0xFC */
  uint8_t s_jnl_backup_type;
  uint16_t s_desc_size;
  uint32_t s_default_mount_opts;    /* 0x100 */
  uint32_t s_first_meta_bg;
  uint32_t s_mkfs_time;
  uint32_t s_jnl_blocks[17];        /* 0x10C */
  uint32_t s_blocks_count_hi;       /* 0x150 */
  uint32_t s_r_blocks_count_hi;
  uint32_t s_free_blocks_count_hi;
  uint16_t s_min_extra_isize;
  uint16_t s_want_extra_isize;
  uint32_t s_flags;                 /* 0x160: EXT4_FLAGS_* */
  uint16_t s_raid_stride;
  uint16_t s_mmp_interval;
  uint64_t s_mmp_block;
  uint32_t s_raid_stripe_width;     /* 0x170 */
  uint8_t s_log_groups_per_flex;
  uint8_t s_checksum_type;          /* 1: crc32c */
  uint8_t s_encryption_level;
  uint8_t s_reserved_pad;
  uint64_t s_kbytes_written;        /* 0x178 */
  uint8_t s_snapshot_etc[0x194 - 0x180];
  uint32_t s_error_count;           /* 0x194 */
  uint8_t s_errors_etc[0x240 - 0x198];
  uint32_t s_usr_quota_inum;        /* 0x240 */
  uint32_t s_grp_quota_inum;
  uint32_t s_overhead_clusters;
  uint32_t s_backup_bgs[2];         /* sparse_super2 */
  uint8_t s_encrypt_algos[4];
  uint8_t s_encrypt_pw_salt[16];
  uint32_t s_lpf_ino;               /* 0x268 */
  uint32_t s_prj_quota_inum;
  uint32_t s_checksum_seed;         /* 0x270 */
  uint8_t s_times_hi[6];            /* wtime, mtime, mkfs, lastcheck, first/last error */
  uint8_t s_error_codes[2];
  uint16_t s_encoding;              /* 0x27C */
  uint16_t s_encoding_flags;
  uint32_t s_orphan_file_inum;      /* 0x280 */
  uint32_t s_reserved[94];
  uint32_t s_checksum;              /* 0x3FC: crc32c of the 1020 bytes before */
} EXT4_PACKED;
_Static_assert(sizeof(struct ext4_super) == 1024, "ext4_super");

#define EXT4_STATE_VALID 0x0001     /* cleanly unmounted */
#define EXT4_STATE_ERROR 0x0002
#define EXT4_STATE_ORPHANS 0x0004   /* orphans being recovered */
#define EXT4_FLAGS_SIGNED_HASH 0x0001
#define EXT4_FLAGS_UNSIGNED_HASH 0x0002

/* compatible features: an implementation may ignore them */
#define EXT4_COMPAT_DIR_PREALLOC 0x0001
#define EXT4_COMPAT_IMAGIC_INODES 0x0002
#define EXT4_COMPAT_HAS_JOURNAL 0x0004
#define EXT4_COMPAT_EXT_ATTR 0x0008
#define EXT4_COMPAT_RESIZE_INODE 0x0010
#define EXT4_COMPAT_DIR_INDEX 0x0020
#define EXT4_COMPAT_SPARSE_SUPER2 0x0200
#define EXT4_COMPAT_FAST_COMMIT 0x0400
#define EXT4_COMPAT_STABLE_INODES 0x0800
#define EXT4_COMPAT_ORPHAN_FILE 0x1000
/* incompatible features: an implementation must know them to mount at all */
#define EXT4_INCOMPAT_COMPRESSION 0x0001
#define EXT4_INCOMPAT_FILETYPE 0x0002
#define EXT4_INCOMPAT_RECOVER 0x0004      /* the journal needs replaying */
#define EXT4_INCOMPAT_JOURNAL_DEV 0x0008
#define EXT4_INCOMPAT_META_BG 0x0010
#define EXT4_INCOMPAT_EXTENTS 0x0040
#define EXT4_INCOMPAT_64BIT 0x0080
#define EXT4_INCOMPAT_MMP 0x0100
#define EXT4_INCOMPAT_FLEX_BG 0x0200
#define EXT4_INCOMPAT_EA_INODE 0x0400
#define EXT4_INCOMPAT_DIRDATA 0x1000
#define EXT4_INCOMPAT_CSUM_SEED 0x2000
#define EXT4_INCOMPAT_LARGEDIR 0x4000
#define EXT4_INCOMPAT_INLINE_DATA 0x8000
#define EXT4_INCOMPAT_ENCRYPT 0x10000
#define EXT4_INCOMPAT_CASEFOLD 0x20000
/* read-only compatible features: unknown ones allow a read-only mount */
#define EXT4_RO_COMPAT_SPARSE_SUPER 0x0001
#define EXT4_RO_COMPAT_LARGE_FILE 0x0002
#define EXT4_RO_COMPAT_BTREE_DIR 0x0004
#define EXT4_RO_COMPAT_HUGE_FILE 0x0008
#define EXT4_RO_COMPAT_GDT_CSUM 0x0010
#define EXT4_RO_COMPAT_DIR_NLINK 0x0020
#define EXT4_RO_COMPAT_EXTRA_ISIZE 0x0040
#define EXT4_RO_COMPAT_HAS_SNAPSHOT 0x0080
#define EXT4_RO_COMPAT_QUOTA 0x0100
#define EXT4_RO_COMPAT_BIGALLOC 0x0200
#define EXT4_RO_COMPAT_METADATA_CSUM 0x0400
#define EXT4_RO_COMPAT_REPLICA 0x0800
#define EXT4_RO_COMPAT_READONLY 0x1000
#define EXT4_RO_COMPAT_PROJECT 0x2000
#define EXT4_RO_COMPAT_SHARED_BLOCKS 0x4000
#define EXT4_RO_COMPAT_VERITY 0x8000
#define EXT4_RO_COMPAT_ORPHAN_PRESENT 0x10000

/* ---- group descriptors: 32 bytes, or 64 with the 64bit feature ---- */
struct ext4_group_desc {
  uint32_t bg_block_bitmap_lo;
  uint32_t bg_inode_bitmap_lo;
  uint32_t bg_inode_table_lo;
  uint16_t bg_free_blocks_count_lo;
  uint16_t bg_free_inodes_count_lo;
  uint16_t bg_used_dirs_count_lo;   /* 0x10 */
  uint16_t bg_flags;                /* EXT4_BG_* */
  uint32_t bg_exclude_bitmap_lo;
  uint16_t bg_block_bitmap_csum_lo; /* 0x18 */
  uint16_t bg_inode_bitmap_csum_lo;
  uint16_t bg_itable_unused_lo;     /* unused inodes at the end of the table */
  uint16_t bg_checksum;             /* 0x1E */
  /* 64bit only: */
  uint32_t bg_block_bitmap_hi;      /* 0x20 */
  uint32_t bg_inode_bitmap_hi;
  uint32_t bg_inode_table_hi;
  uint16_t bg_free_blocks_count_hi;
  uint16_t bg_free_inodes_count_hi;
  uint16_t bg_used_dirs_count_hi;   /* 0x30 */
  uint16_t bg_itable_unused_hi;
  uint32_t bg_exclude_bitmap_hi;
  uint16_t bg_block_bitmap_csum_hi; /* 0x38 */
  uint16_t bg_inode_bitmap_csum_hi;
  uint32_t bg_reserved;
} EXT4_PACKED;
_Static_assert(sizeof(struct ext4_group_desc) == 64, "ext4_group_desc");
#define EXT4_BG_INODE_UNINIT 0x0001   /* inode bitmap and table not initialised */
#define EXT4_BG_BLOCK_UNINIT 0x0002   /* block bitmap not initialised */
#define EXT4_BG_INODE_ZEROED 0x0004   /* inode table zeroed */
#define EXT4_MIN_DESC_SIZE 32
#define EXT4_MIN_DESC_SIZE_64BIT 64
#define EXT4_GD_CSUM_OFFSET 0x1E

/* ---- inodes: s_inode_size bytes (128 + i_extra_isize used) ---- */
struct ext4_inode {
  uint16_t i_mode;                  /* 0x00 */
  uint16_t i_uid;
  uint32_t i_size_lo;
  uint32_t i_atime;
  uint32_t i_ctime;
  uint32_t i_mtime;                 /* 0x10 */
  uint32_t i_dtime;
  uint16_t i_gid;
  uint16_t i_links_count;
  uint32_t i_blocks_lo;             /* 512-byte units (fs blocks if HUGE_FILE_FL) */
  uint32_t i_flags;                 /* 0x20: EXT4_*_FL */
  uint32_t i_version_lo;
  uint32_t i_block[15];             /* 0x28: extent tree root, block map, symlink */
  uint32_t i_generation;            /* 0x64 */
  uint32_t i_file_acl_lo;           /* extended-attribute block */
  uint32_t i_size_high;
  uint32_t i_obso_faddr;            /* 0x70 */
  uint16_t i_blocks_high;
  uint16_t i_file_acl_high;
  uint16_t i_uid_high;
  uint16_t i_gid_high;
  uint16_t i_checksum_lo;           /* 0x7C */
  uint16_t i_reserved;
  /* the "large" part, present when i_extra_isize covers it: */
  uint16_t i_extra_isize;           /* 0x80 */
  uint16_t i_checksum_hi;
  uint32_t i_ctime_extra;           /* nanoseconds << 2 | epoch bits */
  uint32_t i_mtime_extra;
  uint32_t i_atime_extra;           /* 0x8C */
  uint32_t i_crtime;
  uint32_t i_crtime_extra;
  uint32_t i_version_hi;            /* 0x98 */
  uint32_t i_projid;
} EXT4_PACKED;
_Static_assert(sizeof(struct ext4_inode) == 160, "ext4_inode");
#define EXT4_GOOD_OLD_INODE_SIZE 128
#define EXT4_INODE_CSUM_LO 0x7C
#define EXT4_INODE_CSUM_HI 0x82
/* extra_isize must cover these for the field to exist */
#define EXT4_EXTRA_HAS_CSUM_HI 4
#define EXT4_EXTRA_HAS_CTIME 8
#define EXT4_EXTRA_HAS_MTIME 12
#define EXT4_EXTRA_HAS_ATIME 16
#define EXT4_EXTRA_HAS_CRTIME 24

/* special inodes */
#define EXT4_BAD_INO 1
#define EXT4_ROOT_INO 2
#define EXT4_RESIZE_INO 7
#define EXT4_JOURNAL_INO 8

/* i_flags */
#define EXT4_SECRM_FL 0x00000001
#define EXT4_SYNC_FL 0x00000008
#define EXT4_IMMUTABLE_FL 0x00000010
#define EXT4_APPEND_FL 0x00000020
#define EXT4_NOATIME_FL 0x00000080
#define EXT4_INDEX_FL 0x00001000        /* directory has an htree index */
#define EXT4_JOURNAL_DATA_FL 0x00004000
#define EXT4_HUGE_FILE_FL 0x00040000    /* i_blocks counts fs blocks */
#define EXT4_EXTENTS_FL 0x00080000
#define EXT4_VERITY_FL 0x00100000
#define EXT4_EA_INODE_FL 0x00200000
#define EXT4_INLINE_DATA_FL 0x10000000
#define EXT4_ENCRYPT_FL 0x00000800
#define EXT4_CASEFOLD_FL 0x40000000

/* ---- extent trees (in i_block, and in blocks of their own) ---- */
#define EXT4_EXT_MAGIC 0xF30A
struct ext4_extent_header {
  uint16_t eh_magic;
  uint16_t eh_entries;
  uint16_t eh_max;
  uint16_t eh_depth;                /* 0: entries are extents */
  uint32_t eh_generation;
} EXT4_PACKED;
struct ext4_extent {                /* a leaf entry */
  uint32_t ee_block;                /* first logical block */
  uint16_t ee_len;                  /* > 32768: unwritten, len - 32768 */
  uint16_t ee_start_hi;
  uint32_t ee_start_lo;
} EXT4_PACKED;
struct ext4_extent_idx {            /* an index entry */
  uint32_t ei_block;                /* first logical block it covers */
  uint32_t ei_leaf_lo;
  uint16_t ei_leaf_hi;
  uint16_t ei_unused;
} EXT4_PACKED;
#define EXT4_EXT_INIT_MAX_LEN 32768u
#define EXT4_EXT_UNWRITTEN_MAX_LEN 32767u
#define EXT4_EXT_MAX_DEPTH 5
/* An extent block ends with a crc32c (struct ext4_extent_tail) after eh_max entries. */

/* old block map: 12 direct, then single, double, triple indirect */
#define EXT4_NDIR_BLOCKS 12
#define EXT4_IND_BLOCK 12
#define EXT4_DIND_BLOCK 13
#define EXT4_TIND_BLOCK 14

/* ---- directories ---- */
struct ext4_dir_entry {
  uint32_t inode;                   /* 0: unused */
  uint16_t rec_len;                 /* to the next entry */
  uint8_t name_len;
  uint8_t file_type;                /* EXT4_FT_* */
  char name[];
} EXT4_PACKED;
#define EXT4_DIRENT_HEADER 8
#define EXT4_DIRENT_LEN(namelen) (((namelen) + 8 + 3) & ~3u)
#define EXT4_NAME_LEN 255
#define EXT4_FT_UNKNOWN 0
#define EXT4_FT_REG 1
#define EXT4_FT_DIR 2
#define EXT4_FT_CHR 3
#define EXT4_FT_BLK 4
#define EXT4_FT_FIFO 5
#define EXT4_FT_SOCK 6
#define EXT4_FT_SYMLINK 7
#define EXT4_FT_DIR_CSUM 0xDE       /* the checksum tail's file_type */

/* The last 12 bytes of a leaf block with metadata_csum: a fake entry. */
struct ext4_dir_tail {
  uint32_t det_reserved_zero1;      /* 0 */
  uint16_t det_rec_len;             /* 12 */
  uint8_t det_reserved_zero2;       /* 0 (name_len) */
  uint8_t det_reserved_ft;          /* 0xDE */
  uint32_t det_checksum;
} EXT4_PACKED;

/* htree: block 0 holds ".", ".." (covering the rest), then the root. */
struct ext4_dx_root_info {
  uint32_t reserved_zero;
  uint8_t hash_version;             /* EXT4_HASH_* */
  uint8_t info_length;              /* 8 */
  uint8_t indirect_levels;
  uint8_t unused_flags;
} EXT4_PACKED;
struct ext4_dx_countlimit {         /* in place of entry 0's hash */
  uint16_t limit;
  uint16_t count;
} EXT4_PACKED;
struct ext4_dx_entry {
  uint32_t hash;                    /* entry 0: the countlimit */
  uint32_t block;                   /* logical block in the directory */
} EXT4_PACKED;
struct ext4_dx_tail {               /* after `limit` entries, with metadata_csum */
  uint32_t dt_reserved;
  uint32_t dt_checksum;
} EXT4_PACKED;
#define EXT4_DX_ROOT_ENTRIES 0x20   /* offset of the root's entries in block 0 */
#define EXT4_DX_NODE_ENTRIES 8      /* after a fake entry covering the block */
#define EXT4_HASH_LEGACY 0
#define EXT4_HASH_HALF_MD4 1
#define EXT4_HASH_TEA 2
#define EXT4_HASH_LEGACY_UNSIGNED 3
#define EXT4_HASH_HALF_MD4_UNSIGNED 4
#define EXT4_HASH_TEA_UNSIGNED 5
#define EXT4_HASH_SIPHASH 6
#define EXT4_HTREE_EOF_32 0x7fffffffu

/* ---- extended attributes (in the inode after i_extra_isize, or a block) ---- */
#define EXT4_XATTR_MAGIC 0xEA020000u
struct ext4_xattr_entry {
  uint8_t e_name_len;
  uint8_t e_name_index;             /* 1 user, 2 posix acl, 4 trusted, 6 security, 7 system */
  uint16_t e_value_offs;
  uint32_t e_value_inum;            /* ea_inode: value in that inode */
  uint32_t e_value_size;
  uint32_t e_hash;
  char e_name[];
} EXT4_PACKED;
struct ext4_xattr_block_header {
  uint32_t h_magic;
  uint32_t h_refcount;
  uint32_t h_blocks;
  uint32_t h_hash;
  uint32_t h_checksum;
  uint32_t h_reserved[3];
} EXT4_PACKED;
#define EXT4_XATTR_ROUND 3u
#define EXT4_XATTR_LEN(namelen) (((namelen) + 16 + EXT4_XATTR_ROUND) & ~EXT4_XATTR_ROUND)
#define EXT4_XATTR_INDEX_SYSTEM 7
#define EXT4_MIN_INLINE_DATA_SIZE 60

/* ---- the orphan file: blocks of inode numbers, each with a tail ---- */
#define EXT4_ORPHAN_BLOCK_MAGIC 0x0b10ca04u
struct ext4_orphan_block_tail {
  uint32_t ob_magic;
  uint32_t ob_checksum;
} EXT4_PACKED;

/* ---- jbd2: the journal (big-endian) ---- */
#define JBD2_MAGIC 0xC03B3998u
#define JBD2_DESCRIPTOR_BLOCK 1
#define JBD2_COMMIT_BLOCK 2
#define JBD2_SUPERBLOCK_V1 3
#define JBD2_SUPERBLOCK_V2 4
#define JBD2_REVOKE_BLOCK 5
struct jbd2_header {
  uint32_t h_magic;
  uint32_t h_blocktype;
  uint32_t h_sequence;              /* the transaction */
} EXT4_PACKED;
struct jbd2_super {
  struct jbd2_header s_header;
  uint32_t s_blocksize;             /* 0x0C */
  uint32_t s_maxlen;                /* blocks in the journal */
  uint32_t s_first;                 /* first block of the log */
  uint32_t s_sequence;              /* 0x18: first transaction expected in the log */
  uint32_t s_start;                 /* first block of the log now; 0: empty */
  uint32_t s_errno;
  uint32_t s_feature_compat;        /* 0x24 */
  uint32_t s_feature_incompat;
  uint32_t s_feature_ro_compat;
  uint8_t s_uuid[16];               /* 0x30 */
  uint32_t s_nr_users;              /* 0x40 */
  uint32_t s_dynsuper;
  uint32_t s_max_transaction;
  uint32_t s_max_trans_data;
  uint8_t s_checksum_type;          /* 0x50: 4 = crc32c */
  uint8_t s_padding2[3];
  uint32_t s_num_fc_blks;           /* 0x54: fast-commit blocks at the end */
  uint32_t s_head;
  uint32_t s_padding[40];
  uint32_t s_checksum;              /* 0xFC */
  uint8_t s_users[16 * 48];         /* 0x100 */
} EXT4_PACKED;
_Static_assert(sizeof(struct jbd2_super) == 1024, "jbd2_super");
#define JBD2_COMPAT_CHECKSUM 0x1
#define JBD2_INCOMPAT_REVOKE 0x1
#define JBD2_INCOMPAT_64BIT 0x2
#define JBD2_INCOMPAT_ASYNC_COMMIT 0x4
#define JBD2_INCOMPAT_CSUM_V2 0x8
#define JBD2_INCOMPAT_CSUM_V3 0x10
#define JBD2_INCOMPAT_FAST_COMMIT 0x20
#define JBD2_CRC32C_CHKSUM 4
/* descriptor tags */
#define JBD2_FLAG_ESCAPE 1
#define JBD2_FLAG_SAME_UUID 2
#define JBD2_FLAG_DELETED 4
#define JBD2_FLAG_LAST_TAG 8
struct jbd2_commit {
  struct jbd2_header h;
  uint8_t h_chksum_type;
  uint8_t h_chksum_size;
  uint8_t h_padding[2];
  uint32_t h_chksum[8];
  uint64_t h_commit_sec;
  uint32_t h_commit_nsec;
} EXT4_PACKED;

/* A big-endian (jbd2) field's value on this little-endian machine, and
 * back: the bytes swapped. */
static inline uint32_t be32(uint32_t x) { return __builtin_bswap32(x); }
static inline uint64_t be64(uint64_t x) { return __builtin_bswap64(x); }
static inline uint16_t be16(uint16_t x) { return __builtin_bswap16(x); }

#endif
