/*
 * pathname.c — splitting path strings (see pathname.h).
 *
 * Layer: fs, a leaf: pure string functions, no locks, no calls into the
 * VFS. Used by the path walk (fs/namei.c) and the host tests.
 */
#include "fs/pathname.h"
#include <string.h>

bool path_next_component(const char **p, const char **name, size_t *len, bool *last)
{
  const char *s = *p;
  while (*s == '/')
    s++;
  if (*s == 0) {
    *p = s;
    return false;
  }
  *name = s;
  while (*s && *s != '/')
    s++;
  *len = (size_t)(s - *name);
  while (*s == '/')
    s++;
  *last = *s == 0;
  *p = s;
  return true;
}

void path_split_last(const char *path, size_t *dirlen, size_t *lastpos, size_t *lastlen,
                     bool *trailing_slash)
{
  size_t n = strlen(path);
  *trailing_slash = n > 0 && path[n - 1] == '/';
  while (n > 1 && path[n - 1] == '/')
    n--;
  size_t i = n;
  while (i > 0 && path[i - 1] != '/')
    i--;
  *lastpos = i;
  *lastlen = n - i;
  if (n == 1 && path[0] == '/') { /* "/" itself */
    *lastpos = 1;
    *lastlen = 0;
  }
  *dirlen = i;
}
