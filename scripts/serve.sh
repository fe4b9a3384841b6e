#!/usr/bin/env bash
# The main job: installs dependencies, builds, and runs goalsyncd in the foreground on
# 127.0.0.1:7411 with its data in ./goalsync-data (override with GOALSYNC_DATA_DIR and
# GOALSYNC_LISTEN). Ctrl-C stops it cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
data_dir="${GOALSYNC_DATA_DIR:-$PWD/goalsync-data}"
listen="${GOALSYNC_LISTEN:-127.0.0.1:7411}"
echo "goalsyncd: data in $data_dir, listening on $listen; try: ./build/cli/goalctl log head"
exec ./build/server/goalsyncd --data-dir "$data_dir" --listen "$listen"
