#!/usr/bin/env bash
test -f config.ini
