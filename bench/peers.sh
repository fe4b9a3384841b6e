#!/usr/bin/env bash
# peers.sh: goalsyncd's durable append path beside the stores a user might run instead, one
# load shape, one run (bench/README.md, docs/performance.md).
#
#   bench/peers.sh [--seconds S] [--clients "1 8 64"] [--rounds R] [--install]
#                  [--peers "goalsyncd_append goalsyncd_stream postgres etcd rocksdb_sync_put"]
#
# Load: ~200-byte records, one record per request (per transaction for PostgreSQL), N clients in
# a closed loop, each on its own connection, S seconds per point (default 10). Every peer acks
# only what is durable: goalsyncd after its fsync, PostgreSQL 15 with fsync=on and
# synchronous_commit=on, etcd 3.4 after its WAL fsync, RocksDB Put with sync=true. At each client
# count the peers run in turn; --rounds R repeats the whole sweep and the table shows each
# point's median rate (and the p50/p99 of that median round).
#
# Needs the build (scripts/build.sh: build/server/goalsyncd, build/bench/peer_load) and, for the
# postgres and etcd peers, Debian's postgresql and etcd-server: --install installs what is
# missing (as root). Servers listen on 127.0.0.1 only, on free ports, with their data in a
# scratch dir that is removed at exit. Progress goes to stderr; the table to stdout.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${GOALSYNC_BUILD:-$ROOT/build}
DUR=10
CLIENTS="1 8 64"
ROUNDS=1
INSTALL=0
PEERS="goalsyncd_append goalsyncd_stream postgres etcd rocksdb_sync_put"
RECORD_BYTES=200
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; }
while (($#)); do
  case $1 in
    --seconds) DUR=${2:?}; shift 2 ;;
    --clients) CLIENTS=${2:?}; shift 2 ;;
    --rounds) ROUNDS=${2:?}; shift 2 ;;
    --peers) PEERS=${2:?}; shift 2 ;;
    --install) INSTALL=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "peers.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ $DUR =~ ^[1-9][0-9]*$ ]] || { echo "peers.sh: --seconds takes a whole number of seconds" >&2; exit 2; }
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "peers.sh: --rounds takes a positive number" >&2; exit 2; }
MAX_CLIENTS=1
for n in $CLIENTS; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "peers.sh: bad client count '$n'" >&2; exit 2; }
  ((n > MAX_CLIENTS)) && MAX_CLIENTS=$n
done
LIMIT=$((DUR + 60))  # no single measurement may take longer than this

log() { printf '[peers %(%T)T] %s\n' -1 "$*" >&2; }
die() { log "error: $*"; exit 1; }
wants() { [[ " $PEERS " == *" $1 "* ]]; }
for p in $PEERS; do
  case $p in goalsyncd_append | goalsyncd_stream | postgres | etcd | rocksdb_sync_put) ;;
    *) die "unknown peer '$p'" ;; esac
done

GOALSYNCD=$BUILD/server/goalsyncd
LOAD=$BUILD/bench/peer_load
[ -x "$GOALSYNCD" ] && [ -x "$LOAD" ] ||
  die "build first: scripts/build.sh (needs $GOALSYNCD and $LOAD)"

# Debian packages of the peers, installed only when asked.
need=()
wants postgres && need+=(postgresql)
wants etcd && need+=(etcd-server etcd-client)
missing=()
for p in "${need[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
if ((${#missing[@]})); then
  ((INSTALL)) || die "missing packages: ${missing[*]} (run with --install, as root)"
  ((EUID == 0)) || die "--install needs root (missing: ${missing[*]})"
  log "installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null ||
    die "apt-get install ${missing[*]} failed"
fi

SCRATCH=$(mktemp -d -t goalsync-peers.XXXXXX)
chmod 711 "$SCRATCH"  # PostgreSQL runs as its own user and must reach its data dir
cd "$SCRATCH"
PIDS=()
cleanup() {
  local rc=$? pid
  set +e
  for pid in "${PIDS[@]}"; do kill -INT "$pid" 2>/dev/null; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  cd / && rm -rf "$SCRATCH"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 30000))
    [ -z "$(ss -Htln "sport = :$p")" ] && { echo "$p"; return; }
  done
  die "no free port"
}
# start NAME CMD...: a server in the background, its output in scratch/NAME.log.
start() {
  local name=$1; shift
  "$@" >"$SCRATCH/$name.log" 2>&1 &
  PIDS+=("$!")
  LAST_PID=$!
}
# ready NAME PID CMD...: polls CMD (bounded), failing early if the server died.
ready() {
  local name=$1 pid=$2; shift 2
  for _ in $(seq 120); do
    timeout 3 "$@" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || die "$name exited: $(tail -n 5 "$SCRATCH/$name.log")"
    sleep 0.25
  done
  die "$name did not become ready: $(tail -n 5 "$SCRATCH/$name.log")"
}

if wants goalsyncd_append || wants goalsyncd_stream; then
  GS_PORT=$(free_port)
  start goalsyncd "$GOALSYNCD" --data-dir "$SCRATCH/goalsyncd" --listen "127.0.0.1:$GS_PORT" \
    --insecure-no-auth
  ready goalsyncd "$LAST_PID" bash -c "exec 3<>/dev/tcp/127.0.0.1/$GS_PORT"
fi
if wants etcd; then
  ETCD_PORT=$(free_port)
  peer_port=$(free_port)
  start etcd etcd --name peers --data-dir "$SCRATCH/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
    --initial-cluster "peers=http://127.0.0.1:$peer_port" --quota-backend-bytes $((8 << 30))
  ready etcd "$LAST_PID" etcdctl --endpoints "127.0.0.1:$ETCD_PORT" endpoint health
fi
AS_PG=()
if wants postgres; then
  ((EUID == 0)) && AS_PG=(setpriv --reuid=postgres --regid=postgres --init-groups --)
  PG_PORT=$(free_port)
  mkdir "$SCRATCH/pg"
  ((EUID == 0)) && chown postgres: "$SCRATCH/pg"
  "${AS_PG[@]}" "$PG_BIN/initdb" -D "$SCRATCH/pg" -U postgres -A trust -E UTF8 \
    >"$SCRATCH/initdb.log" 2>&1 || die "initdb: $(tail -n 5 "$SCRATCH/initdb.log")"
  start postgres "${AS_PG[@]}" "$PG_BIN/postgres" -D "$SCRATCH/pg" \
    -c listen_addresses=127.0.0.1 -c port="$PG_PORT" -c unix_socket_directories= \
    -c fsync=on -c synchronous_commit=on -c max_connections=$((MAX_CLIENTS + 10))
  ready postgres "$LAST_PID" "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -U postgres
  # An event store in PostgreSQL: one row per event, a global sequence as its key.
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -c \
    "CREATE TABLE events (seq bigserial PRIMARY KEY, stream text, type text, data jsonb,
                          ts timestamptz DEFAULT now())" || die "creating the events table"
  # One INSERT per transaction, the ~200-byte record sent with each (stream + type + JSON).
  printf '%s\n' '\set s random(1, 1000)' \
    "INSERT INTO events (stream, type, data) VALUES ('goal-' || (:s)::text, 'CheckInRecorded', (:event)::jsonb);" \
    >"$SCRATCH/insert.sql"
  PG_EVENT=$(printf '{"actor":"user-42","value":42,"note":"%s"}' "$(head -c $((RECORD_BYTES - 70)) /dev/zero | tr '\0' n)")
fi

# One point: prints "rate=.. p50_us=.. p99_us=..".
point() {
  local peer=$1 n=$2
  case $peer in
    goalsyncd_append | goalsyncd_stream | etcd)
      local addr=127.0.0.1:$GS_PORT
      [ "$peer" = etcd ] && addr=127.0.0.1:$ETCD_PORT
      timeout "$LIMIT" "$LOAD" --target "$peer" --address "$addr" --clients "$n" --seconds "$DUR" \
        --bytes "$RECORD_BYTES" ;;
    rocksdb_sync_put)
      rm -rf "$SCRATCH/rocks"
      timeout "$LIMIT" "$LOAD" --target rocksdb_sync_put --db "$SCRATCH/rocks" --clients "$n" \
        --seconds "$DUR" --bytes "$RECORD_BYTES" ;;
    postgres)
      rm -f "$SCRATCH"/pgtx.*
      local out
      out=$(timeout "$LIMIT" "$PG_BIN/pgbench" -h 127.0.0.1 -p "$PG_PORT" -U postgres -n \
        -M prepared -f "$SCRATCH/insert.sql" -D "event=$PG_EVENT" -c "$n" -j $((n < 2 ? n : 2)) \
        -T "$DUR" -l --log-prefix="$SCRATCH/pgtx" postgres 2>&1) || { echo "$out" >&2; return 1; }
      # Per-transaction latencies (-l, column 3, in us) for p50/p99, as peer_load reports them.
      cat "$SCRATCH"/pgtx.* | awk '{ print $3 }' | sort -n | OUT=$out awk '
        { a[NR] = $1 }
        END {
          out = ENVIRON["OUT"]
          if (!match(out, /tps = [0-9.]+/)) exit 1
          tps = substr(out, RSTART + 6, RLENGTH - 6)
          printf "rate=%.0f p50_us=%d p99_us=%d\n", tps, a[int(NR * 0.5) + 1], a[int(NR * 0.99) + 1]
        }' ;;
  esac
}

RESULTS=$SCRATCH/results
: >"$RESULTS"
T0=$SECONDS
for ((round = 1; round <= ROUNDS; round++)); do
  for n in $CLIENTS; do
    for peer in $PEERS; do
      log "round $round: $peer, $n clients, ${DUR}s"
      if out=$(point "$peer" "$n" 2>"$SCRATCH/point.err"); then
        echo "$peer $n $round $out" >>"$RESULTS"
      else
        log "$peer at $n clients failed: $(tail -n 3 "$SCRATCH/point.err")"
        echo "$peer $n $round FAILED" >>"$RESULTS"
      fi
    done
  done
done

# The table: per peer and client count, the round with the median rate.
versions="goalsyncd $("$GOALSYNCD" --version 2>/dev/null | awk '{ print $NF }')"
wants postgres && versions+=", postgres $("$PG_BIN/postgres" --version | awk '{ print $3 }')"
wants etcd && versions+=", etcd $(etcd --version | awk 'NR == 1 { print $3 }')"
versions+=", rocksdb $(dpkg-query -W -f='${Version}' librocksdb-dev 2>/dev/null)"
echo "# bench/peers.sh $(date -u +%FT%TZ): $(nproc) cpus, load average $(cut -d' ' -f1-3 /proc/loadavg)," \
  "${DUR}s points, ${RECORD_BYTES}-byte records, $ROUNDS round(s) (median shown); $versions; $((SECONDS - T0)) s"
awk '
  $4 != "FAILED" {
    key = $1 " " $2
    if (!(key in count)) order[++keys] = key
    i = ++count[key]
    for (f = 4; f <= NF; f++) { split($f, kv, "="); v[key, i, kv[1]] = kv[2] }
  }
  $4 == "FAILED" { failed[$1 " " $2] = 1; if (!(($1 " " $2) in count)) { order[++keys] = $1 " " $2; count[$1 " " $2] = 0 } }
  END {
    printf "%-18s %7s %10s %8s %8s\n", "peer", "clients", "rate/s", "p50_us", "p99_us"
    for (k = 1; k <= keys; k++) {
      key = order[k]; n = count[key]
      if (n == 0) { split(key, kk, " "); printf "%-18s %7s %10s\n", kk[1], kk[2], "FAILED"; continue }
      # the median round by rate
      for (i = 1; i <= n; i++) idx[i] = i
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++)
        if (v[key, idx[j], "rate"] < v[key, idx[i], "rate"]) { t = idx[i]; idx[i] = idx[j]; idx[j] = t }
      m = idx[int((n + 1) / 2)]
      split(key, kk, " ")
      rate[key] = v[key, m, "rate"]; p50[key] = v[key, m, "p50_us"]
      printf "%-18s %7s %10d %8d %8d\n", kk[1], kk[2], v[key, m, "rate"], v[key, m, "p50_us"], v[key, m, "p99_us"]
      if (!(kk[2] in clients)) { clients[kk[2]] = 1; corder[++nc] = kk[2] }
    }
    # Ratios inside this run (what the targets in docs/performance.md are stated in).
    for (ci = 1; ci <= nc; ci++) {
      c = corder[ci]; line = ""
      if (("postgres " c) in rate && rate["postgres " c] > 0) {
        if (("goalsyncd_append " c) in rate) line = line sprintf(" append_vs_postgres=%.2f", rate["goalsyncd_append " c] / rate["postgres " c])
        if (("goalsyncd_stream " c) in rate) line = line sprintf(" stream_vs_postgres=%.2f", rate["goalsyncd_stream " c] / rate["postgres " c])
        if (("goalsyncd_append " c) in p50 && p50["postgres " c] > 0) line = line sprintf(" append_p50_vs_postgres=%.2f", p50["goalsyncd_append " c] / p50["postgres " c])
        if (("goalsyncd_stream " c) in p50 && p50["postgres " c] > 0) line = line sprintf(" stream_p50_vs_postgres=%.2f", p50["goalsyncd_stream " c] / p50["postgres " c])
      }
      if (("etcd " c) in rate && rate["etcd " c] > 0) {
        if (("goalsyncd_append " c) in rate) line = line sprintf(" append_vs_etcd=%.2f", rate["goalsyncd_append " c] / rate["etcd " c])
        if (("goalsyncd_stream " c) in rate) line = line sprintf(" stream_vs_etcd=%.2f", rate["goalsyncd_stream " c] / rate["etcd " c])
      }
      if (line != "") printf "ratios clients=%s%s\n", c, line
    }
  }' "$RESULTS"
