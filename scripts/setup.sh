#!/usr/bin/env bash
# Installs goalsync's build and test dependencies on Debian bookworm. Idempotent; run as root
# (or with sudo available). Every package comes from Debian's archive.
set -euo pipefail

packages=(
  cmake g++ make pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libspdlog-dev libgtest-dev libgmock-dev
  libcli11-dev libyaml-cpp-dev nlohmann-json3-dev libssl-dev libjemalloc-dev libcsv-dev
  python3-grpcio python3-protobuf openssl prometheus-cpp-dev prometheus
  libcpp-httplib-dev chromium chromium-driver python3-selenium
  etcd-server etcd-client golang-etcd-server-dev golang-github-gogo-protobuf-dev golang-github-gogo-googleapis-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
