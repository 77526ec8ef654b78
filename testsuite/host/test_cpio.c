/* test_cpio.c — the newc parser against archives made by GNU cpio. */
#include "kern/cpio.h"
#include "check.h"
#include <stdlib.h>
#include <string.h>

struct seen {
  int n;
  char names[16][64];
  unsigned modes[16];
  size_t sizes[16];
  char data[16][64];
  unsigned inos[16], nlinks[16];
};

static int collect(const struct cpio_entry *e, void *arg)
{
  struct seen *s = arg;
  if (s->n >= 16)
    return 1;
  snprintf(s->names[s->n], 64, "%s", e->name);
  s->modes[s->n] = e->mode;
  s->sizes[s->n] = e->size;
  s->inos[s->n] = e->ino;
  s->nlinks[s->n] = e->nlink;
  size_t k = e->size < 63 ? e->size : 63;
  memcpy(s->data[s->n], e->data, k);
  s->data[s->n][k] = 0;
  s->n++;
  return 0;
}

/* The first entry's mtime, then stop. */
static int first_mtime(const struct cpio_entry *e, void *arg)
{
  *(unsigned *)arg = e->mtime;
  return 1;
}

static char *read_file(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  char *buf = malloc(1 << 20);
  *len = fread(buf, 1, 1 << 20, f);
  fclose(f);
  return buf;
}

int main(int argc, char **argv)
{
  check_suite = "cpio";
  if (argc < 2) {
    printf("usage: test_cpio archive.cpio\n");
    return 2;
  }
  size_t len;
  char *buf = read_file(argv[1], &len);
  CHECK("test archive readable", buf != NULL);
  if (!buf)
    CHECK_DONE();
  struct seen s = { 0 };
  int r = cpio_parse(buf, len, collect, &s);
  CHECK("well-formed archive parses", r == 0);
  /* The archive (made by host-unit.sh) holds: ., dir, dir/file (hello\n), dir/hard (a
   * hard link to it: GNU cpio stores the data with the last name only), link -> dir/file */
  int file = -1, link = -1, dir = -1, hard = -1;
  for (int i = 0; i < s.n; i++) {
    if (!strcmp(s.names[i], "dir/hard")) hard = i;
    if (!strcmp(s.names[i], "dir/file")) file = i;
    if (!strcmp(s.names[i], "link")) link = i;
    if (!strcmp(s.names[i], "dir")) dir = i;
  }
  CHECK("directory entry found", dir >= 0 && (s.modes[dir] & 0170000) == 0040000);
  CHECK("hard links: same inode, link count 2", file >= 0 && hard >= 0 && s.inos[file] == s.inos[hard] &&
                                                   s.nlinks[file] == 2 && s.nlinks[hard] == 2);
  CHECK("hard links: the data with the last name", hard > file && s.sizes[file] == 0 && s.sizes[hard] == 6 &&
                                                       !strcmp(s.data[hard], "hello\n"));
  CHECK("symlink entry with its target", link >= 0 && (s.modes[link] & 0170000) == 0120000 &&
                                             !strcmp(s.data[link], "dir/file"));

  /* Damaged archives are refused, never read past the end. */
  struct seen t = { 0 };
  CHECK("truncated archive is rejected", cpio_parse(buf, len / 2, collect, &t) != 0);
  char *bad = malloc(len);
  memcpy(bad, buf, len);
  memcpy(bad, "070799", 6);
  CHECK("bad magic is rejected", cpio_parse(bad, len, collect, &t) == -1);
  memcpy(bad, buf, len);
  memcpy(bad + 6 + 8 * 11, "FFFFFFFF", 8); /* namesize of the first entry */
  CHECK("huge name size is rejected", cpio_parse(bad, len, collect, &t) == -1);
  memcpy(bad, buf, len);
  memcpy(bad + 6 + 8 * 6, "7FFFFFFF", 8); /* filesize of the first entry */
  CHECK("huge file size is rejected", cpio_parse(bad, len, collect, &t) == -1);
  CHECK("empty input is rejected", cpio_parse(buf, 0, collect, &t) == -1);
  /* Hex fields: either case; anything but eight hex digits is refused (the
   * digits are checked eight at a time: every byte next to a digit). */
  unsigned mt = 0;
  memcpy(bad, buf, len);
  memcpy(bad + 6 + 8 * 5, "DeadBeef", 8); /* mtime of the first entry */
  CHECK("hex digits in either case", cpio_parse(bad, len, first_mtime, &mt) == 1 && mt == 0xdeadbeef);
  memcpy(bad + 6 + 8 * 5, "0123abCD", 8);
  CHECK("hex digits in order", cpio_parse(bad, len, first_mtime, &mt) == 1 && mt == 0x0123abcd);
  memcpy(bad + 6 + 8 * 5, "fFfFfFfF", 8);
  CHECK("largest field", cpio_parse(bad, len, first_mtime, &mt) == 1 && mt == 0xffffffff);
  static const char not_hex[] = { '/', ':', '@', 'G', '`', 'g', 'p', ' ', 0, 0x7f, (char)0x80,
                                  (char)0xc1, (char)0xe1, (char)0xb0 };
  int refused = 0;
  for (size_t i = 0; i < sizeof(not_hex); i++)
    for (int pos = 0; pos < 8; pos++) {
      memcpy(bad + 6 + 8 * 5, "00000000", 8);
      bad[6 + 8 * 5 + pos] = not_hex[i];
      refused += cpio_parse(bad, len, first_mtime, &mt) == -1;
    }
  CHECK("a byte that is not a hex digit is refused, at any place", refused == (int)sizeof(not_hex) * 8);
  free(bad);
  free(buf);
  CHECK_DONE();
}
