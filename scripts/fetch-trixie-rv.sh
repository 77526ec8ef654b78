#!/bin/sh
# fetch-trixie-rv.sh NAME "PKG=VERSION ..." — Debian 13 (trixie) riscv64
# binary packages, main and non-free, unpacked (dpkg -x) into one root in the
# cache; prints the root. NAME and the package list key the cache entry.
#
# apt runs with its own state directory, so the host's package lists and
# installation are untouched. Versions are pinned; a version the archive no
# longer serves (a security update replaced it) is replaced by the newest, with
# a warning. Dependencies are the caller's to list (the OSComp image takes the
# libraries its programs load, not the packages' whole dependency trees).
# The root is merged-/usr, with lib -> usr/lib.
#
#   fetch-trixie-rv.sh source NAME PKG=VERSION   the same for a source package
#     whose .dsc the mirror may lack: the orig and debian tarballs are fetched
#     with apt's own downloader and unpacked, the debian/patches series applied
#     (format 3.0 quilt); prints the tree.
set -eu
cache=${KITE_CACHE:-$HOME/.cache/kite}
state=$cache/apt-trixie-riscv64-nonfree
mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
cat > "$state/sources.list.new" <<'EOF'
deb [arch=riscv64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main non-free
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main non-free
EOF
cmp -s "$state/sources.list.new" "$state/sources.list" 2>/dev/null || mv "$state/sources.list.new" "$state/sources.list"
rm -f "$state/sources.list.new"
touch "$state/status"
apt_opts="-o APT::Architecture=riscv64 -o APT::Architectures=riscv64 -o Dir::State=$state
  -o Dir::State::Lists=$state/lists -o Dir::State::status=$state/status
  -o Dir::Etc::SourceList=$state/sources.list -o Dir::Etc::SourceParts=/dev/null
  -o Dir::Cache=$state/cache -o Debug::NoLocking=1 -o APT::Sandbox::User=root"
# One apt at a time on this state directory (parallel builds share it).
exec 9> "$state/.lock"
flock 9
update() {
  if [ ! -f "$state/.updated" ] || [ -n "$(find "$state/.updated" -mmin +1440 2>/dev/null)" ]; then
    echo "fetch-trixie-rv: apt-get update (trixie riscv64, main and non-free)" >&2
    # shellcheck disable=SC2086
    apt-get -qq $apt_opts update >&2 && touch "$state/.updated"
  fi
}

if [ "$1" = source ]; then
  name=$2; spec=$3
  tree=$cache/src/$name-$(echo "${spec#*=}" | tr ':' '_')-trixie
  if [ -f "$tree/.kite-unpacked" ]; then echo "$tree"; exit 0; fi
  update
  work=$(mktemp -d "$cache/.src-$name.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  # shellcheck disable=SC2086
  uris=$(apt-get -qq $apt_opts source --print-uris "$spec" | awk '{print $1}' | tr -d "'")
  for u in $uris; do
    f=$(basename "$u" | sed 's/%2b/+/g; s/%3a/:/g')
    case "$f" in *.dsc) continue ;; esac   # not always served; not needed
    /usr/lib/apt/apt-helper -o APT::Sandbox::User=root download-file "$u" "$work/$f" > /dev/null || { echo "fetch-trixie-rv: cannot fetch $u" >&2; exit 1; }
  done
  mkdir "$work/tree"
  tar -xf "$work"/*.orig.tar.* -C "$work/tree" --strip-components=1
  tar -xf "$work"/*.debian.tar.* -C "$work/tree"
  if [ -f "$work/tree/debian/patches/series" ]; then
    grep -v '^#' "$work/tree/debian/patches/series" | while read -r p; do
      [ -n "$p" ] && patch -d "$work/tree" -p1 -s < "$work/tree/debian/patches/$p"
    done
  fi
  mkdir -p "$cache/src"
  rm -rf "$tree"
  mv "$work/tree" "$tree"
  touch "$tree/.kite-unpacked"
  echo "$tree"
  exit 0
fi

name=$1; pkgs=$2
key=$(echo "$pkgs" | sha256sum | cut -c1-12)
root=$cache/$name-trixie-riscv64-$key
if [ -f "$root/.kite-unpacked" ]; then echo "$root"; exit 0; fi
update
work=$(mktemp -d "$cache/.$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
for spec in $pkgs; do
  # shellcheck disable=SC2086
  if ! (cd "$work" && apt-get -qq $apt_opts download "$spec" >/dev/null 2>&1); then
    pkg=${spec%%=*}
    echo "fetch-trixie-rv: warning: $spec is not served any more, taking the newest $pkg" >&2
    # shellcheck disable=SC2086
    (cd "$work" && apt-get -qq $apt_opts download "$pkg" >&2)
  fi
done
mkdir -p "$work/root"
for d in "$work"/*.deb; do dpkg -x "$d" "$work/root"; done
ln -sfn usr/lib "$work/root/lib"
touch "$work/root/.kite-unpacked"
rm -rf "$root"
mv "$work/root" "$root"
echo "$root"
