/* test_pathname.c — splitting paths into components. */
#include "fs/pathname.h"
#include "check.h"
#include <string.h>

static int components(const char *path, char out[][32])
{
  int n = 0;
  const char *name;
  size_t len;
  bool last;
  while (path_next_component(&path, &name, &len, &last)) {
    memcpy(out[n], name, len);
    out[n][len] = 0;
    n++;
  }
  return n;
}

static bool split(const char *path, const char *dir, const char *last, bool slash)
{
  size_t dl, lp, ll;
  bool ts;
  path_split_last(path, &dl, &lp, &ll, &ts);
  return dl == strlen(dir) && !strncmp(path, dir, dl) && ll == strlen(last) &&
         !strncmp(path + lp, last, ll) && ts == slash;
}

int main(void)
{
  check_suite = "pathname";
  char c[8][32];
  CHECK("absolute path components", components("/usr/bin/env", c) == 3 && !strcmp(c[0], "usr") &&
                                        !strcmp(c[2], "env"));
  CHECK("repeated slashes collapse", components("a//b///c", c) == 3 && !strcmp(c[1], "b"));
  CHECK("trailing slash adds nothing", components("a/b/", c) == 2 && !strcmp(c[1], "b"));
  CHECK("root has no components", components("/", c) == 0 && components("", c) == 0);
  CHECK("dot and dotdot are components", components("./../x", c) == 3 && !strcmp(c[1], ".."));
  const char *p = "x/y", *name;
  size_t len;
  bool last;
  path_next_component(&p, &name, &len, &last);
  CHECK("first of two is not last", !last);
  path_next_component(&p, &name, &len, &last);
  CHECK("second of two is last", last && len == 1 && *name == 'y');
  CHECK("split a/b/c", split("a/b/c", "a/b/", "c", false));
  CHECK("split /etc/passwd", split("/etc/passwd", "/etc/", "passwd", false));
  CHECK("split a name without slash", split("file", "", "file", false));
  CHECK("split with trailing slashes", split("/tmp/dir//", "/tmp/", "dir", true));
  CHECK("split the root", split("/", "/", "", true));
  CHECK("split dotdot", split("a/..", "a/", "..", false));
  CHECK_DONE();
}
