#!/usr/bin/env bash
# Installs the system libraries and tools stacksift builds and tests with (Debian/Ubuntu).
# Does nothing when they are all present.
set -euo pipefail
need=()
pkg-config --exists libpcre2-8 2>/dev/null || need+=(libpcre2-dev)
pkg-config --exists liblz4 2>/dev/null || need+=(liblz4-dev)
pkg-config --exists libzstd 2>/dev/null || need+=(libzstd-dev)
pkg-config --exists libxxhash 2>/dev/null || need+=(libxxhash-dev)
pkg-config --exists zlib 2>/dev/null || need+=(zlib1g-dev)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v lz4 >/dev/null || need+=(lz4)
command -v zstd >/dev/null || need+=(zstd)
command -v gzip >/dev/null || need+=(gzip)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
