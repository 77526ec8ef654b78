#!/bin/sh
# fetch-source.sh PKG VERSION — unpack a Debian source package into the cache.
#
# Prints the path of the unpacked tree on stdout (progress goes to stderr).
# The tree lives in $KITE_CACHE/src/PKG-VERSION and is fetched only once.
# VERSION is the Debian version we pin; if the archive no longer serves that
# exact revision (a security update replaced it), the newest one is taken and
# a warning says so — the cache key is always the version actually unpacked.
set -eu
pkg=$1; want=$2
cache=${KITE_CACHE:-$HOME/.cache/kite}
mkdir -p "$cache/src"

# Directory name for a version: an epoch's ':' would break make, so it becomes '_'.
dirname_for() { echo "$cache/src/$pkg-$(echo "$1" | tr ':' '_')"; }

find_tree() {  # the unpacked directory for version $1, if complete
  d=$(dirname_for "$1")
  [ -f "$d/.kite-unpacked" ] && echo "$d"
  return 0
}

tree=$(find_tree "$want")
if [ -n "$tree" ]; then echo "$tree"; exit 0; fi

work=$(mktemp -d "$cache/src/.fetch-$pkg.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "fetch-source: apt-get source $pkg=$want" >&2
if ! apt-get source -qq "$pkg=$want" >/dev/null 2>apt.err; then
  have=$(apt-cache showsrc "$pkg" | sed -n 's/^Version: //p' | head -1)
  if [ -z "$have" ]; then
    cat apt.err >&2
    echo "fetch-source: cannot fetch source package $pkg (is the deb-src entry present? run scripts/setup-host.sh)" >&2
    exit 1
  fi
  echo "fetch-source: warning: $pkg $want is not served any more, using $have" >&2
  tree=$(find_tree "$have")
  if [ -n "$tree" ]; then echo "$tree"; exit 0; fi
  rm -rf ./*
  apt-get source -qq "$pkg=$have" >/dev/null 2>apt.err || { cat apt.err >&2; exit 1; }
  want=$have
fi
dir=$(find . -mindepth 1 -maxdepth 1 -type d | head -1)
[ -n "$dir" ] || { echo "fetch-source: $pkg unpacked to nothing" >&2; exit 1; }
dest=$(dirname_for "$want")
rm -rf "$dest"
mv "$dir" "$dest"
touch "$dest/.kite-unpacked"
echo "$dest"
