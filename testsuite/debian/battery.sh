#!/bin/bash
# battery.sh — ordinary tasks on a Debian userland (testsuite/debian): the
# same script runs in the same Debian trixie riscv64 root on Kite and, as
# the reference, under qemu-riscv64 on Linux (testsuite/tests/debian.sh).
#
# Each task is a bash function whose output must not depend on the kernel
# underneath (no pids, times, sizes of file-system blocks). For each one
# this prints its output lines as "OUT <task>| <line>", then
# "TASK <task> <exit status> <md5 of the output>"; the host compares the
# two runs task by task. The last line is "BATTERY-DONE".
set -u
export LC_ALL=C TZ=UTC HOME=/root PATH=/usr/local/bin:/usr/bin:/usr/sbin
W=$(mktemp -d /tmp/battery.XXXXXX)
cd "$W" || exit 1

task_bash_arrays() {
  local -a a=(one two "three four")
  declare -A m=([x]=1 [y]=2)
  a+=(five)
  echo "${#a[@]} ${a[2]} ${a[*]:1:2}"
  for k in $(printf '%s\n' "${!m[@]}" | sort); do echo "$k=${m[$k]}"; done
  mapfile -t lines < <(printf 'l1\nl2\nl3\n')
  echo "mapfile ${#lines[@]} ${lines[-1]}"
  local s="Hello, World"
  echo "${s,,} ${s^^} ${s/World/Kite} ${#s} ${s:7}"
  (( n = 6 * 7 )); echo "arith $n $(( 2 ** 10 )) $(( 17 % 5 ))"
  [[ "abc123" =~ ^([a-z]+)([0-9]+)$ ]] && echo "regex ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
  printf -v joined '%s,' "${a[@]}"; echo "${joined%,}"
  case "file.tar.gz" in *.tar.gz) echo "case ok" ;; esac
  f() { local v=$1; echo "fn $v $#"; return 3; }; f a b; echo "rc $?"
}

task_process_substitution() {
  diff <(printf 'a\nb\nc\n') <(printf 'a\nB\nc\n')
  echo "diff rc $?"
  while read -r x; do echo "read $x"; done < <(seq 3)
  cat <(echo from-a-pipe) <(echo and-another)
  wc -l < <(seq 100)
  paste <(seq 3) <(seq 4 6)
  exec 3< <(echo on-fd-3); cat <&3; exec 3<&-
  echo "via /dev/fd: $(cat /dev/fd/0 <<< here-string)"
  tee >(tr a-z A-Z > upper.txt) <<< "teed text" > /dev/null
  sleep 0.2; cat upper.txt
}

task_job_control() {
  set -m
  sleep 30 &
  local pid=$!
  jobs | sed 's/  */ /g'
  kill -STOP %1; sleep 0.3
  jobs | sed 's/  */ /g'
  [ "$(ps -o stat= -p "$pid" | cut -c1)" = T ] && echo "stopped per ps"
  kill -CONT %1; sleep 0.3
  jobs | sed 's/  */ /g'
  kill %1; wait %1; echo "wait status $?"
  jobs; echo "no jobs left"
  ( exit 7 ) & wait $!; echo "subshell $?"
  sleep 0.1 & sleep 0.2 & wait; echo "waited all"
  # a process group of its own for a background job
  sleep 5 & local bg=$!
  [ "$(ps -o pgid= -p $bg | tr -d ' ')" = "$bg" ] && echo "background job leads its group"
  kill $bg; wait $bg 2>/dev/null
  set +m
  trap 'echo trapped USR1' USR1; kill -USR1 $$; trap - USR1
}

task_coreutils() {
  seq 1 20 | sort -rn | head -3
  printf 'b 2\na 1\nc 3\na 1\n' | sort | uniq -c | sed 's/^ *//'
  printf 'x,y,z\n1,2,3\n' | cut -d, -f2
  echo "Hello" | tr 'a-z' 'A-Z'
  printf 'one\ntwo\nthree\n' > f.txt; wc -l -w -c < f.txt
  tail -n 2 f.txt; md5sum f.txt; sha256sum f.txt | cut -c1-16
  base64 f.txt; base64 -d <<< "aGVsbG8K"
  date -u -d @0 '+%Y-%m-%d %H:%M:%S'; date -u -d '2024-02-29 12:00' +%j
  touch -d '2020-01-02 03:04:05' f.txt; stat -c '%a %s %F %Y' f.txt
  mkdir -p d/e/f; cp -a f.txt d/e/f/; ln -s ../f.txt d/link; mv d/e/f/f.txt d/e/g.txt
  find d | sort; readlink d/link; readlink -f d/link | sed "s|$W|W|"
  ls -l --time-style=+%F d/e | tail -n +2 | awk '{print $1, $6, $7}'
  split -l 1 f.txt part-; ls part-*; cat part-* | tr '\n' ' '; echo
  printf '1 a\n2 b\n' > j1; printf '1 x\n2 y\n' > j2; join j1 j2
  numfmt --to=iec 1048576; expr 6 \* 7; factor 360; echo "$(nproc --all >/dev/null && echo nproc-ok)"
  printf '%s\n' c b a | sort | tac | nl -ba | sed 's/^ *//'
  dd if=/dev/zero bs=1k count=64 2>/dev/null | od -An -tx1 | sort -u
  head -c 100000 /dev/urandom | wc -c
  df -P / /dev/shm > /dev/null && echo "df ok"
  id -u; whoami; uname -s; test -w /tmp && echo "tmp writable"
  yes | head -3; true; false || echo "false is false"
  env -i A=1 sh -c 'echo env $A'; printenv TZ
  install -m 640 f.txt inst.txt; stat -c %a inst.txt
  shred -u inst.txt && [ ! -e inst.txt ] && echo shredded
  sync; echo synced
}

# (generous time limits: under qemu-riscv64 on a loaded host a program
# can take a second to start; ptimer.c measures timers closely)
task_timeout() {
  local t0 t1
  timeout 5 true; echo "fast $?"
  t0=$(date +%s%N); timeout 1 sleep 10; echo "slow $?"; t1=$(date +%s%N)
  local ms=$(( (t1 - t0) / 1000000 ))
  if [ "$ms" -ge 900 ] && [ "$ms" -lt 5000 ]; then echo "stopped after about a second"; else echo "took $ms ms"; fi
  { timeout -s KILL 1 sleep 10; } 2>/dev/null; echo "kill $?"
  timeout --preserve-status 1 sleep 10; echo "preserve $?"
  timeout 2 bash -c 'trap "" TERM; sleep 4'; echo "ignored TERM $?"
  { timeout -k 1 2 bash -c 'trap "" TERM; sleep 8'; } 2>/dev/null; echo "then KILL $?"
}

task_python() {
  python3 - <<'PY'
import json, sqlite3, subprocess, threading, socket, os, sys, hashlib, tempfile, time
d = {"a": [1, 2, 3], "b": {"c": None, "d": True}, "e": "ünïcode"}
s = json.dumps(d, sort_keys=True)
print("json", s, json.loads(s) == d)
db = sqlite3.connect(os.path.join(tempfile.mkdtemp(), "t.db"))
db.execute("create table t (k integer primary key, v text)")
db.executemany("insert into t (v) values (?)", [("x%d" % i,) for i in range(100)])
db.commit()
print("sqlite", db.execute("select count(*), min(v), max(v) from t").fetchone(), sqlite3.sqlite_version)
r = subprocess.run(["sh", "-c", "echo out; echo err >&2; exit 3"], capture_output=True, text=True)
print("subprocess", r.returncode, r.stdout.strip(), r.stderr.strip())
print("pipe", subprocess.check_output("seq 5 | paste -sd+ | bc 2>/dev/null || seq 5 | paste -sd' '", shell=True, text=True).strip())
lock = threading.Lock(); total = [0]
def work(n):
    for _ in range(1000):
        with lock:
            total[0] += n
ts = [threading.Thread(target=work, args=(i,)) for i in range(1, 5)]
[t.start() for t in ts]; [t.join() for t in ts]
print("threads", total[0])
ev = threading.Event(); out = []
def waiter():
    ev.wait(5); out.append("woken")
t = threading.Thread(target=waiter); t.start(); time.sleep(0.1); ev.set(); t.join()
print("event", out)
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0)); srv.listen(1)
port = srv.getsockname()[1]
def serve():
    c, _ = srv.accept()
    data = c.recv(100)
    c.sendall(data.upper()); c.close()
st = threading.Thread(target=serve); st.start()
cl = socket.create_connection(("127.0.0.1", port)); cl.sendall(b"tcp echo")
print("socket", cl.recv(100)); cl.close(); st.join(); srv.close()
a, b = socket.socketpair(); a.sendall(b"pair"); print("socketpair", b.recv(10))
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
v = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); v.sendto(b"udp", u.getsockname())
print("udp", u.recvfrom(10)[0])
print("sha", hashlib.sha256(b"kite").hexdigest()[:16])
r, w = os.pipe(); pid = os.fork()
if pid == 0:
    os.close(r); os.write(w, b"from child"); os._exit(5)
os.close(w); msg = os.read(r, 100); _, st = os.waitpid(pid, 0)
print("fork", msg, os.waitstatus_to_exitcode(st))
PY
  echo "python rc $?"
  python3 - <<'PY'
import multiprocessing as mp
def sq(x):
    return x * x
def put(q, n):
    q.put(n * 10)
if __name__ == "__main__":
    with mp.Pool(2) as p:
        print("pool", p.map(sq, range(8)))
    q = mp.Queue()
    ps = [mp.Process(target=put, args=(q, i)) for i in range(3)]
    [p.start() for p in ps]; [p.join() for p in ps]
    print("queue", sorted(q.get() for _ in range(3)), [p.exitcode for p in ps])
    lock = mp.Lock(); val = mp.Value("i", 0)
    def inc(v, l):
        for _ in range(100):
            with l:
                v.value += 1
    ws = [mp.Process(target=inc, args=(val, lock)) for _ in range(3)]
    [w.start() for w in ws]; [w.join() for w in ws]
    print("shared value", val.value)
    with mp.Manager() as m:
        d = m.dict(); d["k"] = "v"; print("manager", dict(d))
PY
  echo "multiprocessing rc $?"
}

task_sqlite3() {
  sqlite3 t.db <<'SQL'
create table p (name text, qty integer);
insert into p values ('apple', 3), ('pear', 5), ('fig', 7);
select name, qty * 2 from p where qty > 3 order by name;
.mode csv
select * from p order by qty desc;
select sum(qty), group_concat(name, '+') from p;
SQL
  echo "rc $?"
  sqlite3 t.db 'pragma integrity_check;'
}

task_git() {
  export GIT_AUTHOR_NAME=Kite GIT_AUTHOR_EMAIL=kite@example.org GIT_COMMITTER_NAME=Kite
  export GIT_COMMITTER_EMAIL=kite@example.org GIT_AUTHOR_DATE='2024-01-01T00:00:00Z'
  export GIT_COMMITTER_DATE='2024-01-01T00:00:00Z' GIT_CONFIG_NOSYSTEM=1
  git config --global init.defaultBranch main
  git config --global safe.directory '*'
  git init -q repo && cd repo || return 1
  printf 'hello\n' > a.txt; mkdir sub; printf 'x\n' > sub/b.txt
  git add -A && git commit -q -m "first"
  printf 'world\n' >> a.txt; git commit -q -am "second"
  git log --format='%H %s'
  git rev-parse HEAD^{tree}
  git diff HEAD~1 --stat | tail -1
  git branch topic; git checkout -q topic; echo t > t.txt; git add t.txt; git commit -q -m topic
  git checkout -q main; git merge -q --no-ff -m merge topic; git log --oneline | wc -l
  git gc -q 2>/dev/null; git fsck --no-progress 2>&1 | grep -v '^dangling' ; echo "fsck done"
  cd ..
  git daemon --export-all --base-path="$W" --listen=127.0.0.1 --port=9418 --reuseaddr \
    --pid-file="$W/daemon.pid" --detach
  local i=0
  until git ls-remote git://127.0.0.1:9418/repo > /dev/null 2>&1 || [ $i -ge 50 ]; do sleep 0.2; i=$((i + 1)); done
  git clone -q git://127.0.0.1:9418/repo cloned && echo "cloned"
  (cd cloned && git rev-parse HEAD && cat a.txt && git log --oneline | wc -l)
  kill "$(cat "$W/daemon.pid")" 2>/dev/null
  git clone -q --bare repo bare.git && git -C bare.git rev-parse main
}

task_text_tools() {
  seq 1 10 > n.txt
  awk '{s += $1} END {print "sum", s}' n.txt
  sed -n '3,5p' n.txt | tr '\n' ' '; echo
  sed -i 's/^1$/one/' n.txt; head -1 n.txt
  grep -c '[0-9]' n.txt; grep -rl one . | sort
  find . -name 'n.*' -type f | xargs -I{} basename {}
  tar czf a.tgz n.txt && mkdir x && tar xzf a.tgz -C x && cmp n.txt x/n.txt && echo "tar round trip"
  gzip -k n.txt && gunzip -c n.txt.gz | wc -l
  perl -e 'print join(",", map { $_ * 2 } 1..5), "\n"' || echo "perl status $?"
  printf 'k=v\n' | perl -ne 'chomp; my ($k, $v) = split /=/; print "$v=$k\n"' || echo "perl status $?"
}

task_procfs() {
  [ -r /proc/self/status ] && grep -c '^Pid:' /proc/self/status
  ps -o comm= -p $$
  cat /proc/self/comm
  [ "$(readlink /proc/self/cwd)" = "$PWD" ] && echo "cwd link"
  grep -q ' / ' /proc/self/mountinfo && echo "mountinfo has /"
  [ -d /dev/shm ] && [ -w /dev/shm ] && echo "dev shm"
  ls /dev/fd/ > /dev/null && echo "dev fd"
  nproc > /dev/null && echo nproc
  free > /dev/null 2>&1 || true; echo "free ran"
  uptime > /dev/null && echo uptime
}

# In this shell, not a subshell (job control needs it): output to a file.
run_task() {
  local name=$1 rc
  cd "$W" || return
  "task_$name" > "$W/.out-$name" 2>&1
  rc=$?
  cd "$W" || return
  sed "s/^/OUT $name| /" "$W/.out-$name"
  echo "TASK $name $rc $(md5sum < "$W/.out-$name" | cut -d' ' -f1)"
}

for t in bash_arrays process_substitution job_control coreutils timeout python sqlite3 git \
         text_tools procfs; do
  run_task "$t"
done
cd / && rm -rf "$W"
echo BATTERY-DONE
