#!/usr/bin/env bash
# Runs every checks/*.sh and prints PASS or FAIL for each.
for check in checks/*.sh; do
  if bash "$check" > /dev/null 2>&1; then
    echo "PASS $check"
  else
    echo "FAIL $check"
  fi
done | sort
