// kernel_bench: the planning kernel and the plan's read paths at scale, beside same-run
// baselines (see bench/README.md).
//
//   kernel_bench [--events N] [--snapshot-every K] [--samples S]
//
// 1. apply: the kernel replaying N generated events, against protobuf parsing the same
//    events (the least any replay must do).
// 2. as-of: the plan as of random seqs of an N-event workspace (nearest snapshot + replay),
//    against reading that many events raw from RocksDB.
// 3. restart: opening the store and loading the workspace (newest snapshot + tail), against
//    a raw scan of the whole log.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <random>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "bench/workload.h"
#include "core/plan/kernel.h"
#include "server/log/event_log.h"
#include "tests/support/temp_dir.h"

namespace goalsync::bench {
namespace {

using Clock = std::chrono::steady_clock;
using v1::Event;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

Event MakeEvent(uint64_t seq) {
  Event e;
  e.set_workspace("bench");
  e.set_seq(seq);
  e.set_event_id(absl::StrCat("e", seq));
  e.set_actor("bench");
  e.set_base_seq(seq - 1);
  e.mutable_hlc()->set_physical_micros(1'780'000'000'000'000 + seq);
  e.mutable_server_time()->set_seconds(1'780'000'000 + seq / 1000);
  *e.mutable_payload() = MakePayload(seq - 1);
  return e;
}

void BenchApply(uint64_t n) {
  v1::PlanState state;
  double apply = 0, parse = 0;
  std::vector<std::string> chunk;
  for (uint64_t first = 1; first <= n; first += 10000) {
    chunk.clear();
    for (uint64_t seq = first; seq < first + 10000 && seq <= n; ++seq) {
      chunk.push_back(MakeEvent(seq).SerializeAsString());
    }
    std::vector<Event> events(chunk.size());
    auto t = Clock::now();
    for (size_t i = 0; i < chunk.size(); ++i) events[i].ParseFromString(chunk[i]);
    parse += Seconds(t);
    t = Clock::now();
    for (const Event& e : events) {
      if (absl::Status s = core::Apply(e, &state); !s.ok()) {
        std::fprintf(stderr, "apply failed at %llu: %s\n", (unsigned long long)e.seq(),
                     s.ToString().c_str());
        std::exit(1);
      }
    }
    apply += Seconds(t);
  }
  std::printf("apply events=%llu apply_events_per_s=%.0f | baseline protobuf parse: per_s=%.0f\n",
              (unsigned long long)n, n / apply, n / parse);
  std::printf("apply_ratio_vs_parse=%.3f\n", parse / apply);
}

absl::StatusOr<v1::AppendResponse> AppendNow(server::EventLog& log, const v1::AppendRequest& r) {
  std::promise<absl::StatusOr<v1::AppendResponse>> done;
  log.Append(r, [&](absl::StatusOr<v1::AppendResponse> x) { done.set_value(std::move(x)); });
  return done.get_future().get();
}

double RawScan(server::LogStore& store, uint32_t ws_id, uint64_t from, uint64_t count) {
  std::vector<Event> page;
  auto t = Clock::now();
  for (uint64_t next = from; next < from + count;) {
    page.clear();
    if (!store.ReadEvents(ws_id, next, from + count - 1, 4096, &page).ok() || page.empty()) break;
    next = page.back().seq() + 1;
  }
  return Seconds(t);
}

void BenchServerPaths(uint64_t n, uint64_t snapshot_every, int samples) {
  goalsync::testing::TempDir dir;
  server::EventLogOptions options;
  options.snapshot_every = snapshot_every;
  options.max_batch_events = 1000;
  {
    auto store = std::move(server::LogStore::Open({.dir = dir.path()})).value();
    server::EventLog log(*store, options);
    auto t = Clock::now();
    for (uint64_t first = 1; first <= n; first += 1000) {
      v1::AppendRequest req;
      req.set_workspace("bench");
      for (uint64_t seq = first; seq < first + 1000 && seq <= n; ++seq) {
        Event* e = req.add_events();
        e->set_event_id(absl::StrCat("e", seq));
        e->set_actor("bench");
        *e->mutable_payload() = MakePayload(seq - 1);
      }
      if (auto r = AppendNow(log, req); !r.ok()) {
        std::fprintf(stderr, "append failed: %s\n", r.status().ToString().c_str());
        std::exit(1);
      }
    }
    std::printf("load events=%llu in %.1f s (%.0f events/s, durable, batches of 1000, validated)\n",
                (unsigned long long)n, Seconds(t), n / Seconds(t));

    server::Workspace& ws = *log.GetWorkspace("bench").value();
    std::mt19937 rng(42);
    std::vector<double> ms;
    for (int i = 0; i < samples; ++i) {
      const uint64_t seq = std::uniform_int_distribution<uint64_t>(1, n)(rng);
      auto t0 = Clock::now();
      auto state = log.StateAsOf(ws, seq);
      ms.push_back(Seconds(t0) * 1000);
      if (!state.ok() || state->seq() != seq) std::exit(1);
    }
    std::sort(ms.begin(), ms.end());
    const double raw_ms = RawScan(*store, ws.id, 1, snapshot_every) * 1000;
    std::printf("as_of samples=%d p50_ms=%.1f p99_ms=%.1f | baseline raw read of %llu events: %.1f ms\n",
                samples, ms[ms.size() / 2], ms[ms.size() * 99 / 100], (unsigned long long)snapshot_every,
                raw_ms);
  }
  auto t = Clock::now();
  auto store = std::move(server::LogStore::Open({.dir = dir.path()})).value();
  const double open = Seconds(t);
  server::EventLog log(*store, options);
  auto ws = log.GetWorkspace("bench");
  const double restart = Seconds(t);
  if (!ws.ok() || (*ws)->CommittedSeq() != n) std::exit(1);
  const double scan = RawScan(*store, (*ws)->id, 1, n);
  std::printf("restart events=%llu restart_s=%.2f (store open %.2f s) | baseline raw scan of the "
              "whole log: %.2f s\n",
              (unsigned long long)n, restart, open, scan);
}

int Main(int argc, char** argv) {
  CLI::App app{"kernel_bench: the planning kernel and the plan's read paths at scale"};
  uint64_t events = 1000000, snapshot_every = 10000;
  int samples = 20;
  app.add_option("--events", events, "events to generate")->capture_default_str();
  app.add_option("--snapshot-every", snapshot_every, "goalsyncd's --snapshot-every")->capture_default_str();
  app.add_option("--samples", samples, "as-of queries to time")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  BenchApply(events);
  BenchServerPaths(events, snapshot_every, samples);
  return 0;
}

}  // namespace
}  // namespace goalsync::bench

int main(int argc, char** argv) { return goalsync::bench::Main(argc, argv); }
