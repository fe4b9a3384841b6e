#!/usr/bin/env bash
# Installs the build into a temp prefix, builds tests/package/app against it with
# find_package(goalsync), starts the installed goalsyncd on a free loopback port and runs
# the app against it. Usage: package_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
work=$(mktemp -d)
pid=
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$src/tests/package/app" -B "$work/app" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/app" -j2 >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }

"$work/prefix/bin/goalsyncd" --listen 127.0.0.1:0 --data-dir "$work/data" --insecure-no-auth \
  >"$work/out" 2>"$work/log" &
pid=$!
for _ in $(seq 1 200); do
  grep -q "listening on port" "$work/out" && break
  sleep 0.1
done
port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$work/out")
[[ -n $port ]] || { echo "goalsyncd did not start:"; cat "$work/log"; exit 1; }

out=$("$work/app/app" "127.0.0.1:$port" "$work/replica")
echo "$out"
[[ $out == "confirmed seq 1 pushed 1" ]] || { echo "unexpected output"; exit 1; }
