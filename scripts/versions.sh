# versions.sh — the pinned Debian versions of everything Kite fetches.
# Sourced by the build scripts. Change a version here and the cache key changes.
MUSL_VERSION=1.2.3-1
BUSYBOX_VERSION=1:1.35.0-4+deb12u1
LWIP_VERSION=2.1.3+dfsg1-2
LUA_VERSION=5.4.4-3+deb12u1
REDIS_VERSION=5:7.0.15-1~deb12u7
# libfdt: bookworm's device-tree-compiler source is not served by the archive
# mirror these machines use (its orig tarball gives 404); u-boot's source
# package carries the same upstream libfdt in scripts/dtc/libfdt.
UBOOT_VERSION=2023.01+dfsg-2+deb12u3
# netperf: Debian 13's source (its orig tarball is served; bookworm's is not),
# built with Kite's musl for the OSComp image's musl copy (scripts/build-netperf.sh).
NETPERF_VERSION=2.7.0+git20210121.3bc455b+ds-3
