#!/usr/bin/env bash
# The main job: installs dependencies, builds, starts goalsyncd on 127.0.0.1:7411 with its
# data in ./goalsync-data (override with GOALSYNC_DATA_DIR and GOALSYNC_LISTEN), and loads
# the example plan (examples/annual-plan.yaml, workspace acme-2026; loading it again appends
# nothing). Runs in the foreground; Ctrl-C stops goalsyncd cleanly.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh
data_dir="${GOALSYNC_DATA_DIR:-$PWD/goalsync-data}"
listen="${GOALSYNC_LISTEN:-127.0.0.1:7411}"
goalctl=./build/cli/goalctl

# Development mode on loopback: no tokens, so the README's tour can act as anyone. A server
# others reach runs with tokens instead (README: "Tokens, roles and TLS").
./build/server/goalsyncd --data-dir "$data_dir" --listen "$listen" --insecure-no-auth &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true; wait "$pid" || true' INT TERM
for _ in $(seq 1 100); do
  "$goalctl" --server "$listen" log head >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { echo "goalsyncd did not start"; exit 1; }
  sleep 0.1
done
"$goalctl" --server "$listen" import examples/annual-plan.yaml
echo "goalsyncd: data in $data_dir, listening on $listen; try: $goalctl --server $listen -w acme-2026 log read"
wait "$pid"
