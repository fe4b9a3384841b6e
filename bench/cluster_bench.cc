// cluster_bench: appends to a three-node replica group (etcd + 3 goalsyncd, --replication-acks
// as given) beside a single goalsyncd on the same machine, in the same run, alternating
// rounds so that a noisy neighbour hurts both sides; then, optionally, failovers: SIGKILL the
// leader under load and time leader lost -> first acknowledged append (restarting it after).
//
// Prints per round: events/s and ack latency p50/p99 of each side and their ratio, then the
// medians, then failover p50/p99, then (--catchup N) how long a follower that missed N events
// takes to hold the leader's head again after it restarts (docs/cluster.md quotes a run).
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <cstdio>
#include <thread>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/workload.h"
#include "goalsync/server_group.h"
#include "tests/support/cluster_harness.h"
#include "tests/support/goalsyncd_process.h"
#include "tests/support/requests.h"
#include "tests/support/temp_dir.h"

namespace {

using goalsync::testing::AppendLoad;
using goalsync::testing::ClusterHarness;

struct Result {
  double per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
};

// `clients` threads, each appending one goal creation per call for `duration`.
Result Load(const std::string& servers, const std::string& ws, int clients, absl::Duration duration) {
  std::atomic<bool> stop{false};
  absl::Mutex mu;
  std::vector<double> latencies;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      auto log = goalsync::client::ConnectLogClient(servers, {});
      std::vector<double> mine;
      for (int n = 0; !stop; ++n) {
        auto req = goalsync::testing::GoalCreations(ws, {absl::StrCat("b", c, "-", n)});
        const absl::Time t = absl::Now();
        if ((*log)->Append(req, absl::Seconds(10)).ok()) {
          mine.push_back(absl::ToDoubleMicroseconds(absl::Now() - t));
        }
      }
      absl::MutexLock lock(&mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  absl::SleepFor(duration);  // the measured interval itself
  stop = true;
  for (auto& t : threads) t.join();
  std::sort(latencies.begin(), latencies.end());
  Result r;
  if (latencies.empty()) return r;
  r.per_second = latencies.size() / absl::ToDoubleSeconds(duration);
  r.p50_us = latencies[latencies.size() / 2];
  r.p99_us = latencies[latencies.size() * 99 / 100];
  return r;
}

// Kills a follower, appends `events` of the shared workload (bench/workload.h: a 1000-goal
// plan's year, in order, 500 per request) through the other two, restarts it, and times its
// catch-up: restart -> every member at the same committed seq. Seconds, or < 0 on failure.
double CatchUp(ClusterHarness& cluster, int events) {
  absl::StatusOr<int> leader = cluster.Leader();
  if (!leader.ok() || !cluster.WaitInSync(absl::Seconds(60), false).ok()) return -1;
  const int behind = (*leader + 1) % cluster.size();
  cluster.KillNode(behind);
  auto log = goalsync::client::ConnectLogClient(cluster.ClientAddresses(), {});
  if (!log.ok()) return -1;
  for (int b = 0; b < events; b += 500) {
    goalsync::v1::AppendRequest req;
    req.set_workspace("catchup");
    for (int i = b; i < std::min(events, b + 500); ++i) {
      goalsync::v1::Event* e = req.add_events();
      e->set_event_id(absl::StrCat("cu-", i));
      *e->mutable_payload() = goalsync::bench::MakePayload(i);
    }
    if (!(*log)->Append(req, absl::Seconds(30)).ok()) return -1;
  }
  const absl::Time t = absl::Now();
  if (!cluster.StartNode(behind).ok()) return -1;
  if (!cluster.WaitInSync(absl::Seconds(600), /*exact=*/true).ok()) return -1;
  return absl::ToDoubleSeconds(absl::Now() - t);
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cluster_bench: a 3-node replica group against a single goalsyncd, same run"};
  int clients = 64, rounds = 3, seconds = 10, failovers = 10;
  std::string acks = "majority";
  app.add_option("--clients", clients)->capture_default_str();
  app.add_option("--rounds", rounds)->capture_default_str();
  app.add_option("--seconds", seconds, "per side per round")->capture_default_str();
  app.add_option("--acks", acks, "majority, all or leader")->capture_default_str();
  app.add_option("--failovers", failovers, "leader kills to time (0: none)")->capture_default_str();
  int catchup = 0;
  app.add_option("--catchup", catchup,
                 "events a killed follower misses before it restarts and catches up (0: skip)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  goalsync::testing::TempDir dir;
  ClusterHarness cluster(dir.Sub("group"), 3,
                         {"--log-level", "warn", "--replication-acks", acks});
  std::filesystem::create_directories(dir.Sub("group"));
  if (absl::Status s = cluster.Start(); !s.ok()) {
    std::fprintf(stderr, "cluster: %s\n", s.ToString().c_str());
    return 1;
  }
  goalsync::testing::GoalsyncdProcess single(dir.Sub("single"), {"--log-level", "warn"});
  if (absl::Status s = single.Start(); !s.ok()) {
    std::fprintf(stderr, "single: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("cluster_bench clients=%d acks=%s seconds=%d rounds=%d\n", clients, acks.c_str(),
              seconds, rounds);
  std::vector<double> rate_ratio, p50_ratio;
  for (int r = 0; r < rounds; ++r) {
    Result one = Load(single.address(), absl::StrCat("single-", r), clients, absl::Seconds(seconds));
    Result three = Load(cluster.ClientAddresses(), absl::StrCat("group-", r), clients,
                        absl::Seconds(seconds));
    rate_ratio.push_back(three.per_second / one.per_second);
    p50_ratio.push_back(three.p50_us / one.p50_us);
    std::printf("  round %d: 3-node %s events_per_s=%.0f p50_us=%.0f p99_us=%.0f | single node "
                "events_per_s=%.0f p50_us=%.0f p99_us=%.0f | rate ratio %.3f, p50 ratio %.3f\n",
                r, acks.c_str(), three.per_second, three.p50_us, three.p99_us, one.per_second,
                one.p50_us, one.p99_us, rate_ratio.back(), p50_ratio.back());
    std::fflush(stdout);
  }
  std::printf("rate_ratio_median=%.3f p50_ratio_median=%.3f\n", Median(rate_ratio),
              Median(p50_ratio));
  std::vector<double> took;
  AppendLoad load(cluster.ClientAddresses(), "failover", clients);
  if (failovers > 0) load.Start();
  for (int f = 0; f < failovers; ++f) {
    absl::StatusOr<int> leader = cluster.Leader();
    if (!leader.ok() || !cluster.WaitInSync(absl::Seconds(60), false).ok()) break;
    load.WaitAcksAfter(absl::Now(), 200, absl::Seconds(30));
    const absl::Time t = absl::Now();
    cluster.KillNode(*leader);
    load.WaitAcksAfter(t, 100, absl::Seconds(30));
    // End of the longest pause between acks after the kill: the new leader's first ack.
    std::vector<AppendLoad::Ack> all = load.Acks();
    std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.at < b.at; });
    absl::Duration longest;
    absl::Time end = t;
    for (size_t i = 1; i < all.size(); ++i) {
      if (all[i].at < t) continue;
      const absl::Time from = std::max(all[i - 1].at, t - absl::Seconds(1));
      if (all[i].at - from > longest) longest = all[i].at - from, end = all[i].at;
    }
    took.push_back(absl::ToDoubleSeconds(end - t));
    std::printf("  failover %d: %.3f s\n", f, took.back());
    std::fflush(stdout);
    if (!cluster.StartNode(*leader).ok()) break;
  }
  load.Stop();
  if (!took.empty()) {
    std::sort(took.begin(), took.end());
    std::printf("failover_p50_s=%.3f failover_p99_s=%.3f failover_max_s=%.3f n=%zu\n",
                took[took.size() / 2], took[std::min(took.size() - 1, took.size() * 99 / 100)],
                took.back(), took.size());
  }
  if (catchup > 0) {
    const double s = CatchUp(cluster, catchup);
    if (s < 0) {
      std::fprintf(stderr, "catch-up of %d events failed\n", catchup);
      return 1;
    }
    std::printf("catchup_events=%d catchup_s=%.3f catchup_events_per_s=%.0f\n", catchup, s,
                catchup / s);
  }
  return 0;
}
