#!/bin/sh
# script.sh — a "#!" script: the kernel must run it through /bin/sh.
echo "script: ok $1"
