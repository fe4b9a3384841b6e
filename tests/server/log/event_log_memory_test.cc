// EventLog's plan memory (EventLogOptions::max_loaded_workspaces, event_log_memory.cc): idle
// plans are evicted least recently used first and load back equal to what they were; a plan
// is loaded where it is used (staging, plan reads), not where its workspace is named; appends
// and reads from many threads stay right while plans come and go.
#include <future>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "server/log/event_log.h"
#include "tests/support/requests.h"
#include "tests/support/temp_dir.h"

namespace goalsync::server {
namespace {

using goalsync::v1::AppendRequest;
using goalsync::v1::AppendResponse;
using goalsync::v1::PlanState;

absl::StatusOr<AppendResponse> AppendNow(EventLog& log, const AppendRequest& req) {
  std::promise<absl::StatusOr<AppendResponse>> done;
  log.Append(req, [&done](absl::StatusOr<AppendResponse> r) { done.set_value(std::move(r)); });
  return done.get_future().get();
}

// Goals "<ws>-<from>" .. "<ws>-<to - 1>", appended at expected_seq `from`.
absl::Status AppendGoals(EventLog& log, const std::string& ws, int from, int to) {
  std::vector<std::string> ids;
  for (int g = from; g < to; ++g) ids.push_back(absl::StrCat(ws, "-", g));
  AppendRequest req = goalsync::testing::GoalCreations(ws, ids);
  req.set_expected_seq(static_cast<uint64_t>(from));
  return AppendNow(log, req).status();
}

class EventLogMemoryTest : public ::testing::Test {
 protected:
  void Open(size_t max_loaded) {
    log_.reset();
    store_.reset();
    store_ = std::move(LogStore::Open({.dir = dir_.path()})).value();
    log_ = std::make_unique<EventLog>(
        *store_, EventLogOptions{.snapshot_every = 2, .max_loaded_workspaces = max_loaded});
  }
  absl::StatusOr<PlanState> Plan(const std::string& name) {
    absl::StatusOr<Workspace*> ws = log_->GetWorkspace(name);
    if (!ws.ok()) return ws.status();
    PlanState copy;
    absl::Status s = log_->ReadCommittedPlan(**ws, [&](const PlanState& p) { copy = p; });
    if (!s.ok()) return s;
    return copy;
  }
  bool LoadedNoTouch(Workspace* ws) {
    absl::MutexLock lock(&ws->mu);
    return ws->plan_loaded;
  }

  goalsync::testing::TempDir dir_;
  std::unique_ptr<LogStore> store_;
  std::unique_ptr<EventLog> log_;
};

TEST_F(EventLogMemoryTest, EvictsTheLeastRecentlyUsedAndLoadsItBackEqual) {
  Open(/*max_loaded=*/2);
  ASSERT_TRUE(AppendGoals(*log_, "a", 0, 5).ok());  // snapshots at 2 and 4, then a tail
  const PlanState a_before = Plan("a").value();
  Workspace* a = log_->GetWorkspace("a").value();
  ASSERT_TRUE(AppendGoals(*log_, "b", 0, 3).ok());
  ASSERT_TRUE(AppendGoals(*log_, "c", 0, 3).ok());  // a is the oldest: evicted
  log_->Head("c").IgnoreError();
  EXPECT_LE(log_->LoadedWorkspaces(), 2u);
  EXPECT_FALSE(LoadedNoTouch(a));

  const PlanState a_after = Plan("a").value();  // loads a, evicts b (now the oldest)
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a_before, a_after));
  EXPECT_EQ(a_after.goals_size(), 5);
  EXPECT_LE(log_->LoadedWorkspaces(), 2u);
  // Appends after a reload follow the head they were loaded at.
  ASSERT_TRUE(AppendGoals(*log_, "a", 5, 7).ok());
  EXPECT_EQ(Plan("a")->goals_size(), 7);
  EXPECT_EQ(Plan("b")->goals_size(), 3);
  EXPECT_EQ(Plan("c")->goals_size(), 3);
  EXPECT_LE(log_->LoadedWorkspaces(), 2u);
}

TEST_F(EventLogMemoryTest, NoBoundKeepsEveryPlan) {
  Open(/*max_loaded=*/0);
  for (int w = 0; w < 10; ++w) ASSERT_TRUE(AppendGoals(*log_, absl::StrCat("w", w), 0, 2).ok());
  EXPECT_EQ(log_->LoadedWorkspaces(), 10u);
}

TEST_F(EventLogMemoryTest, APlanIsLoadedWhereItIsUsedNotWhereItsWorkspaceIsNamed) {
  Open(/*max_loaded=*/1);
  ASSERT_TRUE(AppendGoals(*log_, "a", 0, 2).ok());
  ASSERT_TRUE(AppendGoals(*log_, "b", 0, 1).ok());  // a's plan goes
  Workspace* a = log_->GetWorkspace("a").value();
  EXPECT_FALSE(LoadedNoTouch(a)) << "naming a workspace loads no plan";
  ASSERT_TRUE(log_->Head("a").ok());
  std::vector<v1::Event> events;
  ASSERT_TRUE(log_->ReadCommitted(*a, 1, 100, &events).ok());
  EXPECT_EQ(events.size(), 2u);
  EXPECT_FALSE(LoadedNoTouch(a)) << "heads and log reads need no plan";
  EXPECT_EQ(Plan("a")->goals_size(), 2) << "a plan query loads it";
  EXPECT_TRUE(LoadedNoTouch(a));
  EXPECT_EQ(log_->LoadedWorkspaces(), 1u);
  ASSERT_TRUE(AppendGoals(*log_, "b", 1, 2).ok()) << "an append loads b's plan, a's goes";
  EXPECT_FALSE(LoadedNoTouch(a));
  EXPECT_EQ(log_->LoadedWorkspaces(), 1u);
  EXPECT_EQ(Plan("b")->goals_size(), 2);
}

TEST_F(EventLogMemoryTest, ReopenedStoreLoadsUnderTheBound) {
  Open(/*max_loaded=*/3);
  for (int w = 0; w < 8; ++w) ASSERT_TRUE(AppendGoals(*log_, absl::StrCat("w", w), 0, 3).ok());
  Open(/*max_loaded=*/3);
  for (int w = 0; w < 8; ++w) {
    ASSERT_TRUE(AppendGoals(*log_, absl::StrCat("w", w), 3, 4).ok()) << w;
    EXPECT_EQ(Plan(absl::StrCat("w", w))->goals_size(), 4);
    EXPECT_LE(log_->LoadedWorkspaces(), 3u);
  }
  ASSERT_TRUE(Plan("w0").ok());  // a plan query loads it
  EXPECT_TRUE(LoadedNoTouch(log_->GetWorkspace("w0").value()));
  EXPECT_LE(log_->LoadedWorkspaces(), 3u);
}

TEST_F(EventLogMemoryTest, ManyThreadsAppendAndReadWhilePlansComeAndGo) {
  Open(/*max_loaded=*/2);
  constexpr int kThreads = 4, kPerThread = 3, kRounds = 20;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int r = 0; r < kRounds; ++r) {
        for (int k = 0; k < kPerThread; ++k) {
          const std::string ws = absl::StrCat("t", t, "-", k);
          if (absl::Status s = AppendGoals(*log_, ws, r, r + 1); !s.ok()) {
            ADD_FAILURE() << ws << " round " << r << ": " << s;
            ++failures;
          }
          absl::StatusOr<PlanState> plan = Plan(ws);
          if (!plan.ok() || plan->goals_size() != r + 1 || plan->seq() != static_cast<uint64_t>(r + 1)) {
            ADD_FAILURE() << ws << " round " << r << ": "
                          << (plan.ok() ? absl::StrCat(plan->goals_size(), " goals") : plan.status().ToString());
            ++failures;
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  for (int t = 0; t < kThreads; ++t) {
    for (int k = 0; k < kPerThread; ++k) {
      EXPECT_EQ(Plan(absl::StrCat("t", t, "-", k))->goals_size(), kRounds);
    }
  }
  EXPECT_LE(log_->LoadedWorkspaces(), 2u);
}

}  // namespace
}  // namespace goalsync::server
