/*
 * cpio.h — reading "newc" cpio archives (the initramfs format).
 * Pure logic, host-testable (testsuite/host/test_cpio.c).
 *
 * Layer: core (kern/cpio.c), used by the initramfs unpacker at boot
 * (one hart, before any process): no locks.
 */
#ifndef KITE_CPIO_H
#define KITE_CPIO_H

#include <stddef.h>
#include <stdint.h>

struct cpio_entry {
  const char *name;       /* NUL-terminated, as stored (may start with "./") */
  uint32_t mode;          /* st_mode: type and permissions */
  uint32_t uid, gid;
  uint32_t mtime;
  uint32_t rdev_major, rdev_minor;
  uint32_t ino, nlink;    /* hard links: entries with the same ino, dev and nlink > 1 */
  uint32_t dev_major, dev_minor;
  const void *data;       /* file contents, or the symlink target (not NUL-terminated) */
  size_t size;
};

/* Call fn for each entry until the trailer. Returns 0, or -1 if the archive
 * is malformed, or the first non-zero value fn returned. */
int cpio_parse(const void *buf, size_t len,
               int (*fn)(const struct cpio_entry *e, void *arg), void *arg);

#endif
