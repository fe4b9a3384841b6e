// goalsyncd --max-loaded-workspaces against a real process: many workspaces under a small
// bound. Every append and read is right whatever was evicted (plans reload from a snapshot
// plus the log after it), goalsync_workspaces_loaded never shows more than the bound while
// the calls come one at a time, and concurrent writers and readers get right answers too.
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/workload.h"
#include "gtest/gtest.h"
#include "goalsync/log_client.h"
#include "goalsync/plan_file.h"
#include "tests/server/ops/ops_test_util.h"
#include "tests/support/goalsyncd_process.h"
#include "tests/support/requests.h"
#include "tests/support/temp_dir.h"

namespace goalsync {
namespace {

using testing::GoalsyncdProcess;
using testing::Sample;

constexpr int kWorkspaces = 24;
constexpr int kLimit = 4;

std::string Ws(int i) { return absl::StrCat("ws-", i); }

class MemoryBoundsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(StartServer()); }

  void StartServer() {
    metrics_port_ = testing::FreePort();
    server_ = std::make_unique<GoalsyncdProcess>(
        dir_.Sub("data"),
        std::vector<std::string>{"--metrics-listen", absl::StrCat("127.0.0.1:", metrics_port_),
                                 "--max-loaded-workspaces", std::to_string(kLimit),
                                 // Reloads then fold a snapshot and a tail after it.
                                 "--snapshot-every", "3"});
    ASSERT_TRUE(server_->Start().ok()) << server_->Log();
  }

  double Loaded() {
    testing::HttpReply r = testing::HttpGet(metrics_port_, "/metrics");
    EXPECT_EQ(r.status, 200);
    return Sample(r.body, "goalsync_workspaces_loaded").value_or(-1);
  }

  // The workspace holds exactly goals 0..n-1 of `ws`, in the plan and in the log.
  void ExpectGoals(client::LogClient& c, const std::string& ws, int n) {
    absl::StatusOr<goalsync::v1::PlanState> plan = c.GetState(ws);
    ASSERT_TRUE(plan.ok()) << ws << ": " << plan.status();
    EXPECT_EQ(plan->goals_size(), n) << ws;
    EXPECT_EQ(plan->seq(), static_cast<uint64_t>(n)) << ws;
    for (int g = 0; g < n; ++g) {
      EXPECT_TRUE(plan->goals().contains(absl::StrCat("goal-", ws, "-", g))) << ws << " " << g;
    }
    int read = 0;
    ASSERT_TRUE(c.Read(ws, 1, 0, [&](const goalsync::v1::Event& e) {
                   EXPECT_EQ(e.event_id(), absl::StrCat(ws, "-", read)) << ws;
                   ++read;
                   return absl::OkStatus();
                 }).ok());
    EXPECT_EQ(read, n) << ws;
  }

  absl::Status AppendGoal(client::LogClient& c, const std::string& ws, int g) {
    goalsync::v1::AppendRequest req = testing::GoalCreations(ws, {absl::StrCat(ws, "-", g)});
    req.set_expected_seq(static_cast<uint64_t>(g));  // the plan's head must be right
    return c.Append(req).status();
  }

  testing::TempDir dir_;
  int metrics_port_ = 0;
  std::unique_ptr<GoalsyncdProcess> server_;
};

TEST_F(MemoryBoundsTest, OneCallAtATimeStaysUnderTheBoundAndEveryAnswerIsRight) {
  client::LogClient c(server_->address());
  constexpr int kRounds = 4;
  for (int round = 0; round < kRounds; ++round) {
    for (int w = 0; w < kWorkspaces; ++w) {
      ASSERT_TRUE(AppendGoal(c, Ws(w), round).ok()) << Ws(w) << " round " << round;
      ASSERT_LE(Loaded(), kLimit);
      // Reading another workspace (older, so evicted) loads it back.
      ExpectGoals(c, Ws((w + kWorkspaces / 2) % kWorkspaces),
                  round + ((w + kWorkspaces / 2) % kWorkspaces <= w ? 1 : 0));
      ASSERT_LE(Loaded(), kLimit);
    }
  }
  for (int w = 0; w < kWorkspaces; ++w) ExpectGoals(c, Ws(w), kRounds);
  EXPECT_LE(Loaded(), kLimit);
  EXPECT_GE(Loaded(), 1);

  // After a restart, plans load from what is stored, under the same bound.
  ASSERT_EQ(server_->Stop(), 0);
  ASSERT_NO_FATAL_FAILURE(StartServer());
  client::LogClient again(server_->address());
  for (int w = 0; w < kWorkspaces; ++w) {
    ASSERT_TRUE(AppendGoal(again, Ws(w), kRounds).ok()) << Ws(w);
    ASSERT_LE(Loaded(), kLimit);
  }
  for (int w = 0; w < kWorkspaces; ++w) ExpectGoals(again, Ws(w), kRounds + 1);
  EXPECT_LE(Loaded(), kLimit);
}

TEST_F(MemoryBoundsTest, ConcurrentWritersAndReadersGetRightAnswers) {
  // Six writers, each with four workspaces of its own, append and read back in turn while
  // plans are evicted under them; the bound may be passed only while every plan is in use.
  constexpr int kWriters = 6, kEach = 8;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      client::LogClient c(server_->address());
      for (int g = 0; g < kEach; ++g) {
        for (int k = 0; k < kWorkspaces / kWriters; ++k) {
          const std::string ws = Ws(t + k * kWriters);
          if (!AppendGoal(c, ws, g).ok()) ++failures;
          absl::StatusOr<goalsync::v1::PlanState> plan = c.GetState(ws);
          if (!plan.ok() || plan->goals_size() != g + 1) ++failures;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  client::LogClient c(server_->address());
  for (int w = 0; w < kWorkspaces; ++w) ExpectGoals(c, Ws(w), kEach);
  // Idle again: the next loads evict down to the bound.
  EXPECT_LE(Loaded(), kLimit);
}

// Memory per loaded workspace, measured (docs/operations.md quotes the figures): the same
// workspaces loaded by a goalsyncd without a bound and by one that keeps one plan; the
// difference in resident memory, per workspace, is what a loaded plan costs. Measured on a
// restart of the same data dir, so that the log's memtables and block cache are alike.
struct PlanKind {
  const char* name;
  std::function<void(client::LogClient&, const std::string&)> load;
};

double Rss(int metrics_port) {
  testing::HttpReply r = testing::HttpGet(metrics_port, "/metrics");
  return Sample(r.body, "process_resident_memory_bytes").value_or(0);
}

void Measure(const PlanKind& kind, int workspaces) {
  testing::TempDir dir;
  {
    GoalsyncdProcess loader(dir.Sub("data"));
    ASSERT_TRUE(loader.Start().ok()) << loader.Log();
    client::LogClient c(loader.address());
    for (int w = 0; w < workspaces; ++w) kind.load(c, Ws(w));
    absl::StatusOr<goalsync::v1::PlanState> plan = c.GetState(Ws(0));
    ASSERT_TRUE(plan.ok()) << plan.status();
    std::printf("%s: plan of %zu goals: %zu bytes serialized (a snapshot), %zu bytes as a "
                "protobuf in memory (SpaceUsedLong)\n",
                kind.name, plan->goals_size(), plan->ByteSizeLong(), plan->SpaceUsedLong());
    ASSERT_EQ(loader.Stop(), 0);
  }
  double head_rss[2], state_rss[2], head_ms[2];
  for (int bounded = 0; bounded < 2; ++bounded) {
    const int port = testing::FreePort();
    GoalsyncdProcess server(dir.Sub("data"),
                            {"--metrics-listen", absl::StrCat("127.0.0.1:", port),
                             "--max-loaded-workspaces", bounded ? "1" : "0"});
    ASSERT_TRUE(server.Start().ok()) << server.Log();
    client::LogClient c(server.address());
    for (int w = 0; w < workspaces; ++w) ASSERT_TRUE(c.Head(Ws(w)).ok());  // loads each plan
    head_rss[bounded] = Rss(port);
    // Again: bounded, every Head loads its plan back (evicted by the one before).
    const absl::Time start = absl::Now();
    for (int w = 0; w < workspaces; ++w) ASSERT_TRUE(c.Head(Ws(w)).ok());
    head_ms[bounded] = absl::ToDoubleMilliseconds(absl::Now() - start) / workspaces;
    for (int w = 0; w < workspaces; ++w) ASSERT_TRUE(c.GetState(Ws(w)).ok());  // + a cut each
    state_rss[bounded] = Rss(port);
    ASSERT_EQ(server.Stop(), 0);
  }
  const double per_loaded = (head_rss[0] - head_rss[1]) / (workspaces - 1);
  const double per_paged = (state_rss[0] - state_rss[1]) / (workspaces - 1);
  std::printf("%s: %d workspaces, resident memory unbounded %.1f MiB / bound 1 %.1f MiB: "
              "%.0f KiB per loaded plan; after GetState of each (a paging cut kept per "
              "workspace): %.1f / %.1f MiB, %.0f KiB per workspace\n",
              kind.name, workspaces, head_rss[0] / (1 << 20), head_rss[1] / (1 << 20),
              per_loaded / 1024, state_rss[0] / (1 << 20), state_rss[1] / (1 << 20),
              per_paged / 1024);
  std::printf("%s: a Head takes %.2f ms with its plan loaded, %.2f ms when it loads it back "
              "(snapshot + the log after it)\n",
              kind.name, head_ms[0], head_ms[1]);
  EXPECT_GT(per_loaded, 0);
}

// A minute of loading: run by `ctest -L long` (memory_per_loaded_workspace), which sets
// GOALSYNC_MEASURE_MEMORY=1.
TEST(MemoryPerLoadedWorkspaceTest, ExamplePlanAndAThousandGoalPlan) {
  if (std::getenv("GOALSYNC_MEASURE_MEMORY") == nullptr) {
    GTEST_SKIP() << "a measurement: GOALSYNC_MEASURE_MEMORY=1 (ctest -L long) runs it";
  }
  Measure({"example plan (examples/annual-plan.yaml)",
           [](client::LogClient& c, const std::string& ws) {
             absl::StatusOr<client::PlanFile> plan = client::ReadPlanFile(EXAMPLE_PLAN_PATH, ws);
             ASSERT_TRUE(plan.ok()) << plan.status();
             goalsync::v1::AppendRequest req;
             req.set_workspace(ws);
             for (const auto& e : plan->events) *req.add_events() = e;
             ASSERT_TRUE(c.Append(req).ok());
           }},
          /*workspaces=*/24);
  // bench/workload.h's organization: 1,000 goals, then field edits, period targets, tasks
  // and weekly check-ins; 20,000 events.
  Measure({"1,000-goal plan (bench/workload.h, 20,000 events)",
           [](client::LogClient& c, const std::string& ws) {
             for (uint64_t i = 0; i < 20000;) {
               goalsync::v1::AppendRequest req;
               req.set_workspace(ws);
               for (int k = 0; k < 1000; ++k, ++i) {
                 goalsync::v1::Event* e = req.add_events();
                 e->set_event_id(absl::StrCat("e", i));
                 e->set_actor("loader");
                 *e->mutable_payload() = bench::MakePayload(i);
               }
               ASSERT_TRUE(c.Append(req).ok()) << ws << " at " << i;
             }
           }},
          /*workspaces=*/12);
}

}  // namespace
}  // namespace goalsync
