#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds sagetrail and runs the server on its embedded defaults
# (127.0.0.1:4566, data in ./sagetrail-data). Extra arguments go to `sagetrail serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
ninja -C build sagetrail
exec ./build/sagetrail serve "$@"
