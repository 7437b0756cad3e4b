#!/usr/bin/env bash
# Appends one line ("NAME VALUE") to the data file.
set -euo pipefail
source "$(dirname "$0")/env.sh"
mkdir -p "$APP_DATA"
echo "$1 $2" >> "$APP_DATA/values.txt"
