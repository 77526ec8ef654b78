/*
 * utsname.c — the host and domain names (uname, sethostname,
 * setdomainname, /proc/sys/kernel/hostname and domainname), one pair per
 * UTS namespace (kern/nsproxy.h; docs/namespaces.md).
 *
 * Layer: core, read by the system calls (kern/sys_misc.c) and by procfs;
 * kern/nsproxy.c makes (uts_copy) and joins namespaces and calls down here,
 * never the other way. Limits: 64 bytes
 * and a NUL each (Linux's __NEW_UTS_LEN). Locks: none (a reader racing
 * sethostname may see a mix of the old and the new name: harmless, and
 * the buffer always ends in a NUL).
 */
#include "kern/user_namespace.h"
#include "kern/cred.h"
#include "kern/sysinfo.h"
#include "kern/nsproxy.h"
#include "kern/clone.h"
#include "kern/mm.h"
#include "kern/task.h"
#include <string.h>

/* Linux's PROC_UTS_INIT_INO. */
struct uts_namespace init_uts_ns = {
  .ns = { .type = CLONE_NEWUTS, .inum = 0xEFFFFFFEU, .refcount = 1 },
  .hostname = "kite",
  .domainname = "(none)",
};

/* The caller's UTS namespace: a kernel thread (no nsproxy) is in the
 * initial one. Not referenced: the caller's own outlives the call. */
static struct uts_namespace *current_uts_ns(void)
{
  struct nsproxy *n = current->nsproxy;
  return n ? n->uts : &init_uts_ns;
}

char *uts_hostname(void)
{
  return current_uts_ns()->hostname;
}

char *uts_domainname(void)
{
  return current_uts_ns()->domainname;
}

bool uts_capable(void)
{
  struct ns_common *owner = current_uts_ns()->ns.owner;
  return ns_capable(owner ? to_user_ns(owner) : &init_user_ns, CAP_SYS_ADMIN);
}

static void uts_release(struct ns_common *ns)
{
  kfree(container_of(ns, struct uts_namespace, ns));
}

/* Linux's clone_uts_ns. */
struct uts_namespace *uts_copy(struct uts_namespace *old, unsigned int inum)
{
  struct uts_namespace *u = kzalloc(sizeof(*u));
  if (!u)
    return NULL;
  u->ns.type = CLONE_NEWUTS;
  u->ns.inum = inum;
  u->ns.refcount = 1;
  u->ns.release = uts_release;
  memcpy(u->hostname, old->hostname, sizeof(u->hostname));
  memcpy(u->domainname, old->domainname, sizeof(u->domainname));
  return u;
}
