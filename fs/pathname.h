/*
 * pathname.h — splitting path strings, with no file-system access.
 * Pure logic, host-testable (testsuite/host/test_pathname.c).
 *
 * Layer: fs, a leaf (no locks, no calls) under fs/namei.c.
 */
#ifndef KITE_PATHNAME_H
#define KITE_PATHNAME_H

#include <stddef.h>
#include <stdbool.h>

/*
 * Take the next component from *p: skips leading slashes, sets *name and
 * *len, and advances *p past the component and any slashes after it.
 * Returns false when no component is left. *last says whether it was the
 * final one (a trailing slash still counts as final).
 */
bool path_next_component(const char **p, const char **name, size_t *len, bool *last);

/*
 * Split path into its directory part [0, *dirlen) and last component
 * [*lastpos, *lastpos + *lastlen), ignoring trailing slashes. For "/" the
 * last component is empty. *trailing_slash says whether path ended in '/'.
 */
void path_split_last(const char *path, size_t *dirlen, size_t *lastpos, size_t *lastlen,
                     bool *trailing_slash);

#endif
