#!/usr/bin/env bash
# Copies SOURCE_DIR/*.txt into DEST_DIR (created if missing) and prints how many files it copied.
set -e
src=$1
dest=$2
mkdir -p $dest
count=0
for f in $(ls $src/*.txt); do
  cp $f $dest/
  count=$((count + 1))
done
echo "copied $count files"
