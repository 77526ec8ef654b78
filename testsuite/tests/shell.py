#!/usr/bin/env python3
"""shell.py — drive `make run` like a person at the console.

Boots Kite with `make run` (stdin and stdout are pipes: no terminal), waits
for the busybox prompt, types commands, and checks what comes back: a pipe,
ls -l /, cat /init, uname -a, Ctrl-C during `sleep` (the shell must survive),
and `poweroff -f` (QEMU must exit with status 0).
"""
import os, select, subprocess, sys, time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
failures = 0
out = b""


def result(ok, what, detail=""):
    global failures
    if ok:
        print(f"PASS: shell/{what}")
    else:
        failures += 1
        print(f"FAIL: shell/{what} {detail}")


def read_until(proc, needle, timeout):
    """Read the console until needle appears after the current position."""
    global out
    start = len(out)
    deadline = time.time() + timeout
    while time.time() < deadline:
        if needle in out[start:]:
            return True
        r, _, _ = select.select([proc.stdout], [], [], 0.2)
        if r:
            chunk = os.read(proc.stdout.fileno(), 4096)
            if not chunk:
                break
            out += chunk
    return needle in out[start:]


def main():
    proc = subprocess.Popen(["make", "-s", "run"], cwd=TOP, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    prompt = b"~# "
    result(read_until(proc, prompt, 180), "boots to the busybox prompt")

    def cmd(line, expect, what, timeout=30):
        mark = len(out)
        proc.stdin.write(line.encode() + b"\n")
        proc.stdin.flush()
        ok = read_until(proc, expect, timeout)
        read_until(proc, prompt, 10)
        result(ok, what, repr(out[mark:][-300:]))

    cmd("echo hi | cat", b"\nhi\r\n", "echo hi | cat")
    cmd("ls -l /", b"init", "ls -l /")
    cmd("cat /init", b"#!/bin/sh", "cat /init")
    cmd("uname -a", b"Linux kite", "uname -a")
    # Ctrl-C while a command runs: the command dies, the shell lives.
    proc.stdin.write(b"sleep 30\n")
    proc.stdin.flush()
    time.sleep(2)
    proc.stdin.write(b"\x03")
    proc.stdin.flush()
    result(read_until(proc, prompt, 10), "Ctrl-C interrupts sleep and returns to the prompt")
    cmd("echo still-$((40+2))", b"still-42", "the shell survives Ctrl-C")
    # Ctrl-C at an empty prompt does not kill the shell either.
    proc.stdin.write(b"\x03")
    proc.stdin.flush()
    read_until(proc, prompt, 5)
    cmd("echo alive", b"alive", "Ctrl-C at the prompt leaves the shell running")
    proc.stdin.write(b"poweroff -f\n")
    proc.stdin.flush()
    try:
        status = proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        status = "timeout"
    result(status == 0, "poweroff -f ends QEMU with exit status 0", f"(status {status})")
    if failures:
        sys.stdout.write("--- console ---\n" + out.decode(errors="replace")[-3000:] + "\n")
    return 1 if failures else 0


sys.exit(main())
