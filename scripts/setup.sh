#!/usr/bin/env bash
# Installs everything sagetrail needs to build and test on Debian 12. Idempotent; run as root
# (or with sudo available). Installs only what is missing.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl
  clang-format
  clang-14 libclang-rt-14-dev llvm-14
  libboost1.81-dev libboost-json1.81-dev
  libssl-dev zlib1g-dev librocksdb-dev libcurl4-openssl-dev libpcre2-dev
  libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  wrk nginx-light
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "setup: all Debian packages present"
fi

# The AWS clients (aws CLI, boto3) come with the machine's Python; check, don't install.
if ! python3 -c "import boto3, botocore" 2>/dev/null; then
  echo "setup: warning: python3 cannot import boto3/botocore; the server needs botocore's models" >&2
fi
