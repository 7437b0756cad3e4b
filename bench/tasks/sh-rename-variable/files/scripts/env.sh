#!/usr/bin/env bash
# Shared settings: the data directory defaults to ./data next to the scripts.
: "${APP_DATA:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/data}"
export APP_DATA
