#!/usr/bin/env python3
"""check-contracts.py — does every kernel file say what it is, and every
exported function its contract?

Usage: scripts/check-contracts.py [--report] [--list] [DIR...]

Reads the kernel's sources (SOURCE_DIRS; no build needed) and counts, per
directory (not recursive: fs/, fs/ext4/ and fs/fat/ are three directories):

  header   a .c/.h/.S file whose opening comment is missing (the first thing
           in the file must be a comment) or does not name the file's layer
           (a word "layer" in it: "Layer: fs, the VFS core. ...");
  contract a function declared in a header (a prototype, or a static inline
           function defined there) with no comment immediately above it.
           One comment may cover a group of related declarations: the
           declarations right below it, with no blank line between them
           (code between them, a struct say, is part of the group). A
           comment on the same line after the declaration does not count,
           nor does a section divider ("/* ---- fs/vfs.c ---- */").

  wide     a comment covering more than MAX_GROUP declarations: the ones
           past the MAX_GROUP-th (a "group" that long is a list, not
           related declarations sharing one contract).

A directory in ENFORCED fails the check (FAIL:, exit status 1) on a
header or contract problem, one in WIDE_ENFORCED also on a wide group; the
others are only counted (a "todo" line), so progress can be measured and a
directory enforced once it is clean. --list prints every
problem, enforced or not; --report prints only the counts. With DIR
arguments, only those directories are read.

Run by the `layers` test (testsuite/tests/layers.sh).
"""
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE_DIRS = ('arch', 'kern', 'drivers', 'fs', 'net', 'ipc')

# Directories where a problem is a FAIL (add one here when it is clean).
ENFORCED = {
    'arch/riscv',
    'arch/riscv/vdso',
    'drivers',
    'kern',
    'kern/libc',
    'fs',
    'fs/ext4',
    'fs/fat',
    'ipc',
    'net',
    'net/port',
    'net/port/arch',
}

# Directories where a comment may cover at most MAX_GROUP declarations
# (today every enforced directory; a new one may join ENFORCED first).
WIDE_ENFORCED = set(ENFORCED)
MAX_GROUP = 6

DIVIDER = re.compile(r'^/\*\s*-{2,}.*-{2,}\s*\*/$|^/\*\s*={2,}.*={2,}\s*\*/$')
KEYWORDS = {'if', 'while', 'for', 'switch', 'return', 'sizeof', 'typeof', '__typeof__',
            '__attribute__', 'defined', 'asm', '__asm__', 'alignof', '_Alignof',
            '__builtin_offsetof', 'offsetof'}


def strip(text):
    """(code, comment_lines): the text with comments, strings and preprocessor
    lines blanked (newlines kept, so line numbers hold), and for each line
    whether a comment ends on it and whether that comment is a divider."""
    out = []
    comment_end = {}      # line number (1-based) -> (is_divider, starts_line)
    i, n, line = 0, len(text), 1
    at_line_start = True  # only whitespace so far on this line
    while i < n:
        c = text[i]
        if c == '\n':
            out.append(c)
            line += 1
            i += 1
            at_line_start = True
            continue
        if at_line_start and c == '#':
            # preprocessor line (with continuations): blank it
            while i < n and text[i] != '\n':
                if text[i] == '\\' and i + 1 < n and text[i + 1] == '\n':
                    out.append(' \n')
                    line += 1
                    i += 2
                    continue
                if text.startswith('/*', i):
                    break
                out.append(' ')
                i += 1
            at_line_start = False
            continue
        if text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            body = text[i:j]
            first_line = line
            for ch in body:
                out.append('\n' if ch == '\n' else ' ')
            line += body.count('\n')
            comment_end[line] = (bool(DIVIDER.match(body.strip())) and '\n' not in body,
                                 at_line_start, first_line)
            i = j
            continue
        if text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            comment_end[line] = (False, at_line_start, line)
            out.append(' ' * (j - i))
            i = j
            continue
        if c in '"\'':
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            j = min(j + 1, n)
            seg = text[i:j]
            out.append(''.join('\n' if ch == '\n' else ' ' for ch in seg))
            line += seg.count('\n')
            i = j
            at_line_start = False
            continue
        if not c.isspace():
            at_line_start = False
        out.append(c)
        i += 1
    return ''.join(out), comment_end


def statements(code):
    """Top-level statements of stripped code: (first_line, last_line, text, has_body)."""
    out = []
    depth, paren = 0, 0
    start, buf = None, []
    line = 1
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        if c == '\n':
            line += 1
        if depth == 0 and start is None and not c.isspace():
            start = line
        if depth == 0:
            buf.append(c)
        if c == '(':
            paren += 1
        elif c == ')':
            paren -= 1
        elif c == '{':
            depth += 1
        elif c == '}':
            depth -= 1
            if depth == 0:
                # a function body ends the statement; a struct/enum body goes on to ';'
                text = ''.join(buf)
                if re.search(r'\)\s*(?:__attribute__\s*\(\(.*?\)\)\s*)*\{$', text.strip()) \
                        and not re.match(r'\s*(typedef|struct|union|enum)\b[^(]*\{', text):
                    out.append((start, line, text, True))
                    start, buf = None, []
        elif c == ';' and depth == 0 and paren == 0:
            out.append((start, line, ''.join(buf), False))
            start, buf = None, []
        i += 1
    return out


def function_name(text, has_body):
    """The name of the function this statement declares, or None."""
    t = re.sub(r'__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)', ' ', text)
    t = re.sub(r'\s+', ' ', t).strip()
    if t.startswith(('typedef', 'extern "C"')):
        return None
    if has_body:
        if not re.match(r'(static\b|extern\b)', t) and 'inline' not in t:
            return None
        t = t[:t.rfind('{')]
    # the first "name (" at paren depth 0 that is not a keyword or macro call
    depth = 0
    for m in re.finditer(r'[()]|\b[A-Za-z_]\w*\b\s*(?=\()', t):
        s = m.group(0)
        if s == '(':
            depth += 1
            continue
        if s == ')':
            depth -= 1
            continue
        name = s.strip()
        if depth != 0 or name in KEYWORDS:
            continue
        before = t[:m.start()].rstrip()
        if not before or before.endswith((',', '=')):
            return None          # a macro invocation, or an initialiser
        # "(*name)(...)": a function pointer variable, not a function
        if re.search(r'\(\s*\*\s*$', before):
            return None
        return name
    return None


def kernel_files(dirs):
    out = []
    for d in dirs:
        for root, subdirs, files in os.walk(os.path.join(TOP, d)):
            subdirs.sort()
            for f in sorted(files):
                if f.endswith(('.c', '.h', '.S')):
                    out.append(os.path.relpath(os.path.join(root, f), TOP))
    return out


def check_header(path, text):
    """None if the file opens with a comment that names its layer, else why not."""
    m = re.match(r'\s*(/\*.*?\*/|(?://[^\n]*\n\s*)+)', text, re.S)
    if not m:
        return 'no opening comment'
    if not re.search(r'\blayers?\b', m.group(1), re.I):
        return 'the opening comment does not name its layer ("Layer: ...")'
    return None


def check_contracts(path, text):
    """([(line, name)] of functions declared in a header with no comment above,
    [(line, name)] of those past the MAX_GROUP-th under one comment)."""
    code, comments = strip(text)
    lines = code.split('\n')
    blank = [not l.strip() for l in lines]   # index = line - 1
    bad, wide = [], []
    under = {}                               # comment's last line -> declarations below it
    for first, last, stmt, has_body in statements(code):
        name = function_name(stmt, has_body)
        if not name:
            continue
        # walk up from the line above the declaration: over code lines of the
        # group, to the end of a comment; a blank line or the file's start ends it
        ln = first - 1
        covered = False
        while ln >= 1:
            if ln in comments:
                divider, own_line, cstart = comments[ln]
                if not divider and own_line:
                    covered = True
                    under[ln] = under.get(ln, 0) + 1
                    if under[ln] > MAX_GROUP:
                        wide.append((first, name))
                    break
                if divider:
                    break
                ln = cstart - 1 if own_line else ln - 1   # a trailing comment: keep walking
                continue
            if blank[ln - 1]:
                break
            ln -= 1
        if not covered:
            bad.append((first, name))
    return bad, wide


def dir_of(path):
    return os.path.dirname(path)


def main():
    argv = sys.argv[1:]
    report = '--report' in argv
    listing = '--list' in argv
    dirs = [a.rstrip('/') for a in argv if not a.startswith('--')] or list(SOURCE_DIRS)
    stats = {}
    problems = {}
    for path in kernel_files(dirs):
        d = dir_of(path)
        st = stats.setdefault(d, {'files': 0, 'noheader': 0, 'decls': 0, 'nocontract': 0, 'wide': 0})
        pr = problems.setdefault(d, [])
        text = open(os.path.join(TOP, path), errors='replace').read()
        st['files'] += 1
        why = check_header(path, text)
        if why:
            st['noheader'] += 1
            pr.append(f'{path}:1: {why}')
        if path.endswith('.h'):
            code, _ = strip(text)
            st['decls'] += sum(1 for s in statements(code) if function_name(s[2], s[3]))
            bad, wide = check_contracts(path, text)
            for ln, name in bad:
                st['nocontract'] += 1
                pr.append(f'{path}:{ln}: {name}() has no comment above it')
            for ln, name in wide:
                st['wide'] += 1
                pr.append(f'{path}:{ln}: {name}() shares its comment with more than '
                          f'{MAX_GROUP} declarations')
    fail = 0
    tot = {'files': 0, 'noheader': 0, 'decls': 0, 'nocontract': 0, 'wide': 0}
    if report or listing:
        print(f'{"directory":<16} {"files":>5} {"no header":>9} {"functions":>9} {"no contract":>11} '
              f'{"wide":>5}')
    for d in sorted(stats):
        st = stats[d]
        for k in tot:
            tot[k] += st[k]
        enforced = d in ENFORCED
        wide_enforced = d in WIDE_ENFORCED
        n = st['noheader'] + st['nocontract'] + (st['wide'] if wide_enforced else 0)
        if report or listing:
            mark = ('enforced' if enforced else '') + (' +wide' if wide_enforced else '')
            print(f'{d:<16} {st["files"]:>5} {st["noheader"]:>9} {st["decls"]:>9} '
                  f'{st["nocontract"]:>11} {st["wide"]:>5}  {mark}')
            if listing:
                for p in problems[d]:
                    print(f'    {p}')
            continue
        counts = (f'{st["noheader"]}/{st["files"]} files without a header naming the layer, '
                  f'{st["nocontract"]}/{st["decls"]} header functions without a comment, '
                  f'{st["wide"]} past the {MAX_GROUP}th under one comment')
        if enforced and n:
            print(f'FAIL: contracts/{d}: {counts}')
            for p in problems[d]:
                print(f'    {p}')
            fail = 1
        elif enforced:
            print(f'PASS: contracts/{d}: every file has a header, every header function a comment')
            if st['wide'] and not wide_enforced:
                print(f'todo: contracts/{d}: {st["wide"]} declarations past the {MAX_GROUP}th '
                      'under one comment (wide groups not enforced yet)')
        else:
            print(f'todo: contracts/{d}: {counts} (not enforced yet)')
    if report or listing:
        print(f'{"total":<16} {tot["files"]:>5} {tot["noheader"]:>9} {tot["decls"]:>9} '
              f'{tot["nocontract"]:>11} {tot["wide"]:>5}')
        return 0
    stale = sorted(d for d in ENFORCED | WIDE_ENFORCED
                   if d not in stats and dirs == list(SOURCE_DIRS))
    for d in stale:
        print(f'FAIL: contracts: ENFORCED names {d}, which has no kernel files')
        fail = 1
    return fail


if __name__ == '__main__':
    sys.exit(main())
