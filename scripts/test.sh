#!/usr/bin/env bash
# Installs dependencies, builds, and runs every test through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
cd build
# Soak and 1M-event runs (ctest labels soak, long) are run by hand: see README.
ctest --output-on-failure -j2 -LE "soak|long"
