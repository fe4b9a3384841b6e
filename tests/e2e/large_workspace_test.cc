// An organization-sized workspace through a real goalsyncd: 1000 goals and mostly check-ins
// (bench/workload.h), GOALSYNC_LARGE_EVENTS events (200,000 by default; the ctest
// `large_workspace_1m` run, label `long`, uses 1,000,000). A fresh replica joins with default
// settings; goalctl's tree, dashboard, history and state answer; the Python example reads the
// whole plan; every GetState page stays under gRPC's 4 MiB; a paging interrupted by a server
// restart resumes with its token.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "bench/workload.h"
#include "core/plan/kernel.h"
#include "core/plan/state_pages.h"
#include "gmock/gmock.h"
#include "goalsync/log_client.h"
#include "gtest/gtest.h"
#include "tests/support/goalsyncd_process.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace goalsync {
namespace {

using ::testing::HasSubstr;
using goalsync::testing::GoalsyncdProcess;
using goalsync::testing::TempDir;
using Clock = std::chrono::steady_clock;

constexpr char kWorkspace[] = "big";

uint64_t EventsWanted() {
  uint64_t n = 200000;
  if (const char* env = std::getenv("GOALSYNC_LARGE_EVENTS"); env != nullptr) {
    EXPECT_TRUE(absl::SimpleAtoi(env, &n)) << "GOALSYNC_LARGE_EVENTS=" << env;
  }
  return n;
}

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

class LargeWorkspaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<GoalsyncdProcess>(dir_.Sub("data"));
    ASSERT_TRUE(server_->Start().ok()) << server_->Log();
    n_ = EventsWanted();
    client::LogClient log(server_->address());
    const auto start = Clock::now();
    for (uint64_t i = 0; i < n_;) {
      v1::AppendRequest req;
      req.set_workspace(kWorkspace);
      for (int k = 0; k < 1000 && i < n_; ++k, ++i) {
        v1::Event* e = req.add_events();
        e->set_event_id(absl::StrCat("e", i));
        e->set_actor("loader");
        *e->mutable_payload() = bench::MakePayload(i);
      }
      absl::StatusOr<v1::AppendResponse> r = log.Append(req);
      ASSERT_TRUE(r.ok()) << "loading at event " << i << ": " << r.status();
    }
    std::printf("loaded %llu events in %.1f s\n", static_cast<unsigned long long>(n_),
                SecondsSince(start));
  }

  testing::CommandResult Goalctl(const std::string& args) {
    return testing::RunCommand(
        "XDG_CONFIG_HOME=" + dir_.Sub("config") + " GOALSYNC_SERVER=" + server_->address() +
        " GOALSYNC_WORKSPACE=" + kWorkspace + " GOALSYNC_ACTOR=auditor GOALSYNC_REPLICA=" +
        dir_.Sub("replica") + " timeout 120 " + GOALCTL_PATH + " " + args + " 2>&1");
  }

  TempDir dir_;
  std::unique_ptr<GoalsyncdProcess> server_;
  uint64_t n_ = 0;
};

TEST_F(LargeWorkspaceTest, AFreshReplicaJoinsAndEveryViewAnswers) {
  const auto start = Clock::now();
  testing::CommandResult sync = Goalctl("sync");
  const double join_s = SecondsSince(start);
  ASSERT_EQ(sync.exit_code, 0) << sync.out;
  std::printf("a fresh replica joined %llu events in %.2f s (goalctl sync, default settings)\n",
              static_cast<unsigned long long>(n_), join_s);
  EXPECT_LT(join_s, 30.0) << "joining should take seconds, not replay the log";

  testing::CommandResult status = Goalctl("status");
  ASSERT_EQ(status.exit_code, 0) << status.out;
  EXPECT_THAT(status.out, HasSubstr(absl::StrCat(n_))) << "the replica holds the head";

  testing::CommandResult tree = Goalctl("tree");
  ASSERT_EQ(tree.exit_code, 0) << tree.out.substr(0, 2000);
  EXPECT_THAT(tree.out, HasSubstr("g999"));

  testing::CommandResult dashboard = Goalctl("dashboard g13");
  EXPECT_EQ(dashboard.exit_code, 0) << dashboard.out.substr(0, 2000);

  // The goal's check-ins come from the log (the plan holds only their aggregates).
  testing::CommandResult history = Goalctl("history --goal g7");
  ASSERT_EQ(history.exit_code, 0) << history.out.substr(0, 2000);
  EXPECT_THAT(history.out, HasSubstr("check_in_recorded"));

  testing::CommandResult state = Goalctl(absl::StrCat("state --as-of ", n_ / 2));
  ASSERT_EQ(state.exit_code, 0) << state.out.substr(0, 2000);
  EXPECT_THAT(state.out, HasSubstr("g500"));
}

TEST_F(LargeWorkspaceTest, ThePlanComesInPagesUnder4MiBAndThePythonExampleReadsIt) {
  client::LogClient log(server_->address());
  v1::GetStateRequest req;
  req.set_workspace(kWorkspace);
  v1::PlanState plan;
  int pages = 0;
  do {
    absl::StatusOr<v1::GetStateResponse> page = log.GetStatePage(req);
    ASSERT_TRUE(page.ok()) << page.status();
    EXPECT_LT(page->ByteSizeLong(), size_t{4} << 20) << "page " << pages;
    ASSERT_TRUE(core::MergeStatePage(std::move(*page->mutable_state()), &plan).ok());
    req.set_page_token(page->next_page_token());
    ASSERT_LT(++pages, 10000);
  } while (!req.page_token().empty());
  EXPECT_EQ(plan.seq(), n_);
  EXPECT_EQ(plan.goals_size(), 1000);
  uint64_t check_ins = 0;
  for (const auto& [id, g] : plan.goals()) check_ins += g.check_in_count();
  EXPECT_GT(check_ins, n_ / 2) << "mostly check-ins, folded into aggregates";
  std::printf("plan of %llu events: %zu bytes in %d pages\n", static_cast<unsigned long long>(n_),
              plan.ByteSizeLong(), pages);

  testing::CommandResult py = testing::RunCommand(
      std::string("timeout 120 /usr/bin/python3 ") + EXAMPLES_PYTHON_DIR +
      "/goalsync_client.py --stubs " + PYTHON_STUBS_DIR + " --server " + server_->address() +
      " --workspace big state --max-page-bytes 262144 2>&1");
  ASSERT_EQ(py.exit_code, 0) << py.out;
  EXPECT_THAT(py.out, HasSubstr(absl::StrCat("seq=", n_, " goals=1000 check_ins=", check_ins)));
}

TEST_F(LargeWorkspaceTest, APagingInterruptedByARestartResumesWithItsToken) {
  client::LogClient before(server_->address());
  v1::GetStateRequest req;
  req.set_workspace(kWorkspace);
  req.set_max_page_bytes(64 << 10);
  v1::PlanState plan;
  absl::StatusOr<v1::GetStateResponse> first = before.GetStatePage(req);
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_FALSE(first->next_page_token().empty());
  ASSERT_TRUE(core::MergeStatePage(std::move(*first->mutable_state()), &plan).ok());

  // The server restarts and the log moves on; the token still names the first page's seq.
  ASSERT_EQ(server_->Stop(), 0);
  ASSERT_TRUE(server_->Start().ok()) << server_->Log();
  client::LogClient after(server_->address());
  v1::AppendRequest more;
  more.set_workspace(kWorkspace);
  v1::Event* e = more.add_events();
  e->set_event_id("after-restart");
  *e->mutable_payload() = bench::MakePayload(n_ + 3);
  ASSERT_TRUE(after.Append(more).ok());

  req.set_page_token(first->next_page_token());
  for (int guard = 0; !req.page_token().empty(); ++guard) {
    ASSERT_LT(guard, 100000);
    absl::StatusOr<v1::GetStateResponse> page = after.GetStatePage(req);
    ASSERT_TRUE(page.ok()) << page.status();
    ASSERT_TRUE(core::MergeStatePage(std::move(*page->mutable_state()), &plan).ok());
    req.set_page_token(page->next_page_token());
  }
  v1::GetStateRequest at;
  at.set_workspace(kWorkspace);
  at.set_seq(n_);
  absl::StatusOr<v1::PlanState> whole = [&]() -> absl::StatusOr<v1::PlanState> {
    v1::PlanState p;
    for (;;) {
      absl::StatusOr<v1::GetStateResponse> page = after.GetStatePage(at);
      if (!page.ok()) return page.status();
      if (absl::Status s = core::MergeStatePage(std::move(*page->mutable_state()), &p); !s.ok()) {
        return s;
      }
      if (page->next_page_token().empty()) return p;
      at.set_page_token(page->next_page_token());
    }
  }();
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(plan.seq(), n_);
  EXPECT_EQ(core::SerializeState(plan), core::SerializeState(*whole))
      << "resumed pages must make the plan as of the first page's seq";
}

}  // namespace
}  // namespace goalsync
