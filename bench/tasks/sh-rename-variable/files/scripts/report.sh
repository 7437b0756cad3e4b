#!/usr/bin/env bash
# Prints how many values are stored and their sum.
set -euo pipefail
source "$(dirname "$0")/env.sh"
file="$APP_DATA/values.txt"
if [ ! -f "$file" ]; then echo "0 values"; exit 0; fi
awk '{ n++; s += $2 } END { printf "%d values, sum %d\n", n, s }' "$file"
