// Issue 12's plan, built with goalctl itself (goal add with its SMART+ fields and targets in
// one command): two sibling teams under one business line with people under the first, a
// "decrease" company goal without check-ins, quarters that stop adding up after an approved
// change request, tasks with deliverables and dependencies, and allocations that over-book
// one person. Every view against golden outputs (tests/cli/golden/trust/;
// GOALSYNC_UPDATE_GOLDEN=1 rewrites them: review the diff), the numbers of `goalctl -o json`
// against PlanService.GetProgress of the same plan, and an unreadable --tls-ca refused by
// every command that reaches the server.
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "goalsync/log_client.h"
#include "goalsync/plan_client.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/goalsyncd_process.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace goalsync {
namespace {

using goalsync::testing::GoalsyncdProcess;
using goalsync::testing::TempDir;
using ::testing::HasSubstr;
using Json = nlohmann::json;

class GoalctlTrustViewsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new GoalsyncdProcess(dir_->Sub("data"));
    ASSERT_TRUE(server_->Start().ok());
    const char* steps[] = {
        // The company: revenue (sum of its business line), and churn to bring down.
        "goal add nw-2026 -s 'Revenue 120M CNY' -l company --owner ceo --metric revenue --unit MCNY "
        "--definition 'invoiced and paid' --baseline 90 --reference '2025: 90M' --direction increase "
        "--aggregation cumulative --certainty low --start 2026-01-01 --due 2026-12-31 --rollup sum "
        "--rollup-reason 'revenue adds up' --base 120 --stretch 140 --target 2026-Q1=30 --target 2026-Q2=30 "
        "--target 2026-Q3=30 --target 2026-Q4=30",
        "goal add churn-2026 -s 'Monthly churn at most 5%' -l company --owner ceo --metric churn --unit % "
        "--direction decrease --aggregation level --floor 8 --base 5 --stretch 3",
        "goal add cloud-2026 -s 'Cloud line: 120M' -l business-line -p nw-2026 --owner zoe --rollup sum "
        "--base 120 --target 2026-Q1=30 --target 2026-Q2=30 --target 2026-Q3=30 --target 2026-Q4=30",
        "goal add team-a -s 'Team A: 60M' -l team -p cloud-2026 --owner ana --rollup sum --base 60 "
        "--target 2026-Q1=15 --target 2026-Q2=15 --target 2026-Q3=15 --target 2026-Q4=15",
        "goal add team-b -s 'Team B: 60M' -l team -p cloud-2026 --owner cy --base 60 "
        "--target 2026-Q1=15 --target 2026-04=5 --target 2026-05=5 --target 2026-06=5",
        "goal add ana-p -s 'Ana: 30M' -l individual -p team-a --owner ana --base 30 --target 2026-Q1=7",
        "goal add bo-p -s 'Bo: 30M' -l individual -p team-a --owner bo --base 30 --target 2026-Q1=8",
        "checkin ana-p 8 --period 2026-Q1 --confidence 0.8",
        "checkin bo-p 4 --period 2026-Q1 --confidence 0.4",
        "checkin team-b 14 --period 2026-Q1 --confidence 0.7",
        "checkin team-b 5 --period 2026-04 --confidence 0.7",
        // Quarters that add up (4 x 15 = 60) until an approved change makes Q4 20.
        "target set team-a --period 2026-Q4=20 --reason 'a large deal moves in' --cr cr-a-q4",
        "--as zoe cr approve cr-a-q4 --note 'approved: the deal is signed'",
        // Tasks with deliverables and finish-to-start dependencies.
        "task add team-a design --title 'Design the service' --deliverable 'architecture document' "
        "--acceptance 'reviewed by cy' --start 2026-01-05 --due 2026-02-15 --estimate-days 10",
        "task add team-a build --title 'Build version one of the metering service with its billing export' "
        "--parent-task design --deliverable 'service v1' --acceptance 'runs a month without a page' "
        "--start 2026-02-16 --due 2026-04-30",
        "task add team-a launch --title 'Launch' --deliverable 'first invoices' --due 2026-06-30",
        "task depends team-a build team-a design",
        "task depends team-a launch team-a build",
        "task status team-a design done",
        "task status team-a build doing",
        "raci set team-a ana a",
        "raci set team-a ana r --task design",
        "raci set team-a cy a --task design",
        "raci set team-a bo r --task build",
        // Ana over-booked in Q1: 0.6 on team A's design and 0.6 on churn.
        "alloc people team-a ana 0.6 --period 2026-Q1 --task design --skills architecture",
        "alloc people churn-2026 ana 0.6 --period 2026-Q1",
        "alloc people team-a bo 0.5 --period 2026-Q2 --task build",
        "alloc budget team-a 20000 --currency CNY --category servers --task build",
        "alloc time team-a ana --weekday 2 --start 09:00 --end 11:00 --purpose 'design reviews' --task design",
    };
    for (const char* step : steps) {
      testing::CommandResult r = Goalctl(step);
      ASSERT_EQ(r.exit_code, 0) << step << "\n" << r.out;
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }

  static testing::CommandResult Goalctl(const std::string& args) {
    return testing::RunCommand("GOALSYNC_SERVER=" + server_->address() +
                               " GOALSYNC_WORKSPACE=northwind GOALSYNC_ACTOR=ana GOALSYNC_REPLICA=" +
                               dir_->Sub("replica") + " timeout 60 " + GOALCTL_PATH + " " + args);
  }

  static void ExpectGolden(const std::string& name, const std::string& args) {
    testing::CommandResult r = Goalctl("--offline " + args);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const std::string path = std::string(GOLDEN_DIR) + "/trust/" + name + ".txt";
    if (std::getenv("GOALSYNC_UPDATE_GOLDEN") != nullptr) {
      std::ofstream(path) << r.out;
      return;
    }
    std::ifstream f(path);
    ASSERT_TRUE(f.good()) << path << " is missing: run with GOALSYNC_UPDATE_GOLDEN=1";
    std::stringstream golden;
    golden << f.rdbuf();
    EXPECT_EQ(r.out, golden.str()) << "goalctl " << args << " differs from " << path;
  }

  static TempDir* dir_;
  static GoalsyncdProcess* server_;
};

TempDir* GoalctlTrustViewsTest::dir_ = nullptr;
GoalsyncdProcess* GoalctlTrustViewsTest::server_ = nullptr;

TEST_F(GoalctlTrustViewsTest, TreeNestsDepthFirstAndFlagsFailedChecks) {
  ExpectGolden("tree", "tree");
  testing::CommandResult r = Goalctl("--offline tree");
  // People under their own team, before the sibling team.
  EXPECT_LT(r.out.find("bo-p"), r.out.find("team-b")) << r.out;
  EXPECT_THAT(r.out, HasSubstr("! quarters add up to the goal's target: 65, expected 60"));
  EXPECT_THAT(r.out, HasSubstr("churn-2026  Monthly churn at most 5%\n    owner ceo | actual - | "
                               "floor 8, base 5, stretch 3 | no check-ins"));
}
TEST_F(GoalctlTrustViewsTest, TreeOfAQuarterUsesMonthlyTargets) {
  ExpectGolden("tree-q2", "tree cloud-2026 --period 2026-Q2");
  testing::CommandResult r = Goalctl("--offline tree team-b --period 2026-Q2");
  EXPECT_THAT(r.out, HasSubstr("base 15 (sum of monthly targets)"));
}
TEST_F(GoalctlTrustViewsTest, DashboardIsYearToDate) {
  ExpectGolden("dashboard", "dashboard cloud-2026 --today 2026-04-15");
}
TEST_F(GoalctlTrustViewsTest, DashboardOfADecreaseGoalWithoutCheckIns) {
  ExpectGolden("dashboard-churn", "dashboard churn-2026 --today 2026-04-15");
}
TEST_F(GoalctlTrustViewsTest, GoalShow) { ExpectGolden("goal-show", "goal show team-a --today 2026-04-15 --history 0"); }
TEST_F(GoalctlTrustViewsTest, GoalShowDecrease) {
  ExpectGolden("goal-show-churn", "goal show churn-2026 --today 2026-04-15 --history 0");
}
TEST_F(GoalctlTrustViewsTest, TaskShow) { ExpectGolden("task-show", "task show team-a build --today 2026-04-15 --history 0"); }
TEST_F(GoalctlTrustViewsTest, AllocationView) { ExpectGolden("alloc", "alloc show"); }
TEST_F(GoalctlTrustViewsTest, Kanban) { ExpectGolden("kanban", "kanban"); }
TEST_F(GoalctlTrustViewsTest, Raci) { ExpectGolden("raci", "raci"); }
TEST_F(GoalctlTrustViewsTest, Gantt) { ExpectGolden("gantt", "gantt --today 2026-04-15"); }
TEST_F(GoalctlTrustViewsTest, ChangeRequests) { ExpectGolden("cr-list", "cr list"); }

TEST_F(GoalctlTrustViewsTest, BlameShowsThePreviousValueAndTheChangeRequest) {
  testing::CommandResult r = Goalctl("--offline blame team-a");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, ::testing::ContainsRegex("period.2026-Q4 +20 +15 +zoe +[0-9]+ +[0-9-]+ [0-9:]{8} +[0-9-]+ [0-9:]{8} +"
                                              "change request cr-a-q4 opened by ana"));
  testing::CommandResult j = Goalctl("--offline -o json blame team-a");
  EXPECT_THAT(j.out, HasSubstr("\"previousValue\":\"15\""));
}

TEST_F(GoalctlTrustViewsTest, HistoryOfAFieldIncludesTheChangeRequestBehindIt) {
  testing::CommandResult r = Goalctl("--offline -o json history --goal team-a --field period.2026-Q4");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("\"periodTargetSet\""));
  EXPECT_THAT(r.out, HasSubstr("\"changeRequestOpened\""));
  EXPECT_THAT(r.out, HasSubstr("\"changeRequestApproved\""));
}

TEST_F(GoalctlTrustViewsTest, HistorySinceHonoursFractionsOfASecond) {
  testing::CommandResult all = Goalctl("--offline -o json history --goal team-a --type period_target_set");
  ASSERT_EQ(all.exit_code, 0) << all.out;
  std::istringstream lines(all.out);
  std::string line;
  std::vector<Json> events;
  while (std::getline(lines, line)) events.push_back(Json::parse(line));
  ASSERT_GE(events.size(), 2u);
  // The last event's acceptance time, to the nanosecond: --since it keeps it, --since one
  // nanosecond later does not.
  const std::string at = events.back()["serverTime"].get<std::string>();
  ASSERT_THAT(at, HasSubstr(".")) << "the server stamps sub-second times";
  testing::CommandResult same = Goalctl("--offline -o json history --goal team-a --type period_target_set --since " + at);
  EXPECT_THAT(same.out, HasSubstr(at));
  // One nanosecond later: RFC 3339 with nine digits.
  std::string later = at;
  const size_t z = later.find('Z');
  std::string frac = later.substr(later.find('.') + 1, z - later.find('.') - 1);
  frac.resize(9, '0');
  long long n = std::stoll(frac) + 1;
  ASSERT_LT(n, 1000000000LL);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%09lld", n);
  later = later.substr(0, later.find('.') + 1) + buf + "Z";
  testing::CommandResult after = Goalctl("--offline -o json history --goal team-a --type period_target_set --since " + later);
  EXPECT_THAT(after.out, ::testing::Not(HasSubstr(at))) << later;
}

// The numbers goalctl shows are PlanService's: GetProgress of every goal (whole goal and one
// period) against `goalctl -o json tree`.
TEST_F(GoalctlTrustViewsTest, GoalctlJsonAgreesWithPlanServiceGetProgress) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = client::Connect(server_->address(), {});
  ASSERT_TRUE(channel.ok());
  client::PlanClient plan(*channel);
  for (const std::string period : {"", "2026-Q1", "2026-Q2"}) {
    SCOPED_TRACE(period);
    testing::CommandResult r = Goalctl("--offline -o json tree" + (period.empty() ? "" : " --period " + period));
    ASSERT_EQ(r.exit_code, 0) << r.out;
    const Json rows = Json::parse(r.out);
    ASSERT_EQ(rows.size(), 7u);
    for (const Json& row : rows) {
      const std::string id = row["id"].get<std::string>();
      v1::GetProgressRequest req;
      req.set_workspace("northwind");
      req.set_goal_id(id);
      req.set_period(period);
      absl::StatusOr<v1::GetProgressResponse> p = plan.GetProgress(req);
      ASSERT_TRUE(p.ok()) << p.status();
      const v1::GoalProgress& gp = p->progress(0);
      EXPECT_EQ(row["band"].get<std::string>(), gp.band()) << id;
      EXPECT_EQ(row["hasActual"].get<bool>(), gp.has_actual()) << id;
      if (gp.has_actual()) EXPECT_DOUBLE_EQ(row["actual"].get<double>(), gp.actual()) << id;
      EXPECT_EQ(row.contains("fraction"), gp.has_fraction()) << id;
      if (gp.has_fraction()) EXPECT_DOUBLE_EQ(row["fraction"].get<double>(), gp.fraction()) << id;
      if (gp.targets().has_base()) EXPECT_DOUBLE_EQ(row["base"].get<double>(), gp.targets().base()) << id;
    }
  }
  // Nothing measured is never met, on the server too.
  v1::GetProgressRequest churn;
  churn.set_workspace("northwind");
  churn.set_goal_id("churn-2026");
  absl::StatusOr<v1::GetProgressResponse> p = plan.GetProgress(churn);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_FALSE(p->progress(0).has_actual());
  EXPECT_FALSE(p->progress(0).has_fraction());
  EXPECT_EQ(p->progress(0).band(), "no check-ins");
  // And the failed breakdown check is the server's too.
  v1::GetProgressRequest a;
  a.set_workspace("northwind");
  a.set_goal_id("team-a");
  absl::StatusOr<v1::GetProgressResponse> pa = plan.GetProgress(a);
  ASSERT_TRUE(pa.ok());
  bool failed = false;
  for (const auto& c : pa->checks()) failed |= !c.ok() && c.expected() == 60 && c.actual() == 65;
  EXPECT_TRUE(failed);
}

// The dashboard's year to date and goals at risk are PlanService's (GetProgress with as_of).
TEST_F(GoalctlTrustViewsTest, DashboardJsonAgreesWithPlanServiceToDate) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = client::Connect(server_->address(), {});
  ASSERT_TRUE(channel.ok());
  client::PlanClient plan(*channel);
  testing::CommandResult r = Goalctl("--offline -o json dashboard cloud-2026 --today 2026-04-15");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  const Json dash = Json::parse(r.out);
  v1::GetProgressRequest req;
  req.set_workspace("northwind");
  req.set_goal_id("cloud-2026");
  req.set_subtree(true);
  req.set_as_of("2026-04-15");
  absl::StatusOr<v1::GetProgressResponse> p = plan.GetProgress(req);
  ASSERT_TRUE(p.ok()) << p.status();
  const v1::ToDate& top = p->progress(0).to_date();
  EXPECT_DOUBLE_EQ(dash["toDate"]["plan"].get<double>(), top.plan());
  EXPECT_DOUBLE_EQ(dash["toDate"]["actual"].get<double>(), top.actual());
  EXPECT_DOUBLE_EQ(dash["toDate"]["fraction"].get<double>(), top.fraction());
  EXPECT_EQ(dash["toDate"]["band"].get<std::string>(), top.band());
  std::vector<std::string> server_risks, goalctl_risks;
  for (const auto& gp : p->progress()) {
    if (gp.to_date().at_risk()) server_risks.push_back(gp.goal_id());
  }
  for (const Json& risk : dash["atRisk"]) goalctl_risks.push_back(risk["goal"].get<std::string>());
  EXPECT_EQ(goalctl_risks, server_risks);
  EXPECT_EQ(server_risks, std::vector<std::string>{"bo-p"});
  req.set_as_of("2026-13-01");
  EXPECT_TRUE(absl::IsInvalidArgument(plan.GetProgress(req).status()));
}

// An unreadable --tls-ca is an error naming the file for every command that would reach the
// server: never a plaintext channel that would send the token in clear.
TEST_F(GoalctlTrustViewsTest, AnUnreadableTlsCaIsAnErrorNamingTheFile) {
  const std::string missing = dir_->Sub("no-such-ca.pem");
  const std::string empty = dir_->Sub("empty-ca.pem");
  std::ofstream(empty) << "";
  for (const std::string& ca : {missing, empty}) {
    for (const char* cmd : {"history --goal team-a", "blame team-a", "admin token list",
                            "audit verify", "log head"}) {
      SCOPED_TRACE(absl::StrCat(cmd, " with ", ca));
      testing::CommandResult r = Goalctl(absl::StrCat("--token gs_x_y --tls-ca ", ca, " ", cmd));
      EXPECT_EQ(r.exit_code, 1) << r.out;
      EXPECT_THAT(r.out, HasSubstr(ca)) << r.out;
    }
  }
}

}  // namespace
}  // namespace goalsync
