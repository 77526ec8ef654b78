/*
 * devpts.h — the devpts file system (fs/devpts.c): /dev/pts, one node per
 * pseudo-terminal slave. drivers/pty.c adds a node when a pty is made and
 * removes it when the pty's master closes.
 */
#ifndef KITE_DEVPTS_H
#define KITE_DEVPTS_H

#include "kern/types.h"

#include "drivers/tty.h"  /* PTY_SLAVE_MAJOR */

void devpts_init(void);          /* register "devpts" and make its one instance */
int devpts_add_node(int index);  /* /dev/pts/<index> */
void devpts_remove_node(int index);

#endif
