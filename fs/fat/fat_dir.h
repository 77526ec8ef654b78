/*
 * fat_dir.h — the FAT32 core's directory files and their shared parts
 * (internal: fat32.h is the core's interface).
 *
 *   fat_name.c    names: UTF-8 <-> UTF-16, comparison, 8.3 names and aliases
 *   fat_slots.c   directory I/O: slots, scanning entries, nodes for entries
 *   fat_dindex.c  the name index of a directory; lookup
 *   fat_dir.c     create, mkdir, unlink, rmdir, readdir
 *   fat_rename.c  rename
 *
 * Layer: fs (FAT core, fs/fat/), over fat32.c (the volume). Locks: the
 * functions declared here expect fs->lock held.
 */
#ifndef KITE_FAT_DIR_H
#define KITE_FAT_DIR_H
#include "fs/fat/fat32.h"
#include "fs/fat/fat_layout.h"

struct shortname {
  uint8_t name[11];  /* the basis: base padded to 8, extension to 3 */
  int baselen;       /* characters of the base before padding */
  bool lossy;        /* characters dropped or replaced, or too long: needs ~N */
  bool upper;        /* no lower-case letters: no long name needed */
};

/* ---- slots ----
 * A slotref holds the block of the directory last used (one at a time:
 * release it with fat_slot_done() before touching any other directory block). */
struct slotref {
  struct fat_buf *b;
  uint64_t sector;
  uint32_t cidx, clus;   /* the cluster of the last slot: skips bmap */
  uint32_t first, count; /* slots [first, first + count) are in b */
};

/* One entry found by the scanner. */
struct dent {
  uint32_t slot;                /* of the short entry */
  uint32_t nslots;              /* with its long-name slots */
  const uint8_t *e;             /* the short entry (until the next step) */
  uint64_t sector;              /* where it is */
  uint32_t off;
  const uint16_t *lfn;          /* the long name, NULL if none */
  int lfn_len;
};

struct dscan {
  struct slotref ref;
  uint32_t slot;                /* next slot to look at */
  bool ended;
  uint32_t end_slot;            /* first slot of the free tail (0x00 or chain end) */
  /* the long name being put together */
  uint16_t lfn[LFN_MAX_SLOTS * LFN_CHARS + 1];
  int lfn_next;                 /* ordinal expected next, 0: none */
  int lfn_count, lfn_total;
  uint8_t lfn_csum;
  uint32_t lfn_start;
  bool lfn_done;
  /* freed (0xe5) slots seen: how many, and the first */
  uint32_t ndeleted, first_deleted;
};

#define K_EMPTY 0
#define K_USED 1
#define K_GONE 2
struct dkey {
  uint32_t hash;
  uint16_t slot;                /* of the short entry */
  uint8_t nslots;               /* with its long-name slots */
  uint8_t state;
};

struct fat_dindex {
  struct dkey *tab;             /* open addressing, linear probing */
  uint32_t cap, used, gone;
  uint32_t end_slot;            /* first slot of the free tail */
  uint32_t holes;               /* freed slots before end_slot */
  uint32_t hole_hint;           /* no freed slot before this one */
};

/* Where a name was written. */
struct dpos {
  uint32_t slot, nslots;
  uint64_t sector;
  uint32_t off;
};

/* Free a directory's name index (fs->lock held; the node is going away or
 * its index is out of date). Inline so that fat32.c, below the directory
 * files, does not call up into them. */
static inline void fat_dir_forget_locked(struct fat_node *dir)
{
  if (dir->index) {
    fat_env_free(dir->index->tab);
    fat_env_free(dir->index);
    dir->index = NULL;
  }
}

/* ---- fat_name.c ---- */
/* Decode a UTF-8 name into UTF-16 units (room for FAT_MAX_LFN + 2).
 * Returns the number of units, -EINVAL (not UTF-8), -ENAMETOOLONG. */
int fat_utf8_to_utf16(const char *s, size_t len, uint16_t *out);
/* Encode UTF-16 units as UTF-8 into out (room for 3 bytes per unit + 1). */
size_t fat_utf16_to_utf8(const uint16_t *u, int n, char *out);
/* c in upper case (ASCII letters only, as vfat compares names). */
uint16_t fat_fold(uint16_t c);
/* Are the two UTF-16 names equal, ignoring ASCII case? */
bool fat_same_name(const uint16_t *a, int alen, const uint16_t *b, int blen);
/* Linux's vfat ignores trailing dots: "foo." is "foo". */
size_t fat_strip_dots(const char *name, size_t len);
/* The short name as shown (case flags applied) in UTF-16. */
int fat_short_display(const uint8_t *e, uint16_t *out);
/* Is the short entry e "." or ".."? */
bool fat_is_dot_entry(const uint8_t *e);
/* The basis of a new short name for u, as Linux's vfat makes it: sn says
 * whether it lost characters (then it needs a ~N tail) and its case. */
void fat_make_basis(const uint16_t *u, int ulen, struct shortname *sn);
/* The basis with the numeric tail ~N: base cut so that base~N fits in 8. */
void fat_tail_name(const struct shortname *sn, uint32_t num, uint8_t out[11]);

/* ---- fat_slots.c ---- */
/* Release the block a slotref holds (before touching another directory block). */
void fat_slot_done(struct slotref *ref);
/* Slot i of dir (32 bytes, valid until the next call). NULL past the end
 * of the cluster chain (*err = 0) or on an error. */
uint8_t *fat_slot_ptr(struct fat_fs *fs, struct fat_node *dir, struct slotref *ref, uint32_t i, int *err);
/* Start a scan of a directory at slot `start`. */
void fat_scan_init(struct dscan *s, uint32_t start);
/*
 * The next entry in use (not free, not a long-name slot, not the volume
 * label, not . or ..). Returns 1, 0 at the end (s->end_slot then says
 * where the free tail starts), or -errno.
 */
int fat_scan_next(struct fat_fs *fs, struct fat_node *dir, struct dscan *s, struct dent *d);
/* End a scan (releases its block). */
void fat_scan_done(struct dscan *s);
/* The node of entry d in dir: the one in use, or a new one. Referenced. */
struct fat_node *fat_node_for(struct fat_fs *fs, struct fat_node *dir, const struct dent *d);
/* Does entry d carry the name u (long or 8.3, ignoring case)? */
bool fat_dent_matches(const struct dent *d, const uint16_t *u, int ulen);
/* Is slot the entry of one of the `ignore` nodes (a rename's own names)? */
bool fat_ignored(struct fat_node *const *ignore, uint32_t dir_cluster, uint32_t slot);

/* ---- fat_dindex.c ---- */
/* FNV-1a over the name folded to upper case; never 0. */
uint32_t fat_name_hash(const uint16_t *u, int n);
/* The key of an 8.3 name: its shown form, folded (case flags do not matter). */
uint32_t fat_short_hash(const uint8_t raw[11]);
/* The next key with hash h along the probe sequence (*at: start with 0). */
struct dkey *fat_idx_next(struct fat_dindex *ix, uint32_t h, uint32_t *at);
/* Both keys of a name. lfn NULL: it has only an 8.3 name. */
int fat_index_add(struct fat_dindex *ix, const uint16_t *lfn, int lfn_len, const uint8_t raw[11], uint32_t slot, uint32_t nslots);
/* Throw dir's index away (rebuilt on the next use: after an error). */
void fat_dir_index_drop(struct fat_node *dir);
/* The index of dir, built if needed. */
int fat_dir_index(struct fat_fs *fs, struct fat_node *dir, struct fat_dindex **out);
/* Find name u through the index: a referenced node in *out, or NULL. */
int fat_index_lookup(struct fat_fs *fs, struct fat_node *dir, struct fat_dindex *ix, const uint16_t *u, int ulen, struct fat_node *const *ignore, struct fat_node **out);
/* Take the name at slot out of the index (its keys come from the disk). */
int fat_index_remove(struct fat_fs *fs, struct fat_node *dir, struct fat_dindex *ix, uint32_t slot, uint32_t nslots);
/* Name -> UTF-16 for lookups (trailing dots dropped). */
int fat_name_units(const char *name, size_t len, uint16_t *u);
/* Look `name` up: a referenced node, NULL if absent, or an error. */
int fat_lookup_locked(struct fat_fs *fs, struct fat_node *dir, const uint16_t *u, int ulen, struct fat_node **out);

/* ---- fat_dir.c ---- */
/*
 * Write the name u into dir for an entry whose contents (attributes,
 * times, cluster, size: bytes 11..31 except the case byte) are tmpl.
 * The names of the `ignore` nodes do not count as taken (rename). Picks
 * the short name, finds or makes room, writes the slots, updates the index.
 */
int fat_add_entry(struct fat_fs *fs, struct fat_node *dir, const uint16_t *u, int ulen, const uint8_t *tmpl, struct fat_node *const *ignore, struct dpos *pos);
/* Mark the slots of a name free (and take it out of the index). */
int fat_remove_slots(struct fat_fs *fs, struct fat_node *dir, uint32_t slot, uint32_t nslots);
/* A directory's contents changed: its modification time is now. */
void fat_touch_dir(struct fat_fs *fs, struct fat_node *dir);
/* Take n's name out of dir (n stays valid; its clusters go with it). */
int fat_unlink_locked(struct fat_fs *fs, struct fat_node *dir, struct fat_node *n);

#endif
