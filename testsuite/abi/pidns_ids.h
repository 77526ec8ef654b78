/*
 * pidns_ids.h — pidns.c's ids section (included once by pidns.c): ids the
 * kernel keeps and hands back later, in the caller's (or the receiver's)
 * pid namespace; and the subreaper search stopping at a namespace.
 */

static int send_cred(int fd, pid_t pid)
{
  char data = 'c';
  struct iovec iov = { &data, 1 };
  union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(struct ucred))]; } u;
  memset(&u, 0, sizeof(u));
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
  if (pid) {
    m.msg_control = u.buf;
    m.msg_controllen = sizeof(u.buf);
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_CREDENTIALS;
    c->cmsg_len = CMSG_LEN(sizeof(struct ucred));
    struct ucred uc = { pid, getuid(), getgid() };
    memcpy(CMSG_DATA(c), &uc, sizeof(uc));
  }
  return sendmsg(fd, &m, 0) == 1 ? 0 : -errno;
}

/* The pid of the credentials a message came with, or -1. */
static int recv_cred(int fd)
{
  char data;
  struct iovec iov = { &data, 1 };
  union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(struct ucred))]; } u;
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
  if (recvmsg(fd, &m, 0) != 1)
    return -1;
  struct cmsghdr *c = CMSG_FIRSTHDR(&m);
  if (!c || c->cmsg_type != SCM_CREDENTIALS)
    return -1;
  struct ucred uc;
  memcpy(&uc, CMSG_DATA(c), sizeof(uc));
  return uc.pid;
}

static int peer_pid(int fd)
{
  struct ucred uc = { -1, 0, 0 };
  socklen_t len = sizeof(uc);
  return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == 0 ? uc.pid : -errno;
}

static volatile int mq_sig_pid[2] = { -1, -1 };
static void on_mq(int sig, siginfo_t *si, void *uc)
{
  (void)uc;
  mq_sig_pid[sig == SIGUSR2] = si->si_code == SI_MESGQ ? si->si_pid : -2;
}

static int notify(mqd_t q, int sig)
{
  struct sigaction sa = { .sa_sigaction = on_mq, .sa_flags = SA_SIGINFO | SA_RESTART };
  sigaction(sig, &sa, NULL);
  struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = sig };
  return mq_notify(q, &ev) ? -errno : 0;
}

static int wait_mq_sig(int i)
{
  for (int n = 0; n < 2000 && mq_sig_pid[i] == -1; n++)
    usleep(1000);
  return mq_sig_pid[i];
}

struct ids_objs {
  int sp_out[2], sp_cred[2], lockfd, shmid, msqid, semid;
  mqd_t q1;
  char q2name[40];
};

static int getlk_pid(int fd, off_t start)
{
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = 2 };
  return fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type == F_WRLCK ? fl.l_pid : -1;
}

/* A child traced with PTRACE_O_TRACEFORK forks: the event message is the
 * new process's number here. */
static void ptrace_fork_event(void)
{
  int p[2];
  pipe(p);
  pid_t t = fork();
  if (t == 0) {
    /* no SIGCHLD when the new child exits: it would stop us (a
     * signal-delivery stop) before we report the child's number */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, NULL);
    ptrace(PTRACE_TRACEME, 0, 0, 0);
    raise(SIGSTOP);
    pid_t g = fork();
    if (g == 0)
      _exit(0);
    write(p[1], &g, sizeof(g));
    waitpid(g, NULL, 0);
    _exit(0);
  }
  int st;
  waitpid(t, &st, 0);
  ptrace(PTRACE_SETOPTIONS, t, 0, (void *)(long)PTRACE_O_TRACEFORK);
  ptrace(PTRACE_CONT, t, 0, 0);
  unsigned long msg = 0;
  int ev = waitpid(t, &st, 0) == t && WIFSTOPPED(st) && (st >> 8) == (SIGTRAP | (PTRACE_EVENT_FORK << 8));
  CHECKF("in/ptrace-fork-event", ev, "status 0x%x", st);
  ptrace(PTRACE_GETEVENTMSG, t, 0, &msg);
  ptrace(PTRACE_CONT, t, 0, 0);
  CHECKF("in/ptrace-new-child-waitable", waitpid((pid_t)msg, &st, __WALL) == (pid_t)msg, "msg %lu", msg);
  ptrace(PTRACE_DETACH, (pid_t)msg, 0, 0);
  pid_t g = 0;
  read(p[0], &g, sizeof(g));
  CHECKF("in/ptrace-eventmsg-inner-number", (pid_t)msg == g, "msg %lu fork %d", msg, g);
  wait_status(t);
  close(p[0]);
  close(p[1]);
}

static void ids_init_side(struct ids_objs *o, int ready, int go)
{
  CHECK_RET("in/peercred-outer-0", peer_pid(o->sp_out[1]), 0);
  int sp[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
  CHECK_RET("in/peercred-own-1", peer_pid(sp[0]), 1);
  close(sp[0]);
  close(sp[1]);
  socketpair(AF_UNIX, SOCK_DGRAM, 0, sp);
  int one = 1;
  setsockopt(sp[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
  pid_t c = fork();
  if (c == 0)
    _exit(send_cred(sp[1], 0) == 0 && send_cred(sp[1], getpid()) == 0 ? 0 : 1);
  CHECK_RET("in/scm-cred-implicit", recv_cred(sp[0]), c);
  CHECK_RET("in/scm-cred-explicit", recv_cred(sp[0]), c);
  CHECK_RET("in/scm-cred-sender", wait_status(c), 0);
  CHECK_RET("in/scm-send-own-number", send_cred(o->sp_cred[1], 1), 0);
  close(sp[0]);
  close(sp[1]);
  /* a lock of the outer parent (0 here), one of a child (its number) */
  CHECK_RET("in/getlk-outer-0", getlk_pid(o->lockfd, 0), 0);
  int p[2], q[2];
  pipe(p);
  pipe(q);
  c = fork();
  if (c == 0) {
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 10, .l_len = 2 };
    char x = fcntl(o->lockfd, F_SETLK, &fl) == 0 ? 'y' : 'n';
    write(p[1], &x, 1);
    read(q[0], &x, 1);
    _exit(0);
  }
  char x = 0;
  read(p[0], &x, 1);
  CHECK_RET("in/getlk-inner-number", getlk_pid(o->lockfd, 10), c);
  write(q[1], "x", 1);
  wait_status(c);
  close(q[0]);
  close(q[1]);
  close(p[0]);
  close(p[1]);
  /* System V: the last user is us (1), the creator is outside (0) */
  void *a = shmat(o->shmid, NULL, 0);
  struct shmid_ds sd;
  CHECK("in/shm-lpid-1-cpid-0",
        a != (void *)-1 && shmctl(o->shmid, IPC_STAT, &sd) == 0 && sd.shm_lpid == 1 && sd.shm_cpid == 0);
  shmdt(a); /* (still us: a later fork would be the last user on Linux) */
  struct { long type; char text[4]; } mb = { 1, "x" };
  struct msqid_ds md;
  CHECK("in/msg-lspid-1",
        msgsnd(o->msqid, &mb, 1, 0) == 0 && msgctl(o->msqid, IPC_STAT, &md) == 0 && md.msg_lspid == 1);
  struct sembuf op = { 0, 1, 0 };
  CHECK("in/sem-getpid-1", semop(o->semid, &op, 1) == 0 && semctl(o->semid, 0, GETPID) == 1);
  /* mq_notify: the sender as the registered process's namespace numbers it */
  CHECK_RET("in/mq-send-to-outer", mq_send(o->q1, "m", 1, 0) ? -errno : 0, 0);
  mqd_t q2 = mq_open(o->q2name, O_RDWR);
  CHECK_RET("in/mq-notify", notify(q2, SIGUSR2), 0);
  c = fork();
  if (c == 0)
    _exit(mq_send(q2, "m", 1, 0) == 0 ? 0 : 1);
  CHECK_RET("in/mq-notify-si-pid-inner", wait_mq_sig(1), c);
  wait_status(c);
  ptrace_fork_event();
  write(ready, "r", 1);
  read(go, &x, 1);
}

static void test_ids(void)
{
  struct ids_objs o;
  socketpair(AF_UNIX, SOCK_STREAM, 0, o.sp_out);
  socketpair(AF_UNIX, SOCK_DGRAM, 0, o.sp_cred);
  int one = 1;
  setsockopt(o.sp_cred[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
  const char *tmp = getenv("ABI_TMP") ? getenv("ABI_TMP") : "/tmp";
  char file[96], q1name[40];
  snprintf(file, sizeof(file), "%s/pidns-lock.%d", tmp, getpid());
  o.lockfd = open(file, O_CREAT | O_RDWR, 0600);
  unlink(file);
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 2 };
  CHECK_RET("out/setlk", fcntl(o.lockfd, F_SETLK, &fl) ? -errno : 0, 0);
  o.shmid = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
  o.msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  o.semid = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
  snprintf(q1name, sizeof(q1name), "/pidns-q1.%d", getpid());
  snprintf(o.q2name, sizeof(o.q2name), "/pidns-q2.%d", getpid());
  struct mq_attr at = { .mq_maxmsg = 4, .mq_msgsize = 8 };
  o.q1 = mq_open(q1name, O_CREAT | O_RDWR, 0600, &at);
  mqd_t q2 = mq_open(o.q2name, O_CREAT | O_RDWR, 0600, &at);
  CHECK("out/objects", o.lockfd >= 0 && o.shmid >= 0 && o.msqid >= 0 && o.semid >= 0 && o.q1 != (mqd_t)-1 &&
                       q2 != (mqd_t)-1);
  CHECK_RET("out/mq-notify", notify(o.q1, SIGUSR1), 0);
  int ready[2], go[2];
  pipe(ready);
  pipe(go);
  pid_t c = (pid_t)raw5(SYS_clone, K_CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
  if (c == 0) {
    abi_child_start();
    ids_init_side(&o, ready[1], go[0]);
    abi_child_exit();
  }
  char x = 0;
  CHECK("out/inner-ready", c > 0 && read(ready[0], &x, 1) == 1);
  /* the same ids seen from here: the child's number here */
  CHECK_RET("out/scm-cred-outer-number", recv_cred(o.sp_cred[0]), c);
  struct shmid_ds sd;
  CHECKF("out/shm-lpid", shmctl(o.shmid, IPC_STAT, &sd) == 0 && sd.shm_lpid == c && sd.shm_cpid == getpid(),
         "lpid %d cpid %d, want %d %d", sd.shm_lpid, sd.shm_cpid, c, getpid());
  struct msqid_ds md;
  CHECK("out/msg-lspid", msgctl(o.msqid, IPC_STAT, &md) == 0 && md.msg_lspid == c);
  CHECK_RET("out/sem-getpid", semctl(o.semid, 0, GETPID), c);
  CHECK_RET("out/mq-notify-si-pid", wait_mq_sig(0), c);
  write(go[1], "g", 1);
  CHECK_RET("in/finished", wait_status(c), 0);
  shmctl(o.shmid, IPC_RMID, NULL);
  msgctl(o.msqid, IPC_RMID, NULL);
  semctl(o.semid, 0, IPC_RMID);
  mq_unlink(q1name);
  mq_unlink(o.q2name);
}

/* A process that joined a namespace from above (unshare, then fork) is a
 * subreaper; an orphan of its child still goes to the namespace's init. */
static void test_subreaper(void)
{
  CHECK_RET("set-subreaper", prctl(PR_SET_CHILD_SUBREAPER, 1) ? -errno : 0, 0);
  CHECK_RET("unshare", raw1(SYS_unshare, K_CLONE_NEWPID), 0);
  int hold[2], rep[2];
  pipe(hold);
  pipe(rep);
  pid_t i = fork();
  if (i == 0) {
    char x;
    close(hold[1]);
    read(hold[0], &x, 1);
    _exit(0);
  }
  pid_t b = fork();
  if (b == 0) {
    close(hold[1]);
    if (fork() == 0) {
      for (int n = 0; n < 2000 && getppid() == 2; n++)
        usleep(1000);
      pid_t pp = getppid();
      write(rep[1], &pp, sizeof(pp));
      _exit(0);
    }
    _exit(0);
  }
  CHECK_RET("middle-exits", wait_status(b), 0);
  pid_t pp = -1;
  read(rep[0], &pp, sizeof(pp));
  CHECK_RET("orphan-goes-to-namespace-init", pp, 1);
  close(hold[1]);
  CHECK_RET("init-exits", wait_status(i), 0);
}
