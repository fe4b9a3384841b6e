// goalsyncd: the goalsync event log server. The only file of the server not in a library.
#include <signal.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "core/authz.h"
#include "core/signing.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "server/audit/checkpointer.h"
#include "server/cluster/cluster_node.h"
#include "server/cluster/prepare.h"
#include "server/auth/token_store.h"
#include "server/ops/log_format.h"
#include "server/ops/ops_cli.h"
#include "server/server.h"
#include "server/store/store_verifier.h"
#include "spdlog/sinks/stdout_color_sinks.h"
#include "spdlog/spdlog.h"

namespace {

using goalsync::server::ServerOptions;

// goalsyncd's default --max-loaded-workspaces (the library's EventLogOptions has no bound).
constexpr size_t kDefaultMaxLoadedWorkspaces = 256;

void AddFlags(CLI::App& app, ServerOptions& o, std::string& log_level, int& shutdown_grace_ms) {
  app.add_option("--listen", o.listen,
                 "host:port to serve gRPC on. Loopback by default; a LAN address exposes an "
                 "unauthenticated server to the network. Port 0 picks a free port.")
      ->capture_default_str();
  app.add_option("--data-dir", o.store.dir,
                 "Directory of the RocksDB database (created if missing). One goalsyncd per dir.");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off.")
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  app.add_option("--max-request-bytes", o.max_request_bytes,
                 "Largest request accepted; larger ones get RESOURCE_EXHAUSTED and write "
                 "nothing. Each call in progress may hold this much memory.")
      ->capture_default_str()
      ->check(CLI::Range(1024, 1 << 30));
  app.add_option("--max-batch-events", o.log.max_batch_events,
                 "Most events in one append request. A larger cap lets one request delay every "
                 "other writer's ack for longer.")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  app.add_option("--subscriber-buffer", o.service.subscriber_buffer,
                 "Events a live subscriber may fall behind before its stream ends (it then "
                 "resumes from its last seq). Costs up to that many events of memory per "
                 "subscriber.")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000000));
  app.add_option("--snapshot-bytes", o.log.snapshot_bytes,
                 "Store a snapshot of a workspace's plan once this many bytes of its events were "
                 "appended since the last one (0: never by size). Restarts and as-of queries "
                 "replay at most this much log; each snapshot writes the whole plan (its size "
                 "depends on the plan, not on its history), so smaller values cost more disk "
                 "writes.")
      ->capture_default_str();
  app.add_option("--snapshot-every", o.log.snapshot_every,
                 "Also store a snapshot every this many events (0: only by size). For tests "
                 "and small plans.")
      ->capture_default_str();
  app.add_flag("--insecure-no-auth", o.insecure_no_auth,
               "Development only: no tokens; every caller may do everything and names its own "
               "actor. Allowed only on a loopback --listen address.");
  app.add_option("--rate-limit", o.rate_limit,
                 "Calls per second each token may make (0: no limit); beyond it callers get "
                 "RESOURCE_EXHAUSTED with the wait. Lower protects the server from one runaway "
                 "client; too low throttles a replica catching up.")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--checkpoint-every", o.checkpoints.every,
                 "Sign a workspace's head (seq, hash) every this many events (0: not by count). "
                 "Each checkpoint costs one Ed25519 signature and a small synced write.")
      ->capture_default_str();
  app.add_option_function<int64_t>(
         "--checkpoint-interval-s",
         [&o](int64_t s) { o.checkpoints.interval = absl::Seconds(s); },
         "... or this many seconds after the last checkpoint, if the head moved (0: not by "
         "time). Shorter leaves less of the log unsigned at any moment.")
      ->default_str("60")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--signing-key", o.checkpoints.key_file,
                 "Ed25519 private key (PEM) for checkpoints; default DATA_DIR/checkpoint-key.pem, "
                 "made at first start");
  app.add_option("--tls-cert", o.tls_cert, "PEM certificate chain: serve TLS (with --tls-key)");
  app.add_option("--tls-key", o.tls_key, "PEM private key of --tls-cert");
  app.add_option_function<int64_t>("--max-clock-skew-ms",
                 [&o](int64_t ms) { o.log.max_clock_skew = absl::Milliseconds(ms); },
                 "Refuse events whose hlc is further ahead of this server's clock than this "
                 "(0: no bound). Larger lets a writer with a fast clock win later merges; "
                 "smaller refuses writers whose clocks are merely drifting.")
      ->default_str("300000")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--stream-max-in-flight", o.service.stream_max_in_flight,
                 "Unacknowledged requests one AppendStream may have before the server stops "
                 "reading it (back-pressure).")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  app.add_option("--shutdown-grace-ms", shutdown_grace_ms,
                 "On SIGTERM/SIGINT, how long to wait for calls in progress and idle "
                 "connections before cancelling them. Longer delays restarts.")
      ->capture_default_str()
      ->check(CLI::Range(0, 600000));
  app.add_option("--max-loaded-workspaces", o.log.max_loaded_workspaces,
                 "Most workspaces whose plan is kept in memory (0: no bound). Past it the least "
                 "recently used idle plans are dropped and loaded again on their next use "
                 "(newest snapshot plus at most --snapshot-bytes of log). Each loaded plan costs "
                 "about its snapshot's size several times over (docs/operations.md); lower "
                 "bounds memory, too low reloads plans on every call.")
      ->capture_default_str();
  app.add_option("--block-cache-mb", o.store.block_cache_mb,
                 "RocksDB block cache for reads (catch-up, Read); costs that much memory.")
      ->capture_default_str();
  app.add_option_function<uint64_t>(
         "--zeroed-wal-mb", [&o](uint64_t mb) { o.store.zeroed_wal_bytes = mb << 20; },
         "Each new WAL file starts as this many MiB of zeros written ahead of time, so an "
         "append's fsync overwrites blocks instead of growing the file (about a quarter off "
         "each fsync). Costs a spare file of this size in the data dir and writing it once per "
         "WAL file. 0: off.")
      ->default_str(std::to_string(o.store.zeroed_wal_bytes >> 20))
      ->check(CLI::Range(uint64_t{0}, uint64_t{4096}));
}

// A replica group's flags (docs/cluster.md).
struct ClusterFlags {
  std::string etcd;
  std::string acks = "majority";
  int64_t lease_ttl_ms = 2000;
  goalsync::server::cluster::ClusterOptions options;
};

void AddClusterFlags(CLI::App& app, ClusterFlags& c) {
  app.add_option("--cluster-etcd", c.etcd,
                 "HOST:PORT[,HOST:PORT...] of etcd: join a replica group (docs/cluster.md). "
                 "Without it goalsyncd is a single node.");
  app.add_option("--node-id", c.options.node_id,
                 "This node's name in the group; stable across restarts (its data dir is its).");
  app.add_option("--advertise", c.options.advertise,
                 "HOST:PORT the other members and clients reach this node at (default: "
                 "--listen, which then must not use port 0).");
  app.add_option("--cluster-name", c.options.cluster_name,
                 "The group to join: its keys in etcd live under /goalsync/NAME/.")
      ->capture_default_str();
  app.add_option("--replication-acks", c.acks,
                 "When an append is acknowledged: majority (durable on a majority of members; "
                 "survives losing a minority), all (on every member; appends stop while one is "
                 "down), leader (on the leader only: a failover may drop acknowledged events).")
      ->capture_default_str()
      ->check(CLI::IsMember({"majority", "all", "leader"}));
  app.add_option("--cluster-size", c.options.cluster_size,
                 "Members the group is meant to have; majorities count over at least this many, "
                 "so a node started first cannot lead alone.")
      ->capture_default_str()
      ->check(CLI::Range(1, 15));
  app.add_option("--lease-ttl-ms", c.lease_ttl_ms,
                 "TTL of this node's etcd lease: a dead leader is replaced after about this "
                 "long; a node paused longer loses its role and restarts in place.")
      ->capture_default_str()
      ->check(CLI::Range(1000, 60000));
}

// Completes the cluster options from the flags; an error names the flag to fix.
absl::Status FinishClusterFlags(ClusterFlags& c, const ServerOptions& o, int argc, char** argv) {
  c.options.etcd = absl::StrSplit(c.etcd, ',', absl::SkipEmpty());
  if (c.options.node_id.empty()) return absl::InvalidArgumentError("--cluster-etcd needs --node-id");
  if (c.options.advertise.empty()) {
    if (absl::EndsWith(o.listen, ":0")) {
      return absl::InvalidArgumentError("--cluster-etcd needs --advertise (or a fixed --listen port)");
    }
    c.options.advertise = o.listen;
  }
  absl::StatusOr<goalsync::server::cluster::AckMode> acks =
      goalsync::server::cluster::ParseAckMode(c.acks);
  if (!acks.ok()) return acks.status();
  c.options.acks = *acks;
  c.options.lease_ttl = absl::Milliseconds(c.lease_ttl_ms);
  c.options.argv.assign(argv, argv + argc);
  return absl::OkStatus();
}

// `goalsyncd verify`: exit 0 if every workspace's chain holds, 1 naming the first bad seq.
int RunVerify(const std::string& dir) {
  goalsync::server::StoreOptions options;
  options.dir = dir;
  options.read_only = true;
  auto store = goalsync::server::LogStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "goalsyncd verify: %s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  auto verdicts = goalsync::server::VerifyStore(**store);
  if (!verdicts.ok()) {
    std::fprintf(stderr, "goalsyncd verify: %s\n", verdicts.status().ToString().c_str());
    return 1;
  }
  int broken = 0;
  for (const auto& v : *verdicts) {
    if (v.status.ok()) {
      std::printf("%s: chain OK, %llu events, head %s\n", v.workspace.c_str(),
                  static_cast<unsigned long long>(v.events),
                  v.events == 0 ? "-" : absl::BytesToHexString(v.hash).c_str());
    } else {
      ++broken;
      std::printf("%s: chain BROKEN at %s\n", v.workspace.c_str(),
                  std::string(v.status.message()).c_str());
    }
  }
  std::printf("%zu workspaces, %d broken\n", verdicts->size(), broken);
  return broken == 0 ? 0 : 1;
}

// goalsyncd token create|list|revoke: the token database of a stopped server's data dir.
int RunToken(const std::string& data_dir, const std::string& action, const std::string& name,
             const std::vector<std::string>& grants, const std::string& id) {
  absl::StatusOr<std::unique_ptr<goalsync::server::TokenStore>> store =
      goalsync::server::TokenStore::Open(data_dir + "/auth");
  if (!store.ok()) {
    std::fprintf(stderr, "goalsyncd: %s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  if (action == "create") {
    std::map<std::string, goalsync::v1::Role> parsed;
    for (const std::string& g : grants) {
      absl::StatusOr<std::pair<std::string, goalsync::v1::Role>> grant = goalsync::core::ParseGrant(g);
      if (!grant.ok()) {
        std::fprintf(stderr, "goalsyncd: --%s\n", std::string(grant.status().message()).c_str());
        return 2;
      }
      parsed[grant->first] = grant->second;
    }
    absl::StatusOr<goalsync::v1::CreateTokenResponse> created =
        (*store)->Create(name, parsed, "goalsyncd token create", absl::Now());
    if (!created.ok()) {
      std::fprintf(stderr, "goalsyncd: %s\n", std::string(created.status().message()).c_str());
      return 1;
    }
    std::fprintf(stderr, "token %s for %s created; it is shown once:\n",
                 created->info().id().c_str(), name.c_str());
    std::printf("%s\n", created->token().c_str());
    return 0;
  }
  if (action == "revoke") {
    if (absl::Status s = (*store)->Revoke(id); !s.ok()) {
      std::fprintf(stderr, "goalsyncd: %s\n", std::string(s.message()).c_str());
      return 1;
    }
    std::printf("token %s revoked\n", id.c_str());
    return 0;
  }
  for (const goalsync::v1::TokenInfo& t : (*store)->List()) {
    std::string grants_text;
    for (const auto& [ws, role] : t.grants()) {
      absl::StrAppend(&grants_text, grants_text.empty() ? "" : ",", ws, "=",
                      goalsync::core::RoleName(role));
    }
    std::printf("%s  %-12s %s%s\n", t.id().c_str(), t.name().c_str(), grants_text.c_str(),
                t.revoked() ? "  (revoked)" : "");
  }
  return 0;
}

// Blocks SIGINT and SIGTERM in every thread, so that main alone receives them with sigwait.
sigset_t BlockStopSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

}  // namespace

int main(int argc, char** argv) {
  // Debian builds Abseil without NDEBUG, which turns on its lock-order graph: every
  // Mutex::Lock then takes a process-wide lock to record an edge (about 3% of goalsyncd's CPU
  // at 64 appending clients, and a point where every thread meets). The tests keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // Logs go to stderr; stdout carries only the "listening on port" line (or a subcommand's
  // output) for scripts.
  spdlog::set_default_logger(spdlog::stderr_color_mt("goalsyncd"));
  CLI::App app{"goalsyncd: the goalsync event log server"};
  app.set_version_flag("--version", "goalsyncd " GOALSYNC_VERSION);
  ServerOptions options;
  options.store.dir = "";
  options.store.zeroed_wal_bytes = 64 << 20;
  options.log.max_loaded_workspaces = kDefaultMaxLoadedWorkspaces;
  std::string log_level = "info";
  int shutdown_grace_ms = 1000;
  AddFlags(app, options, log_level, shutdown_grace_ms);
  ClusterFlags cluster;
  AddClusterFlags(app, cluster);
  goalsync::server::OpsCli ops;
  goalsync::server::AddOpsCli(app, options, ops);
  std::string verify_dir;
  CLI::App* verify = app.add_subcommand(
      "verify",
      "Recompute the hash chain of every workspace in a data dir, offline (stop goalsyncd "
      "first, or verify a copy); exit 1 naming the first bad seq");
  verify->add_option("--data-dir", verify_dir, "The data dir to verify")->required();

  CLI::App* token = app.add_subcommand(
      "token", "Manage bearer tokens in a stopped server's data dir (a running one: goalctl admin)");
  token->require_subcommand(1);
  std::string token_dir, token_name, token_id;
  std::vector<std::string> token_grants;
  CLI::App* create = token->add_subcommand("create", "Create a token; prints it once, on stdout");
  create->add_option("--data-dir", token_dir)->required();
  create->add_option("--name", token_name, "The identity: the actor of its events")->required();
  create->add_option("--grant", token_grants, "WORKSPACE=ROLE or *=ROLE (repeatable)")->required();
  CLI::App* list = token->add_subcommand("list", "List tokens (ids, names, grants)");
  list->add_option("--data-dir", token_dir)->required();
  CLI::App* revoke = token->add_subcommand("revoke", "Revoke a token by id");
  revoke->add_option("--data-dir", token_dir)->required();
  revoke->add_option("ID", token_id)->required();
  std::string pubkey_dir, pubkey_file;
  CLI::App* pubkey = app.add_subcommand(
      "pubkey", "Print the public key that checks this server's signed checkpoints (give it to "
                "auditors: goalctl audit verify --pubkey FILE)");
  pubkey->add_option("--data-dir", pubkey_dir)->required();
  pubkey->add_option("--signing-key", pubkey_file, "The key file, if not in the data dir");
  CLI11_PARSE(app, argc, argv);
  if (std::optional<int> exit_code = goalsync::server::RunOpsSubcommand(ops)) return *exit_code;
  if (*verify) return RunVerify(verify_dir);
  if (*pubkey) {
    goalsync::server::CheckpointOptions o;
    o.key_file = pubkey_file;
    absl::StatusOr<std::string> key = goalsync::server::LoadSigningKey(pubkey_dir, o, /*create=*/true);
    absl::StatusOr<std::string> pub = key.ok() ? goalsync::core::PublicKeyOf(*key) : key.status();
    if (!pub.ok()) {
      std::fprintf(stderr, "goalsyncd: %s\n", std::string(pub.status().message()).c_str());
      return 1;
    }
    std::printf("%s", pub->c_str());
    return 0;
  }
  if (*token) {
    return RunToken(token_dir, *create ? "create" : *revoke ? "revoke" : "list", token_name,
                    token_grants, token_id);
  }
  if (options.store.dir.empty()) {
    std::fprintf(stderr, "goalsyncd: --data-dir is required (where the log is stored)\n");
    return 2;
  }
  options.shutdown_grace = absl::Milliseconds(shutdown_grace_ms);

  spdlog::set_level(spdlog::level::from_str(log_level));
  if (auto format = goalsync::server::ParseLogFormat(ops.log_format); format.ok()) {
    goalsync::server::UseLogFormat(*format);
  }
  const sigset_t stop_signals = BlockStopSignals();

  std::unique_ptr<goalsync::server::cluster::ClusterNode> node;
  if (!cluster.etcd.empty()) {
    if (absl::Status s = FinishClusterFlags(cluster, options, argc, argv); !s.ok()) {
      std::fprintf(stderr, "goalsyncd: %s\n", std::string(s.message()).c_str());
      return 2;
    }
    if (absl::Status s = goalsync::server::cluster::PrepareDataDir(cluster.options, options.store);
        !s.ok()) {
      spdlog::error("goalsyncd cannot prepare its data dir for the group: {}", s.ToString());
      return 1;
    }
    // The checkpoint key's public half goes beside the member record in etcd, so that an
    // auditor can tell which keys speak for the group (docs/cluster.md "Signed checkpoints").
    absl::StatusOr<std::string> signing_key =
        goalsync::server::LoadSigningKey(options.store.dir, options.checkpoints, /*create=*/true);
    absl::StatusOr<std::string> public_key =
        signing_key.ok() ? goalsync::core::PublicKeyOf(*signing_key) : signing_key.status();
    if (!public_key.ok()) {
      spdlog::error("goalsyncd cannot read its checkpoint signing key: {}",
                    public_key.status().ToString());
      return 1;
    }
    cluster.options.public_key_pem = *public_key;
    node = std::make_unique<goalsync::server::cluster::ClusterNode>(cluster.options);
    options.log.replicator = node.get();
    // Only the serving leader signs, once a quorum holds its epoch's mark: quorum-committed
    // heads only, named with its node id and epoch.
    options.checkpoints.group = [n = node.get(), id = cluster.options.node_id] {
      const goalsync::server::cluster::ClusterNode::MetricsView v = n->Metrics();
      return goalsync::server::CheckpointSigner{v.leader && v.quorum_marked, id, v.epoch};
    };
    options.extra_services = {node->replication_service(), node->cluster_service()};
    options.cluster_gauges = [n = node.get()] {
      goalsync::server::cluster::ClusterNode::MetricsView v = n->Metrics();
      return goalsync::server::ClusterGauges{v.leader, v.epoch, std::move(v.follower_lag)};
    };
  }
  absl::StatusOr<std::unique_ptr<goalsync::server::Server>> server =
      goalsync::server::Server::Start(options);
  if (!server.ok()) {
    spdlog::error("goalsyncd cannot start: {}", server.status().ToString());
    return 1;
  }
  if (node != nullptr) {
    if (absl::Status s = node->Start((*server)->event_log(), (*server)->store()); !s.ok()) {
      spdlog::error("goalsyncd cannot join cluster {}: {}", cluster.options.cluster_name,
                    s.ToString());
      return 1;
    }
  }
  spdlog::info("goalsyncd {} listening on {} (port {}{}), data dir {}", GOALSYNC_VERSION,
               options.listen, (*server)->port(), options.tls_cert.empty() ? "" : ", TLS",
               options.store.dir);
  if (!options.metrics_listen.empty()) {
    // With port 0, tests and scripts read the bound port from this line.
    spdlog::info("metrics and probes on http://{}:{}/metrics",
                 options.metrics_listen.substr(0, options.metrics_listen.rfind(':')),
                 (*server)->metrics_port());
  }
  if (options.insecure_no_auth) {
    spdlog::warn("*** --insecure-no-auth: NO AUTHENTICATION. Every caller may read and write "
                 "every workspace and name any actor. Development only; loopback only. ***");
  }
  // Tests and scripts started with port 0 read the bound port from this line on stdout.
  std::printf("listening on port %d\n", (*server)->port());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop_signals, &sig);
  spdlog::info("goalsyncd got {}, shutting down: finishing appends in progress",
               sig == SIGTERM ? "SIGTERM" : "SIGINT");
  if (node != nullptr) node->Stop();  // resigns: another member takes over at once
  (*server)->Shutdown();
  spdlog::info("goalsyncd stopped; data dir closed cleanly");
  return 0;
}
