#!/bin/sh
# fetch-iperf3.sh — iperf3 for the network tests: Debian 13 (trixie)'s
# riscv64 binary package and the libraries it loads (its source tarball is
# not served; docs/build-facts.md). Unpacked with dpkg -x into a root under the
# cache; prints that root. apt runs with its own state directory, so the
# host's package lists and installation are untouched.
#
# The root: usr/bin/iperf3, usr/lib/riscv64-linux-gnu/*.so*, and lib -> usr/lib
# (merged /usr), so `qemu-riscv64 -L ROOT ROOT/usr/bin/iperf3` works.
set -eu
# Pinned versions (trixie, riscv64). If the archive has moved on (a security
# update), the newest is taken and a warning says so.
PKGS="iperf3=3.18-2+deb13u2 libiperf0=3.18-2+deb13u2 libc6=2.41-12+deb13u4 libgcc-s1=14.2.0-19
libsctp1=1.0.21+dfsg-1 libssl3t64=3.5.7-1~deb13u2 zlib1g=1:1.3.dfsg+really1.3.1-1+b1
libzstd1=1.5.7+dfsg-1"
cache=${KITE_CACHE:-$HOME/.cache/kite}
key=$(echo "$PKGS" | sha256sum | cut -c1-12)
root=$cache/iperf3-trixie-riscv64-$key
if [ -x "$root/usr/bin/iperf3" ]; then echo "$root"; exit 0; fi

state=$cache/apt-trixie-riscv64
mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
echo "deb [arch=riscv64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
  > "$state/sources.list"
touch "$state/status"
apt_opts="-o APT::Architecture=riscv64 -o APT::Architectures=riscv64 -o Dir::State=$state
  -o Dir::State::Lists=$state/lists -o Dir::State::status=$state/status
  -o Dir::Etc::SourceList=$state/sources.list -o Dir::Etc::SourceParts=/dev/null
  -o Dir::Cache=$state/cache -o Debug::NoLocking=1 -o APT::Sandbox::User=root"
echo "fetch-iperf3: apt-get update (trixie riscv64)" >&2
# shellcheck disable=SC2086
apt-get -qq $apt_opts update >&2
work=$(mktemp -d "$cache/.iperf3.XXXXXX")
trap 'rm -rf "$work"' EXIT
for spec in $PKGS; do
  # shellcheck disable=SC2086
  if ! (cd "$work" && apt-get -qq $apt_opts download "$spec" >/dev/null 2>&1); then
    pkg=${spec%%=*}
    echo "fetch-iperf3: warning: $spec is not served any more, taking the newest $pkg" >&2
    # shellcheck disable=SC2086
    (cd "$work" && apt-get -qq $apt_opts download "$pkg" >&2)
  fi
done
mkdir -p "$work/root"
for d in "$work"/*.deb; do dpkg -x "$d" "$work/root"; done
ln -sfn usr/lib "$work/root/lib"
rm -rf "$root"
mv "$work/root" "$root"
echo "$root"
