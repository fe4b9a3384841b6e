// The worked example of the planning method (examples/annual-plan.yaml) loaded through a real
// goalsyncd, then asked what a planner and an auditor ask: progress, variance per quarter,
// completion rates, and who changed the Q4 target, when, and who approved it.
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "goalsync/log_client.h"
#include "goalsync/plan_file.h"
#include "goalsync/v1/plan_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/support/goalsyncd_process.h"
#include "tests/support/temp_dir.h"

namespace goalsync {
namespace {

using ::testing::HasSubstr;
using goalsync::testing::GoalsyncdProcess;
using goalsync::testing::TempDir;

constexpr const char* kWorkspace = "acme-2026";

class WorkedExampleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<GoalsyncdProcess>(dir_.Sub("data"),
                                                 std::vector<std::string>{"--snapshot-every", "16"});
    ASSERT_TRUE(server_->Start().ok());
    auto channel = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
    log_ = std::make_unique<client::LogClient>(channel);
    plan_ = v1::PlanService::NewStub(channel);
    absl::StatusOr<client::PlanFile> file = client::ReadPlanFile(EXAMPLE_PLAN_PATH);
    ASSERT_TRUE(file.ok()) << file.status();
    ASSERT_EQ(file->workspace, kWorkspace);
    events_ = file->events.size();
    Load(*file);
  }

  void Load(const client::PlanFile& file) {
    v1::AppendRequest req;
    req.set_workspace(file.workspace);
    for (const auto& e : file.events) *req.add_events() = e;
    absl::StatusOr<v1::AppendResponse> r = log_->Append(req);
    ASSERT_TRUE(r.ok()) << r.status();
  }

  v1::GetProgressResponse Progress(const std::string& goal, const std::string& period = "",
                                   bool subtree = false, bool original = false) {
    grpc::ClientContext ctx;
    v1::GetProgressRequest req;
    req.set_workspace(kWorkspace);
    req.set_goal_id(goal);
    req.set_period(period);
    req.set_subtree(subtree);
    req.set_original_targets(original);
    v1::GetProgressResponse resp;
    grpc::Status s = plan_->GetProgress(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  }

  v1::PlanState State(std::optional<uint64_t> seq = std::nullopt) {
    grpc::ClientContext ctx;
    v1::GetStateRequest req;
    req.set_workspace(kWorkspace);
    if (seq) req.set_seq(*seq);
    v1::GetStateResponse resp;
    grpc::Status s = plan_->GetState(&ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp.state();
  }

  TempDir dir_;
  std::unique_ptr<GoalsyncdProcess> server_;
  std::unique_ptr<client::LogClient> log_;
  std::unique_ptr<v1::PlanService::Stub> plan_;
  size_t events_ = 0;
};

TEST_F(WorkedExampleTest, TheCascadeHasFourLevels) {
  grpc::ClientContext ctx;
  v1::ListGoalsRequest req;
  req.set_workspace(kWorkspace);
  v1::ListGoalsResponse resp;
  ASSERT_TRUE(plan_->ListGoals(&ctx, req, &resp).ok());
  std::map<std::string, std::string> parent;
  for (const auto& g : resp.goals()) {
    parent[g.id()] = g.parent_id();
    EXPECT_FALSE(g.orphan()) << g.id();
  }
  EXPECT_EQ(parent["rep-li-2026"], "sales-team-2026");
  EXPECT_EQ(parent["sales-team-2026"], "ai-saas-2026");
  EXPECT_EQ(parent["ai-saas-2026"], "company-2026");
  EXPECT_EQ(parent["company-2026"], "");
}

TEST_F(WorkedExampleTest, LoadingTwiceAppendsNothing) {
  const uint64_t head = log_->Head(kWorkspace)->seq();
  EXPECT_EQ(head, events_);
  Load(*client::ReadPlanFile(EXAMPLE_PLAN_PATH));
  EXPECT_EQ(log_->Head(kWorkspace)->seq(), head);
}

TEST_F(WorkedExampleTest, QuartersAndMonthsAddUpUntilTheSprint) {
  v1::GetProgressResponse team = Progress("sales-team-2026", "", true);
  std::map<std::string, const v1::BreakdownCheck*> checks;
  for (const auto& c : team.checks()) checks[c.goal_id() + ": " + c.what()] = &c;
  // 8 + 15 + 17 + 10 = 50 was the plan; the approved Q4 sprint of 12 makes it 52.
  const auto* quarters = checks["sales-team-2026: quarters add up to the goal's target"];
  ASSERT_NE(quarters, nullptr);
  EXPECT_EQ(quarters->expected(), 50);
  EXPECT_EQ(quarters->actual(), 52);
  EXPECT_FALSE(quarters->ok());
  const auto* months = checks["rep-li-2026: months of 2026-Q1 add up to its target"];
  ASSERT_NE(months, nullptr);
  EXPECT_TRUE(months->ok()) << "3 + 3 + 3 = 9";

  // Before the approval (as of the request's opening) the quarters added up exactly.
  v1::PlanState before = State(events_ - 2);
  EXPECT_EQ(before.goals().at("sales-team-2026").period_targets().at("2026-Q4"), 10);
}

TEST_F(WorkedExampleTest, ProgressAndVariancePerQuarter) {
  v1::GetProgressResponse q1 = Progress("sales-team-2026", "2026-Q1");
  ASSERT_EQ(q1.progress_size(), 1);
  EXPECT_EQ(q1.progress(0).actual(), 6);
  EXPECT_EQ(q1.progress(0).targets().base(), 8);
  EXPECT_EQ(q1.progress(0).band(), "below base");

  v1::GetProgressResponse year = Progress("sales-team-2026");
  EXPECT_EQ(year.progress(0).actual(), 42);  // 6 + 16 + 20
  EXPECT_EQ(year.progress(0).band(), "below floor");
  std::map<std::string, double> variance;
  for (const auto& v : year.variance()) variance[v.period()] = v.variance();
  EXPECT_EQ(variance["2026-Q1"], -2);
  EXPECT_EQ(variance["2026-Q2"], 1);
  EXPECT_EQ(variance["2026-Q3"], 3);
  EXPECT_EQ(variance["2026-Q4"], -12);

  // The business line sums its children: the team's 42.
  v1::GetProgressResponse line = Progress("ai-saas-2026");
  EXPECT_EQ(line.progress(0).actual(), 42);
  EXPECT_EQ(line.progress(0).source(), "sum of children");
  // The renewal rate is a level, not a sum: the latest check-in.
  v1::GetProgressResponse renewal = Progress("rep-li-renewal");
  EXPECT_EQ(renewal.progress(0).actual(), 86);
  EXPECT_EQ(renewal.progress(0).band(), "floor met");
}

TEST_F(WorkedExampleTest, ReviewsCarryTheirCompletionRates) {
  v1::PlanState s = State();
  EXPECT_DOUBLE_EQ(s.reviews().at("week-2026-W05").completion_rate(), 0.0)
      << "the proposal due that week was still in progress";
  EXPECT_DOUBLE_EQ(s.reviews().at("month-2026-03").completion_rate(), 1.0);
  const auto& q1 = s.reviews().at("quarter-2026-Q1");
  EXPECT_EQ(q1.tasks_due(), 4u) << "the rep's tasks count in the team's review";
  EXPECT_EQ(q1.tasks_done(), 4u);
  EXPECT_EQ(q1.deviation_cause(), v1::DEVIATION_CAUSE_EXECUTION);
  EXPECT_THAT(s.reviews().at("quarter-2026-Q3").change_request_ids(),
              ::testing::ElementsAre("cr-q4-sprint"));
}

TEST_F(WorkedExampleTest, HistoryAnswersWhoChangedTheQ4TargetWhenAndWhoApproved) {
  grpc::ClientContext ctx;
  v1::GetHistoryRequest req;
  req.set_workspace(kWorkspace);
  req.set_goal_id("sales-team-2026");
  req.set_field("period.2026-Q4");
  v1::GetHistoryResponse history;
  ASSERT_TRUE(plan_->GetHistory(&ctx, req, &history).ok());
  std::vector<std::string> who;
  for (const auto& e : history.events()) {
    if (e.payload().has_goal_created()) continue;
    who.push_back(e.actor() + ":" + std::string(e.payload().GetDescriptor()
                                                    ->FindFieldByNumber(e.payload().body_case())
                                                    ->name()));
  }
  // The set, then the change request behind the change: opened (reason, evidence), approved.
  EXPECT_THAT(who, ::testing::ElementsAre("wang:period_target_set", "wang:change_request_opened",
                                          "zhao:change_request_approved"));

  grpc::ClientContext bctx;
  v1::BlameRequest breq;
  breq.set_workspace(kWorkspace);
  breq.set_goal_id("sales-team-2026");
  v1::BlameResponse blame;
  ASSERT_TRUE(plan_->Blame(&bctx, breq, &blame).ok());
  const v1::BlameLine* q4 = nullptr;
  for (const auto& l : blame.lines()) {
    if (l.field() == "period.2026-Q4") q4 = &l;
  }
  ASSERT_NE(q4, nullptr);
  EXPECT_EQ(q4->value(), "12");
  EXPECT_EQ(q4->change().actor(), "zhao");
  EXPECT_EQ(q4->change().change_request_id(), "cr-q4-sprint");
  EXPECT_GT(q4->change().server_time().seconds(), 0) << "when it was accepted";
  EXPECT_EQ(absl::FormatTime("%Y-%m-%d", absl::FromUnixMicros(q4->change().hlc().physical_micros()),
                             absl::UTCTimeZone()),
            "2026-10-03") << "when it was made";
  EXPECT_EQ(q4->change_request().opened().actor(), "wang");
  EXPECT_THAT(q4->change_request().reason(), HasSubstr("Q3 reached 20"));
  EXPECT_EQ(q4->change_request().period_targets_before(0).target(), 10);
  // Scoring can use the original Q4 target or the approved sprint.
  EXPECT_EQ(Progress("sales-team-2026", "2026-Q4").progress(0).targets().base(), 12);
  EXPECT_EQ(Progress("sales-team-2026", "2026-Q4", false, true).progress(0).targets().base(), 10);
  // The original target stays visible forever.
  EXPECT_EQ(State().goals().at("sales-team-2026").original_period_targets().at("2026-Q4"), 10);
}

TEST_F(WorkedExampleTest, ARestartLoadsTheSamePlanFromSnapshotsAndTheLog) {
  const v1::PlanState before = State();
  ASSERT_EQ(server_->Stop(), 0);
  ASSERT_TRUE(server_->Start().ok());
  auto channel = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
  plan_ = v1::PlanService::NewStub(channel);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(State(), before))
      << "the plan after a restart differs";
}

TEST_F(WorkedExampleTest, TheServerRefusesWhatThePlanForbids) {
  v1::AppendRequest req;
  req.set_workspace(kWorkspace);
  v1::Event* e = req.add_events();
  e->set_event_id("second-a");
  auto* r = e->mutable_payload()->mutable_raci_assigned();
  r->set_goal_id("rep-li-2026");
  r->set_task_id("signing");
  r->set_person("li");
  r->set_role(v1::RACI_ROLE_ACCOUNTABLE);
  absl::StatusOr<v1::AppendResponse> refused = log_->Append(req);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(refused.status().message()), HasSubstr("exactly one A"));
  EXPECT_EQ(log_->Head(kWorkspace)->seq(), events_) << "nothing was written";
}

}  // namespace
}  // namespace goalsync
