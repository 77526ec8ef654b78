#!/usr/bin/env python3
"""cpio-pagealign.py ARCHIVE — page-align the file data of a newc cpio archive, in place.

For every regular file of a page (4096 bytes) or more, NUL bytes are added
after its name (the header's namesize counts them) so that its data starts
on a page boundary of the archive. A newc reader takes the name up to its
first NUL and asks only that the name field end with one (Linux's
initramfs unpacker, GNU cpio, kern/cpio.c), so the archive unpacks to the
same tree. Kite's kernel links the archive page-aligned and gives those
pages to the files instead of copying them (fs/initramfs.c, docs/boot.md).

Everything else — order, headers, the trailer — is kept; the output is
padded to a multiple of 512 bytes as cpio pads its own.
"""
import sys

PAGE = 4096
HDR = 110


def pad4(n):
    return (n + 3) & ~3


def align(data):
    out = bytearray()
    off = 0
    while True:
        hdr = data[off:off + HDR]
        if len(hdr) < HDR or hdr[:6] not in (b"070701", b"070702"):
            sys.exit("cpio-pagealign: not a newc archive at offset %d" % off)
        fields = [int(hdr[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        mode, size, namesize = fields[1], fields[6], fields[11]
        name = data[off + HDR:off + HDR + namesize]
        data_off = pad4(off + HDR + namesize)
        body = data[data_off:data_off + size]
        off = pad4(data_off + size)
        last = name.rstrip(b"\0") == b"TRAILER!!!"
        if (mode & 0o170000) == 0o100000 and size >= PAGE:
            # the smallest namesize >= len(name) that puts the data on a page
            start = len(out) + HDR + len(name)
            name += b"\0" * ((-start) % PAGE)
            fields[11] = len(name)
        out += hdr[:6] + b"".join(b"%08X" % f for f in fields) + name
        out += b"\0" * (pad4(len(out)) - len(out))
        out += body
        out += b"\0" * (pad4(len(out)) - len(out))
        if last:
            break
    out += b"\0" * ((-len(out)) % 512)
    return bytes(out)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    path = sys.argv[1]
    with open(path, "rb") as f:
        data = f.read()
    out = align(data)
    with open(path, "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()
