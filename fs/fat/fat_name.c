/*
 * fat_name.c — the FAT32 core, names: UTF-8 <-> UTF-16, comparing names
 * the way vfat does (ASCII case ignored, trailing dots dropped), the 8.3
 * short name as shown, and the basis and ~N alias of a new short name.
 *
 * Layer: fs (FAT core, fs/fat/). Pure functions on names: it calls nothing
 * else of the core. Used by the directory files (fat_slots.c, fat_dindex.c,
 * fat_dir.c, fat_rename.c) through fat_dir.h. Locks: none.
 */
#include "fs/fat/fat_dir.h"

/* ---- UTF-8 <-> UTF-16 ---- */

/* Decode a UTF-8 name into UTF-16 units (room for FAT_MAX_LFN + 2).
 * Returns the number of units, -EINVAL (not UTF-8), -ENAMETOOLONG. */
int fat_utf8_to_utf16(const char *s, size_t len, uint16_t *out)
{
  int n = 0;
  for (size_t i = 0; i < len;) {
    uint8_t c = (uint8_t)s[i];
    uint32_t cp;
    int extra;
    if (c < 0x80) {
      cp = c;
      extra = 0;
    } else if ((c & 0xe0) == 0xc0) {
      cp = c & 0x1f;
      extra = 1;
    } else if ((c & 0xf0) == 0xe0) {
      cp = c & 0x0f;
      extra = 2;
    } else if ((c & 0xf8) == 0xf0) {
      cp = c & 0x07;
      extra = 3;
    } else {
      return -EINVAL;
    }
    if (extra && i + extra >= len)
      return -EINVAL;
    for (int k = 1; k <= extra; k++) {
      uint8_t cc = (uint8_t)s[i + k];
      if ((cc & 0xc0) != 0x80)
        return -EINVAL;
      cp = cp << 6 | (cc & 0x3f);
    }
    static const uint32_t min_cp[4] = { 0, 0x80, 0x800, 0x10000 };
    if (cp < min_cp[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return -EINVAL;
    i += extra + 1;
    if (cp >= 0x10000) {
      if (n + 2 > FAT_MAX_LFN)
        return -ENAMETOOLONG;
      cp -= 0x10000;
      out[n++] = (uint16_t)(0xd800 | cp >> 10);
      out[n++] = (uint16_t)(0xdc00 | (cp & 0x3ff));
    } else {
      if (n + 1 > FAT_MAX_LFN)
        return -ENAMETOOLONG;
      out[n++] = (uint16_t)cp;
    }
  }
  return n;
}

/* Encode UTF-16 units as UTF-8 into out (room for 3 bytes per unit + 1). */
size_t fat_utf16_to_utf8(const uint16_t *u, int n, char *out)
{
  size_t o = 0;
  for (int i = 0; i < n; i++) {
    uint32_t cp = u[i];
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n && u[i + 1] >= 0xdc00 && u[i + 1] <= 0xdfff) {
      cp = 0x10000 + ((cp - 0xd800) << 10) + (u[i + 1] - 0xdc00);
      i++;
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      cp = '?';  /* a lone surrogate has no UTF-8 form */
    }
    if (cp < 0x80) {
      out[o++] = (char)cp;
    } else if (cp < 0x800) {
      out[o++] = (char)(0xc0 | cp >> 6);
      out[o++] = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
      out[o++] = (char)(0xe0 | cp >> 12);
      out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
      out[o++] = (char)(0x80 | (cp & 0x3f));
    } else {
      out[o++] = (char)(0xf0 | cp >> 18);
      out[o++] = (char)(0x80 | ((cp >> 12) & 0x3f));
      out[o++] = (char)(0x80 | ((cp >> 6) & 0x3f));
      out[o++] = (char)(0x80 | (cp & 0x3f));
    }
  }
  out[o] = 0;
  return o;
}

uint16_t fat_fold(uint16_t c)
{
  return c >= 'a' && c <= 'z' ? (uint16_t)(c - 'a' + 'A') : c;
}

bool fat_same_name(const uint16_t *a, int alen, const uint16_t *b, int blen)
{
  if (alen != blen)
    return false;
  for (int i = 0; i < alen; i++)
    if (fat_fold(a[i]) != fat_fold(b[i]))
      return false;
  return true;
}

/* ---- names ---- */

/* Linux's vfat ignores trailing dots: "foo." is "foo". */
size_t fat_strip_dots(const char *name, size_t len)
{
  while (len && name[len - 1] == '.')
    len--;
  return len;
}

int fat_check_name(const char *name, size_t len)
{
  len = fat_strip_dots(name, len);
  if (len == 0)
    return -ENOENT;
  if (name[len - 1] == ' ')
    return -EINVAL;
  for (size_t i = 0; i < len; i++) {
    uint8_t c = (uint8_t)name[i];
    if (c < 0x20 || c == '"' || c == '*' || c == '/' || c == ':' || c == '<' || c == '>' ||
        c == '?' || c == '\\' || c == '|')
      return -EINVAL;
  }
  uint16_t u[FAT_MAX_LFN + 2];
  int n = fat_utf8_to_utf16(name, len, u);
  return n < 0 ? n : 0;
}

uint8_t fat_lfn_checksum(const uint8_t name[11])
{
  uint8_t sum = 0;
  for (int i = 0; i < 11; i++)
    sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + name[i]);
  return sum;
}

/* The short name as shown (case flags applied) in UTF-16. */
int fat_short_display(const uint8_t *e, uint16_t *out)
{
  int n = 0, blen = 8, elen = 3;
  while (blen > 0 && e[blen - 1] == ' ')
    blen--;
  while (elen > 0 && e[8 + elen - 1] == ' ')
    elen--;
  for (int i = 0; i < blen; i++) {
    uint8_t c = (i == 0 && e[0] == DE_E5) ? 0xe5 : e[i];
    if ((e[DE_LCASE] & LCASE_BASE) && c >= 'A' && c <= 'Z')
      c = (uint8_t)(c - 'A' + 'a');
    out[n++] = c;
  }
  if (elen) {
    out[n++] = '.';
    for (int i = 0; i < elen; i++) {
      uint8_t c = e[8 + i];
      if ((e[DE_LCASE] & LCASE_EXT) && c >= 'A' && c <= 'Z')
        c = (uint8_t)(c - 'A' + 'a');
      out[n++] = c;
    }
  }
  return n;
}

bool fat_is_dot_entry(const uint8_t *e)
{
  return !memcmp(e, ".          ", 11) || !memcmp(e, "..         ", 11);
}

/* ---- short names for new entries ---- */

/* Characters a short name may hold (besides A-Z, 0-9 and bytes >= 0x80). */
static bool short_char_ok(uint16_t c)
{
  if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
    return true;
  switch (c) {
  case '!': case '#': case '$': case '%': case '&': case '\'': case '(': case ')':
  case '-': case '@': case '^': case '_': case '`': case '{': case '}': case '~':
    return true;
  }
  return false;
}

/* One part (base or extension) of the basis name, as Linux's vfat does it. */
static void short_part(const uint16_t *u, int len, uint8_t *out, int max, int *outlen,
                       struct shortname *sn)
{
  int n = 0;
  for (int i = 0; i < len; i++) {
    uint16_t c = u[i];
    if (c == '.' || c == ' ') {  /* dropped (Windows does the same) */
      sn->lossy = true;
      continue;
    }
    if (c >= 'a' && c <= 'z') {
      sn->upper = false;
      c = (uint16_t)(c - 'a' + 'A');
    } else if (!short_char_ok(c)) {
      c = '_';
      sn->lossy = true;
    }
    if (n == max) {
      sn->lossy = true;
      break;
    }
    out[n++] = (uint8_t)c;
  }
  *outlen = n;
}

void fat_make_basis(const uint16_t *u, int ulen, struct shortname *sn)
{
  memset(sn->name, ' ', 11);
  sn->lossy = false;
  sn->upper = true;
  /* The extension follows the last dot, unless only dots and spaces
   * come before it (".profile" is all base, no extension). */
  int dot = -1;
  for (int i = ulen - 1; i >= 0; i--) {
    if (u[i] == '.') {
      dot = i;
      break;
    }
  }
  if (dot >= 0) {
    int k = 0;
    while (k < dot && (u[k] == '.' || u[k] == ' '))
      k++;
    if (k == dot)
      dot = -1;
  }
  int blen, elen = 0;
  short_part(u, dot >= 0 ? dot : ulen, sn->name, 8, &blen, sn);
  if (dot >= 0)
    short_part(u + dot + 1, ulen - dot - 1, sn->name + 8, 3, &elen, sn);
  if (blen == 0) {  /* nothing usable left of the base */
    sn->name[0] = '_';
    blen = 1;
    sn->lossy = true;
  }
  if (sn->name[0] == 0xe5)
    sn->name[0] = DE_E5;
  sn->baselen = blen;
}

static int digits(uint32_t n)
{
  int d = 1;
  while (n >= 10) {
    n /= 10;
    d++;
  }
  return d;
}

/* The basis with the numeric tail ~N: base cut so that base~N fits in 8. */
void fat_tail_name(const struct shortname *sn, uint32_t num, uint8_t out[11])
{
  memcpy(out, sn->name, 11);
  int nd = digits(num);
  int keep = FAT_MIN(sn->baselen, 7 - nd);
  memset(out + keep, ' ', 8 - keep);
  out[keep] = '~';
  for (int k = nd; k > 0; k--, num /= 10)
    out[keep + k] = (uint8_t)('0' + num % 10);
}
