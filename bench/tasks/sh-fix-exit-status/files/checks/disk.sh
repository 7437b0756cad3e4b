#!/usr/bin/env bash
test -d /
