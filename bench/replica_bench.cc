// replica_bench: the client replica's costs, beside same-run baselines (bench/README.md).
//
//   replica_bench [--events N] [--edits K]
//
// Starts its own goalsyncd (temp data dir, free loopback port), loads N events (bench/workload.h), then:
// 1. catch-up: a new replica reading the whole log (snapshot_threshold 0), against a bare
//    LogClient::Read of the same events (the wire and the server, nothing folded or stored);
// 2. catch-up from a snapshot: a new replica with the default threshold (the server's plan,
//    then the tail), against the same raw read;
// 3. reopen: opening the caught-up replica again (newest local snapshot + tail);
// 4. offline edits: K durable local edits (validated by the kernel, fsync'd to the outbox),
//    against RocksDB alone putting records of the same size with sync=true.
#include <chrono>
#include <cstdio>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "bench/workload.h"
#include "goalsync/log_client.h"
#include "goalsync/replica.h"
#include "rocksdb/db.h"
#include "tests/support/goalsyncd_process.h"
#include "tests/support/temp_dir.h"

namespace goalsync::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr char kWorkspace[] = "bench";

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// A step failed: say which and why, and exit non-zero.
int Fail(const char* step, const absl::Status& s) {
  std::fprintf(stderr, "replica_bench: %s failed: %s\n", step, s.ToString().c_str());
  return 1;
}

int Run(uint64_t events, uint64_t edits) {
  testing::TempDir dir;
  testing::GoalsyncdProcess server(dir.Sub("server"));
  if (absl::Status s = server.Start(); !s.ok()) {
    return Fail("starting goalsyncd", s);
  }
  client::LogClient log(server.address());
  auto start = Clock::now();
  for (uint64_t i = 0; i < events;) {
    v1::AppendRequest req;
    req.set_workspace(kWorkspace);
    for (uint64_t n = 0; n < 1000 && i < events; ++n, ++i) {
      v1::Event* e = req.add_events();
      e->set_event_id(absl::StrCat("e", i));
      e->set_actor("bench");
      *e->mutable_payload() = MakePayload(i);
    }
    if (absl::StatusOr<v1::AppendResponse> r = log.Append(req); !r.ok()) {
      return Fail("load", r.status());
    }
  }
  std::printf("load events=%llu seconds=%.2f\n", static_cast<unsigned long long>(events),
              Seconds(start));

  // Baseline: the bare read.
  start = Clock::now();
  uint64_t read = 0;
  if (absl::Status s = log.Read(kWorkspace, 1, 0, [&](const v1::Event&) {
        ++read;
        return absl::OkStatus();
      });
      !s.ok()) {
    return Fail("raw_read", s);
  }
  const double raw = Seconds(start);
  std::printf("raw_read events=%llu seconds=%.2f events_per_s=%.0f\n",
              static_cast<unsigned long long>(read), raw, read / raw);

  auto open = [&](const std::string& name) {
    return client::Replica::Open({.dir = dir.Sub(name), .server = server.address(),
                                  .workspace = kWorkspace, .actor = "bench"});
  };
  double full = 0;
  {
    auto replica = open("full");
    if (!replica.ok()) return Fail("opening the full replica", replica.status());
    client::SyncOptions o;
    o.snapshot_threshold = 0;
    start = Clock::now();
    absl::StatusOr<client::SyncReport> r = (*replica)->Sync(o);
    full = Seconds(start);
    if (!r.ok()) return Fail("catch_up_full", r.status());
    std::printf("catch_up_full events=%llu seconds=%.2f events_per_s=%.0f "
                "catch_up_full_ratio_vs_raw_read=%.2f\n",
                static_cast<unsigned long long>(r->pulled), full, r->pulled / full, raw / full);
  }
  {
    auto replica = open("snap");
    if (!replica.ok()) return Fail("opening the joining replica", replica.status());
    start = Clock::now();
    absl::StatusOr<client::SyncReport> r = (*replica)->Sync();
    const double snap = Seconds(start);
    if (!r.ok()) return Fail("catch_up_snapshot (join from the server's plan)", r.status());
    std::printf("catch_up_snapshot from_snapshot=%d seconds=%.2f "
                "catch_up_snapshot_ratio_vs_raw_read=%.2f\n",
                r->from_snapshot ? 1 : 0, snap, raw / snap);
  }
  {
    start = Clock::now();
    auto replica = open("full");
    const double reopen = Seconds(start);
    if (!replica.ok()) return Fail("reopening the full replica", replica.status());
    std::printf("reopen seq=%llu seconds=%.3f\n",
                static_cast<unsigned long long>((*replica)->Status().confirmed_seq), reopen);

    // Offline edits, durable one by one.
    v1::CheckInRecorded c;
    c.set_goal_id("g1");
    c.set_value(1);
    c.set_period("2026-Q1");
    c.set_note("weekly check-in");
    start = Clock::now();
    for (uint64_t i = 0; i < edits; ++i) {
      if (absl::Status s = (*replica)->CheckIn(c); !s.ok()) return Fail("an offline check-in", s);
    }
    const double offline = Seconds(start);
    const size_t bytes = (*replica)->Outbox().back().ByteSizeLong();

    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw_db = nullptr;
    if (rocksdb::Status s = rocksdb::DB::Open(options, dir.Sub("raw"), &raw_db); !s.ok()) {
      return Fail("opening the baseline RocksDB", absl::UnavailableError(s.ToString()));
    }
    std::unique_ptr<rocksdb::DB> db(raw_db);
    rocksdb::WriteOptions sync;
    sync.sync = true;
    const std::string value(bytes, 'x');
    start = Clock::now();
    for (uint64_t i = 0; i < edits; ++i) {
      if (rocksdb::Status s = db->Put(sync, absl::StrCat("k", i), value); !s.ok()) {
        return Fail("a baseline RocksDB put", absl::UnavailableError(s.ToString()));
      }
    }
    const double baseline = Seconds(start);
    std::printf("offline_edits edits=%llu edits_per_s=%.0f rocksdb_sync_put_per_s=%.0f "
                "offline_edit_ratio_vs_rocksdb_sync_put=%.2f\n",
                static_cast<unsigned long long>(edits), edits / offline, edits / baseline,
                baseline / offline);
  }
  server.Stop();
  return 0;
}

}  // namespace
}  // namespace goalsync::bench

int main(int argc, char** argv) {
  CLI::App app("replica_bench: catch-up and offline edit costs of a client replica");
  uint64_t events = 100000, edits = 2000;
  app.add_option("--events", events, "events in the workspace to catch up")->capture_default_str();
  app.add_option("--edits", edits, "offline edits to time")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return goalsync::bench::Run(events, edits);
}
