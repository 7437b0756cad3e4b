#!/usr/bin/env bash
# Prints a greeting.
set -euo pipefail
echo "Hello, world!"
