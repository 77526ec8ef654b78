/*
 * ext4_journal.h — the journal's in-memory state, shared by
 * ext4_journal.c (transactions, commit, checkpoint) and ext4_replay.c
 * (recovery at mount). Private to those two files.
 *
 * The log is the area [first, last) of the journal inode's blocks.
 * Between checkpoints it holds the transactions committed since the last
 * one, from `first` on; a checkpoint writes every committed block home and
 * empties the log, so the log never wraps around.
 *
 * Layer: fs, inside the ext4 core (over ext4_env.h). Locks: all of it
 * under fs->lock, as the rest of the core.
 */
#ifndef KITE_EXT4_JOURNAL_H
#define KITE_EXT4_JOURNAL_H

#include "fs/ext4/ext4_int.h"

struct jrun {                    /* journal blocks [lblk, lblk + len) are at pblk */
  uint32_t lblk, len;
  uint64_t pblk;
};

struct ext4_journal {
  struct ext4_node *jn;          /* the journal inode (referenced) */
  struct jrun *runs;             /* its block map, sorted */
  uint32_t nruns;
  uint32_t first, last;          /* the log area */
  uint32_t incompat, compat;     /* jbd2 features */
  uint32_t tag_bytes;            /* size of a descriptor tag */
  bool csum;                     /* csum v2 or v3 */
  uint32_t csum_seed;            /* crc32c(~0, journal uuid) */
  uint8_t uuid[16];
  struct jbd2_super *jsb;        /* the journal superblock (a copy) */
  /* The log. */
  uint32_t sequence;             /* the transaction being built */
  uint32_t head;                 /* where it will be written */
  bool empty;                    /* s_start is 0: nothing in the log */
  uint32_t max_tx;               /* blocks a transaction may hold */
  /* The running transaction. */
  int depth;                     /* operations open (ext4_tx_begin nesting) */
  uint64_t *blocks;              /* metadata blocks it changed (pinned) */
  uint32_t nblocks, cap;
  uint64_t *hash;                /* open-addressing set of the same (0 = free) */
  uint32_t hcap;
  uint64_t *revokes;             /* blocks freed by it */
  uint32_t nrevokes, rcap;
};

/* Physical block of journal block lblk (0 if outside the journal). */
uint64_t ext4_jmap(struct ext4_journal *j, uint32_t lblk);
/* Read / write whole journal blocks straight to the device. */
int ext4_jio(struct ext4_fs *fs, struct ext4_journal *j, bool write, uint32_t lblk, void *buf,
             uint32_t n);
int ext4_jsb_write(struct ext4_fs *fs, struct ext4_journal *j);
uint32_t ext4_jcsum(struct ext4_journal *j, const void *block, uint32_t size);

#endif
