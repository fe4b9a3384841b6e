#!/usr/bin/env bash
# Fuzzes event decoding + kernel validation (tests/fuzz/event_fuzz_target.cc) with libFuzzer,
# AddressSanitizer and UBSan, for a bounded time: ./scripts/fuzz.sh [SECONDS] (default 60).
# Builds with clang in build-fuzz/, seeds the corpus with the example plan's events, and saves
# any crashing input into tests/fuzz/regressions/ (ctest's fuzz_smoke replays them forever).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
./scripts/setup.sh
if ! command -v clang++-14 >/dev/null || ! dpkg -s libclang-rt-14-dev >/dev/null 2>&1; then
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo apt-get install -y -q --no-install-recommends clang-14 libclang-rt-14-dev
fi
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer -g"
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DGOALSYNC_FUZZ=ON -DGOALSYNC_BUILD_BENCH=OFF >/dev/null
cmake --build build-fuzz -j2 --target event_fuzzer event_fuzz_smoke
corpus=build-fuzz/corpus
./build-fuzz/tests/event_fuzz_smoke --write-corpus "$corpus"
mkdir -p tests/fuzz/regressions
./build-fuzz/tests/event_fuzzer "$corpus" tests/fuzz/regressions -max_total_time="$seconds" \
  -artifact_prefix=tests/fuzz/regressions/ -print_final_stats=1
