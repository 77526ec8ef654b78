/*
 * nsfs.h — namespace files (Linux's fs/nsfs.c): what /proc/<pid>/ns/<kind>
 * leads to. A namespace is reached as a file on the pseudo mount whose
 * inode number is the namespace's (kern/nsproxy.h), so two such files
 * name the same namespace iff fstat gives the same st_dev and st_ino.
 * The file holds the namespace; setns(2) joins it, and its ioctls
 * (NS_GET_USERNS, NS_GET_PARENT, NS_GET_NSTYPE, NS_GET_OWNER_UID) answer
 * about it.
 *
 * Layer: fs. Below: fs/vfs.c (vfs_pseudo_path), kern/nsproxy.c. Above:
 * fs/procfs.c (the links), kern/sys_clone3.c (setns). Locks: none of its own.
 */
#ifndef KITE_NSFS_H
#define KITE_NSFS_H

struct ns_common;
struct path;
struct file;

/* A referenced path to a file for ns (it takes its own reference to ns). 0 or -ENOMEM. */
int nsfs_path(struct ns_common *ns, struct path *out);
/* The namespace f is open on, not referenced (f holds it), or NULL. */
struct ns_common *nsfs_file_ns(struct file *f);
/* "uts:[4026531838]": what readlink of a /proc/<pid>/ns link shows. */
int nsfs_link_name(struct ns_common *ns, char *buf, unsigned long size);

#endif
