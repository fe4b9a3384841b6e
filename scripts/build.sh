#!/usr/bin/env bash
# Configures and builds goalsync into ./build (RelWithDebInfo, -j2). Re-running rebuilds
# only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2
