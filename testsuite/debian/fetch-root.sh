#!/bin/sh
# fetch-root.sh — the Debian userland of the Debian battery (testsuite/
# debian, testsuite/tests/debian.sh): Debian 13 (trixie) riscv64 binary
# packages — bash, coreutils, python3, sqlite3, git, procps and what they
# depend on (resolved once with apt and pinned below; no compiler) —
# fetched with apt into the shared cache and unpacked with dpkg -x, as
# testsuite/net/fetch-iperf3.sh does. apt runs with its own state
# directory: the host's package lists and installation are untouched.
#
# The root is merged-/usr (bin, sbin, lib -> usr/...), gets the few files a
# Debian installation's maintainer scripts would have made (/etc/passwd,
# group, hosts, a machine id) and loses documentation, manuals and
# translations (smaller). Prints the root's path.
set -eu
# Pinned versions (trixie, riscv64). If the archive has moved on (a security
# update), the newest is taken and a warning says so.
PKGS="
  gcc-14-base=14.2.0-19 libc6=2.41-12+deb13u5 libgcc-s1=14.2.0-19 mawk=1.3.4.20250131-1
  base-files=13.8+deb13u8 libtinfo6=6.5+20250216-2 debianutils=5.23.2 bash=5.2.37-2+b10
  libacl1=2.3.2-2+b1 libattr1=1:2.5.2-3 libcap2=1:2.75-10+deb13u1+b3 libgmp10=2:6.3.0+dfsg-3
  libpcre2-8-0=10.46-1~deb13u3 libselinux1=3.8.1-1 libzstd1=1.5.7+dfsg-1
  zlib1g=1:1.3.dfsg+really1.3.1-1+deb13u1 libssl3t64=3.5.9-1~deb13u1
  openssl-provider-legacy=3.5.9-1~deb13u1 libsystemd0=257.13-1~deb13u1
  coreutils=9.7-3 diffutils=1:3.10-4 libbz2-1.0=1.0.8-6 liblzma5=5.8.1-1+deb13u2
  libmd0=1.1.0-2+b1 tar=1.35+dfsg-3.1 dpkg=1.22.22 findutils=4.10.0-3 grep=3.11-4
  gzip=1.13-1+deb13u1 libcrypt1=1:4.4.38-1 perl-base=5.40.1-6+deb13u1 sed=4.9-2+deb13u1
  init-system-helpers=1.69~deb13u1 libexpat1=2.9.0-1~deb13u1 libpython3.13-minimal=3.13.5-2+deb13u5
  python3.13-minimal=3.13.5-2+deb13u5 python3-minimal=3.13.5-1 media-types=13.0.0
  netbase=6.5 debconf=1.5.91 tzdata=2026f-0+deb13u1 libdb5.3t64=5.3.28+dfsg2-9
  libffi8=3.4.8-2 libncursesw6=6.5+20250216-2 readline-common=8.2-6 libreadline8t64=8.2-6
  libsqlite3-0=3.46.1-7+deb13u2 libuuid1=2.41.5-0+deb13u1 libpython3.13-stdlib=3.13.5-2+deb13u5
  python3.13=3.13.5-2+deb13u5 libpython3-stdlib=3.13.5-1 python3=3.13.5-1 libproc2-0=2:4.0.4-9
  procps=2:4.0.4-9 perl-modules-5.40=5.40.1-6+deb13u1 libgdbm6t64=1.24-2
  libgdbm-compat4t64=1.24-2 libperl5.40=5.40.1-6+deb13u1 perl=5.40.1-6+deb13u1
  libbrotli1=1.1.0-2+deb13u1 libnettle8t64=3.10.1-1 libhogweed6t64=3.10.1-1
  libunistring5=1.3-2 libidn2-0=2.3.8-2 libp11-kit0=0.25.5-3 libtasn1-6=4.20.0-2+deb13u1
  libgnutls30t64=3.8.9-3+deb13u4 libkrb5support0=1.21.3-5+deb13u1 libcom-err2=1.47.2-3+b12
  libk5crypto3=1.21.3-5+deb13u1 libkeyutils1=1.6.3-6 libkrb5-3=1.21.3-5+deb13u1
  libgssapi-krb5-2=1.21.3-5+deb13u1 libsasl2-modules-db=2.1.28+dfsg1-9
  libsasl2-2=2.1.28+dfsg1-9 libldap2=2.6.10+dfsg-1 libnghttp2-14=1.64.0-1.1+deb13u2
  libnghttp3-9=1.8.0-1 libngtcp2-16=1.11.0-1+deb13u1 libngtcp2-crypto-gnutls8=1.11.0-1+deb13u1
  libpsl5t64=0.21.2-1.1+b1 librtmp1=2.4+20151223.gitfa8646d.1-2+b5 libssh2-1t64=1.11.1-1+deb13u2
  libcurl3t64-gnutls=8.14.1-2+deb13u7 liberror-perl=0.17030-1 git-man=1:2.47.3-0+deb13u1
  git=1:2.47.3-0+deb13u1 sqlite3=3.46.1-7+deb13u2 dash=0.5.12-12
"
cache=${KITE_CACHE:-$HOME/.cache/kite}
key=$(echo "$PKGS" | sha256sum | cut -c1-12)
root=$cache/debian-trixie-riscv64-$key
if [ -x "$root/usr/bin/python3" ] && [ -f "$root/.complete" ]; then echo "$root"; exit 0; fi

state=$cache/apt-trixie-riscv64
mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
echo "deb [arch=riscv64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
  > "$state/sources.list"
touch "$state/status"
apt_opts="-o APT::Architecture=riscv64 -o APT::Architectures=riscv64 -o Dir::State=$state
  -o Dir::State::Lists=$state/lists -o Dir::State::status=$state/status
  -o Dir::Etc::SourceList=$state/sources.list -o Dir::Etc::SourceParts=/dev/null
  -o Dir::Cache=$state/cache -o Debug::NoLocking=1 -o APT::Sandbox::User=root"
# One fetch at a time (parallel tests may all ask).
exec 9> "$cache/.debian-root.lock"
flock 9
if [ -x "$root/usr/bin/python3" ] && [ -f "$root/.complete" ]; then echo "$root"; exit 0; fi
echo "fetch-root: apt-get update (trixie riscv64)" >&2
# shellcheck disable=SC2086
apt-get -qq $apt_opts update >&2
debs=$cache/debian-trixie-riscv64-debs
mkdir -p "$debs"
for spec in $PKGS; do
  pkg=${spec%%=*}
  ver=${spec#*=}
  file=$(ls "$debs/${pkg}_"*.deb 2>/dev/null | head -1 || true)
  [ -n "$file" ] && continue
  # shellcheck disable=SC2086
  if ! (cd "$debs" && apt-get -qq $apt_opts download "$pkg=$ver" >/dev/null 2>&1); then
    echo "fetch-root: warning: $spec is not served any more, taking the newest $pkg" >&2
    # shellcheck disable=SC2086
    (cd "$debs" && apt-get -qq $apt_opts download "$pkg" >&2)
  fi
done
work=$(mktemp -d "$cache/.debian-root.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root"
for spec in $PKGS; do
  pkg=${spec%%=*}
  dpkg -x "$(ls "$debs/${pkg}_"*.deb | head -1)" "$work/root"
done
r=$work/root
# merged /usr, as base-files' maintainer scripts would leave it
for d in bin sbin lib; do
  if [ ! -e "$r/$d" ] && [ ! -L "$r/$d" ]; then ln -s "usr/$d" "$r/$d"; fi
done
# what the maintainer scripts' alternatives and diversions would add
[ -e "$r/usr/bin/sh" ] || ln -s dash "$r/usr/bin/sh"
[ -e "$r/usr/bin/awk" ] || ln -s mawk "$r/usr/bin/awk"
mkdir -p "$r/proc" "$r/sys" "$r/dev" "$r/tmp" "$r/run" "$r/root" "$r/home" "$r/var/tmp" "$r/etc"
chmod 1777 "$r/tmp" "$r/var/tmp"
printf 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' > "$r/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$r/etc/group"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$r/etc/hosts"
printf 'kite-debian\n' > "$r/etc/hostname"
printf '0123456789abcdef0123456789abcdef\n' > "$r/etc/machine-id"
[ -e "$r/etc/localtime" ] || ln -s /usr/share/zoneinfo/Etc/UTC "$r/etc/localtime"
rm -rf "$r/usr/share/doc" "$r/usr/share/man" "$r/usr/share/info" "$r/usr/share/locale" \
  "$r/usr/share/lintian" "$r/usr/share/bash-completion"
touch "$r/.complete"
rm -rf "$root"
mv "$r" "$root"
echo "$root"
