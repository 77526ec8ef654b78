/*
 * ext4_csum.c — the checksums and hashes ext4 puts on disk: crc32c
 * (metadata_csum and the journal), crc16 (the older gdt_csum), and the
 * directory-index name hashes (legacy, half-MD4 and TEA, signed and
 * unsigned).
 *
 * Layer: ext4 core, leaf (no locks, no I/O). Used by every other core file.
 *
 * crc32c is computed "slice-by-8": eight 256-entry tables (Castagnoli
 * polynomial, reflected, 0x82F63B78; 8 KiB, built on first use) consume 8
 * bytes per step (no Zbc carry-less multiply on the harts Kite targets).
 * ext4 and jbd2 use the raw register: no inversion before or after (the
 * caller passes ~0 to start), exactly as Linux's crc32c() does.
 */
#include "fs/ext4/ext4.h"

static uint32_t crc32c_table[8][256];
static bool crc32c_ready;

static void crc32c_init(void)
{
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++)
      c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    crc32c_table[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++)
    for (int t = 1; t < 8; t++)
      crc32c_table[t][i] = (crc32c_table[t - 1][i] >> 8) ^ crc32c_table[0][crc32c_table[t - 1][i] & 0xff];
  crc32c_ready = true;
}

/* Continue crc32c register `crc` over len bytes (no pre/post inversion). */
uint32_t ext4_crc32c(uint32_t crc, const void *buf, size_t len)
{
  if (!crc32c_ready)
    crc32c_init();
  const uint8_t *p = buf;
  while (len && ((uintptr_t)p & 7)) {
    crc = crc32c_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    len--;
  }
  const uint32_t(*t)[256] = crc32c_table;
  while (len >= 8) {
    uint32_t lo, hi;
    memcpy(&lo, p, 4);
    memcpy(&hi, p + 4, 4);
    lo ^= crc;  /* little-endian: the first four bytes meet the register */
    crc = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^
          t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^ t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
    p += 8;
    len -= 8;
  }
  while (len--)
    crc = crc32c_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return crc;
}

/* crc16 (polynomial 0x8005, reflected: 0xA001), for gdt_csum descriptors. */
uint16_t ext4_crc16(uint16_t crc, const void *buf, size_t len)
{
  const uint8_t *p = buf;
  while (len--) {
    crc ^= *p++;
    for (int k = 0; k < 8; k++)
      crc = (crc & 1) ? (crc >> 1) ^ 0xA001 : crc >> 1;
  }
  return crc;
}

/* ---- directory hashes (the htree's keys) ---- */

static uint32_t rol32(uint32_t x, int s) { return (x << s) | (x >> (32 - s)); }

#define MD4_F(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))
#define MD4_G(x, y, z) (((x) & (y)) + (((x) ^ (y)) & (z)))
#define MD4_H(x, y, z) ((x) ^ (y) ^ (z))

/* Three rounds of MD4 over 8 words, folded into buf (the "half MD4"). */
static void half_md4(uint32_t buf[4], const uint32_t in[8])
{
  static const uint8_t order[3][8] = { { 0, 1, 2, 3, 4, 5, 6, 7 },
                                       { 1, 3, 5, 7, 0, 2, 4, 6 },
                                       { 3, 7, 2, 6, 1, 5, 0, 4 } };
  static const uint8_t shift[3][4] = { { 3, 7, 11, 19 }, { 3, 5, 9, 13 }, { 3, 9, 11, 15 } };
  static const uint32_t k[3] = { 0, 013240474631u, 015666365641u };
  uint32_t v[4] = { buf[0], buf[1], buf[2], buf[3] };  /* a, b, c, d */
  for (int r = 0; r < 3; r++) {
    for (int i = 0; i < 8; i++) {
      /* Each step updates a, d, c, b in turn (index 0, 3, 2, 1). */
      int t = (4 - i % 4) % 4;
      uint32_t x = v[(t + 1) % 4], y = v[(t + 2) % 4], z = v[(t + 3) % 4];
      uint32_t f = r == 0 ? MD4_F(x, y, z) : r == 1 ? MD4_G(x, y, z) : MD4_H(x, y, z);
      v[t] = rol32(v[t] + f + in[order[r][i]] + k[r], shift[r][i % 4]);
    }
  }
  for (int i = 0; i < 4; i++)
    buf[i] += v[i];
}

static void tea(uint32_t buf[4], const uint32_t in[4])
{
  uint32_t sum = 0, b0 = buf[0], b1 = buf[1];
  for (int n = 0; n < 16; n++) {
    sum += 0x9E3779B9u;
    b0 += ((b1 << 4) + in[0]) ^ (b1 + sum) ^ ((b1 >> 5) + in[1]);
    b1 += ((b0 << 4) + in[2]) ^ (b0 + sum) ^ ((b0 >> 5) + in[3]);
  }
  buf[0] += b0;
  buf[1] += b1;
}

static int char_value(const char *s, int i, bool is_unsigned)
{
  return is_unsigned ? (int)(uint8_t)s[i] : (int)(int8_t)s[i];
}

static uint32_t legacy_hash(const char *name, int len, bool is_unsigned)
{
  uint32_t h0 = 0x12a3fe2d, h1 = 0x37abe8f9;
  for (int i = 0; i < len; i++) {
    uint32_t h = h1 + (h0 ^ (uint32_t)(char_value(name, i, is_unsigned) * 7152373));
    if (h & 0x80000000u)
      h -= 0x7fffffff;
    h1 = h0;
    h0 = h;
  }
  return h0 << 1;
}

/* Pack up to num*4 bytes of the name into num words, padded with the length. */
static void str2hashbuf(const char *msg, int len, uint32_t *buf, int num, bool is_unsigned)
{
  uint32_t pad = (uint32_t)len | ((uint32_t)len << 8);
  pad |= pad << 16;
  uint32_t val = pad;
  if (len > num * 4)
    len = num * 4;
  for (int i = 0; i < len; i++) {
    val = (uint32_t)char_value(msg, i, is_unsigned) + (val << 8);
    if (i % 4 == 3) {
      *buf++ = val;
      val = pad;
      num--;
    }
  }
  if (--num >= 0)
    *buf++ = val;
  while (--num >= 0)
    *buf++ = pad;
}

/*
 * The htree hash of a name with hash version `version` (EXT4_HASH_*, the
 * unsigned variants included) and the file system's seed. Returns 0 and the
 * major hash (low bit clear) in *hash, or -EINVAL for versions Kite lacks
 * (siphash is only for encrypted, case-folded directories).
 */
int ext4_dirhash(const char *name, int len, int version, const uint32_t seed[4], uint32_t *hash,
                 uint32_t *minor)
{
  uint32_t buf[4] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476 };
  uint32_t in[8], h, m = 0;
  if (seed[0] | seed[1] | seed[2] | seed[3])
    memcpy(buf, seed, sizeof(buf));
  bool uns = version >= EXT4_HASH_LEGACY_UNSIGNED;
  switch (version) {
  case EXT4_HASH_LEGACY:
  case EXT4_HASH_LEGACY_UNSIGNED:
    h = legacy_hash(name, len, uns);
    break;
  case EXT4_HASH_HALF_MD4:
  case EXT4_HASH_HALF_MD4_UNSIGNED:
    for (const char *p = name; len > 0; len -= 32, p += 32) {
      str2hashbuf(p, len, in, 8, uns);
      half_md4(buf, in);
    }
    h = buf[1];
    m = buf[2];
    break;
  case EXT4_HASH_TEA:
  case EXT4_HASH_TEA_UNSIGNED:
    for (const char *p = name; len > 0; len -= 16, p += 16) {
      str2hashbuf(p, len, in, 4, uns);
      tea(buf, in);
    }
    h = buf[0];
    m = buf[1];
    break;
  default:
    return -EINVAL;
  }
  h &= ~1u;
  if (h == EXT4_HTREE_EOF_32 << 1)
    h = (EXT4_HTREE_EOF_32 - 1) << 1;
  *hash = h;
  if (minor)
    *minor = m;
  return 0;
}
