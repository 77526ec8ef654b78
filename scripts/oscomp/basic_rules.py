"""basic_rules.py — the checks the judge makes on each of the 32 programs of
the OSComp basic group, written down as a table (score.py's `basic`; the
rules in docs/oscomp.md). Each program prints its lines between
"========== START test_<name> ==========" and "========== END ... ==========";
the checks look at those lines by position. A test scores one point per
check that holds, in order, up to the first that fails; the first check of
each is "enough lines". 102 points in all.
"""
import re


class Checks:
    """Counts the checks that hold; stops at the first one that fails."""
    class Stop(Exception):
        pass

    def __init__(self, lines):
        self.d = lines
        self.points = 0

    def ok(self, cond):
        if not cond:
            raise self.Stop()
        self.points += 1

    def lines(self, n, exact=False):
        self.ok(len(self.d) == n if exact else len(self.d) >= n)

    def eq(self, i, text):
        self.ok(self.d[i] == text)

    def has(self, i, text):
        self.ok(text in self.d[i])

    def any_line(self, pattern):
        self.ok(any(re.search(pattern, l) for l in self.d))

    def num(self, i, pattern):
        """The first group of pattern in line i, or None (the check is skipped)."""
        m = re.findall(pattern, self.d[i])
        return m[0] if m else None


def _brk(c):
    c.lines(3)
    v = [c.num(i, p) for i, p in enumerate([r"Before alloc,heap pos: (.+)", r"After alloc,heap pos: (.+)",
                                            r"Alloc again,heap pos: (.+)"])]
    if None in v:
        return
    a = [int(x) for x in v]
    c.ok(a[0] + 64 == a[1])
    c.ok(a[1] + 64 == a[2])


def _chdir(c):
    c.lines(2)
    r = c.num(0, r"chdir ret: (\d)+")
    if r is not None:
        c.ok(r == "0")
    c.has(1, "test_chdir")


def _clone(c):
    c.lines(3)
    c.any_line(r"  Child says successfully!")
    c.any_line(r"pid:\d+")
    c.any_line(r"clone process successfully.")


def _dup(c):
    c.lines(1)
    r = c.num(0, r"  new fd is (\d+).")
    if r is not None:
        c.ok(int(r) != 1)


def _fstat(c):
    c.lines(2)
    r = c.num(0, r"fstat ret: (\d+)")
    if r is not None:
        c.ok(r == "0")
    m = re.findall(r"fstat: dev: \d+, inode: \d+, mode: (\d+), nlink: (\d+), size: \d+, atime: \d+, "
                   r"mtime: \d+, ctime: \d+", c.d[1])
    if m:
        c.ok(m[0][1] == "1")


def _getdents(c):
    c.lines(4)
    r = c.num(0, r"open fd:(\d+)")
    if r is not None:
        c.ok(int(r) > 1)
    r = c.num(1, r"getdents fd:(\d+)")
    if r is not None:
        c.ok(int(r) > 1)
    c.eq(2, "getdents success.")
    c.ok(len(c.d[3]) >= 1)


def _getpid(c):
    c.lines(2)
    c.eq(0, "getpid success.")
    r = c.num(1, r"pid = (\d+)")
    if r is not None:
        c.ok(int(r) > 0)


def _gettimeofday(c):
    c.lines(3)
    c.eq(0, "gettimeofday success.")
    r = c.num(2, r"interval: (\d+)")
    if r is not None:
        c.ok(int(r) > 0)


def _file_len(c):
    r = c.num(0, r"file len: (\d+)")
    if r is not None:
        c.ok(int(r) >= 27)


def _mmap(c):
    c.lines(2)
    _file_len(c)
    c.eq(1, "mmap content:   Hello, mmap successfully!")


def _munmap(c):
    c.lines(3)
    _file_len(c)
    c.eq(1, "munmap return: 0")
    c.eq(2, "munmap successfully!")


def _mount(c):
    c.lines(4)
    c.ok(re.search(r"Mounting dev:(.+) to ./mnt", c.d[0]) is not None)
    c.eq(1, "mount return: 0")
    c.eq(2, "mount successfully")
    c.eq(3, "umount return: 0")


def _umount(c):
    c.lines(4)
    c.ok(re.search(r"Mounting dev:(.+) to ./mnt", c.d[0]) is not None)
    c.eq(1, "mount return: 0")
    c.eq(2, "umount success.")
    c.eq(3, "return: 0")


def _openat(c):
    c.lines(3)
    r = c.num(0, r"open dir fd: (\d+)")
    if r is not None:
        c.ok(int(r) > 1)
    r1 = c.num(1, r"openat fd: (\d+)")
    if r1 is not None and r is not None:
        c.ok(int(r1) > int(r))
    c.eq(2, "openat success.")


def _pipe(c):
    c.lines(3)
    head = c.d[:3]
    c.ok("cpid: 0" in head)
    c.ok(any(re.match(r"cpid: (\d+)", l) and int(re.match(r"cpid: (\d+)", l).group(1)) > 0 for l in head))
    c.eq(2, "  Write to pipe successfully.")


def _times(c):
    c.lines(2)
    c.eq(0, "mytimes success")
    m = re.findall(r"\{tms_utime:(.+), tms_stime:(.+), tms_cutime:(.+), tms_cstime:(.+)}", c.d[1])
    if m:
        for v in m[0]:
            try:
                c.ok(int(v) >= 0)
            except ValueError:
                c.ok(False)


def _yield(c):
    c.lines(15, exact=True)
    digits = "".join(c.d)
    for ch in "012":
        c.ok(digits.count(ch) >= 3)


def _text_file(c):
    c.lines(2)
    c.eq(0, "Hi, this is a text file.")
    c.eq(1, "syscalls testing success!")


def _child_wait(second, status):
    def f(c):
        c.lines(3)
        c.eq(0, "This is child process")
        c.eq(1, second)
        c.eq(2, status)
    return f


def _simple(n, *checks):
    """n lines at least, then (kind, index-or-pattern, text) checks."""
    def f(c):
        c.lines(n)
        for kind, a, b in checks:
            if kind == "eq":
                c.eq(a, b)
            elif kind == "has":
                c.has(a, b)
            else:
                c.any_line(a)
    return f


RULES = {
    "brk": (3, _brk), "chdir": (3, _chdir), "clone": (4, _clone),
    "close": (2, _simple(1, ("any", r"  close \d+ success.", None))),
    "dup2": (2, _simple(1, ("eq", 0, "  from fd 100"))), "dup": (2, _dup),
    "execve": (3, _simple(2, ("eq", 0, "  I am test_echo."), ("eq", 1, "execve success."))),
    "exit": (2, _simple(1, ("eq", 0, "exit OK."))),
    "fork": (3, _simple(2, ("any", r"  parent process\. wstatus:\d+", None), ("any", r"  child process", None))),
    "fstat": (3, _fstat),
    "getcwd": (2, _simple(1, ("any", r"getcwd: (.+) successfully!", None))),
    "getdents": (5, _getdents), "getpid": (3, _getpid),
    "getppid": (2, _simple(1, ("has", 0, "  getppid success. ppid : "))),
    "gettimeofday": (3, _gettimeofday),
    "mkdir": (3, _simple(2, ("has", 0, "mkdir ret:"), ("has", 1, "  mkdir success."))),
    "mmap": (3, _mmap), "mount": (5, _mount), "munmap": (4, _munmap), "open": (3, _text_file),
    "openat": (4, _openat), "pipe": (4, _pipe), "read": (3, _text_file),
    "sleep": (2, _simple(1, ("eq", 0, "sleep success."))), "times": (6, _times), "umount": (5, _umount),
    "uname": (2, _simple(1, ("has", 0, "Uname: "))),
    "unlink": (2, _simple(1, ("eq", 0, "  unlink success!"))),
    "wait": (4, _child_wait("wait child success.", "wstatus: 0")),
    "waitpid": (4, _child_wait("waitpid successfully.", "wstatus: 3")),
    "write": (2, _simple(1, ("eq", 0, "Hello operating system contest."))), "yield": (4, _yield),
}


def test_blocks(lines):
    """{name: [lines]} for each "========== START test_<name>" block."""
    out, cur = {}, None
    for l in lines:
        m = re.match(r"========== START test_(\w+) ==========", l)
        if m:
            cur = m.group(1)
            out[cur] = []
            continue
        if re.match(r"========== END test_\w+ ==========", l):
            cur = None
            continue
        if cur is not None:
            out[cur].append(l)
    return out


def score(lines):
    """(points, 102, {test: (points, max)}) for the basic group's lines."""
    blocks = test_blocks(lines)
    pts, det = 0, {}
    for name, (mx, rule) in RULES.items():
        p = 0
        if name in blocks:
            c = Checks(blocks[name])
            try:
                rule(c)
            except (Checks.Stop, IndexError):
                pass
            p = min(c.points, mx)
        pts += p
        det[name] = (p, mx)
    return pts, sum(mx for mx, _ in RULES.values()), det
