// goalctl's views on the example plan, against golden outputs (tests/cli/golden/), and its
// SVG charts parsed as XML. GOALSYNC_UPDATE_GOLDEN=1 rewrites the golden files; review the
// diff before committing it.
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/goalsyncd_process.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace goalsync {
namespace {

using goalsync::testing::GoalsyncdProcess;
using goalsync::testing::TempDir;

using RunResult = testing::CommandResult;

RunResult Shell(const std::string& cmd) {
  return testing::RunCommand(cmd);
}

class GoalctlViewsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new GoalsyncdProcess(dir_->Sub("data"));
    ASSERT_TRUE(server_->Start().ok());
    ASSERT_EQ(Goalctl(std::string("import ") + EXAMPLE_PLAN_PATH).exit_code, 0);
    ASSERT_EQ(Goalctl("sync").exit_code, 0);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }

  // Offline after the first sync: the views read the replica only.
  static RunResult Goalctl(const std::string& args) {
    return Shell("GOALSYNC_SERVER=" + server_->address() +
               " GOALSYNC_WORKSPACE=acme-2026 GOALSYNC_ACTOR=li GOALSYNC_REPLICA=" +
               dir_->Sub("replica") + " timeout 60 " + GOALCTL_PATH + " " + args);
  }

  static void ExpectGolden(const std::string& name, const std::string& args) {
    RunResult r = Goalctl("--offline " + args);
    ASSERT_EQ(r.exit_code, 0) << r.out;
    CompareWithGolden(name + ".txt", r.out, "goalctl " + args);
  }

  // `text` against tests/cli/golden/`file` (rewritten with GOALSYNC_UPDATE_GOLDEN=1).
  static void CompareWithGolden(const std::string& file, const std::string& text,
                                const std::string& what) {
    const std::string path = std::string(GOLDEN_DIR) + "/" + file;
    if (std::getenv("GOALSYNC_UPDATE_GOLDEN") != nullptr) {
      std::ofstream(path) << text;
      return;
    }
    std::ifstream f(path);
    ASSERT_TRUE(f.good()) << path << " is missing: run with GOALSYNC_UPDATE_GOLDEN=1";
    std::stringstream golden;
    golden << f.rdbuf();
    EXPECT_EQ(text, golden.str()) << what << " differs from " << path;
  }

  static std::string ReadFile(const std::string& path) {
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  }

  static TempDir* dir_;
  static GoalsyncdProcess* server_;
};

TempDir* GoalctlViewsTest::dir_ = nullptr;
GoalsyncdProcess* GoalctlViewsTest::server_ = nullptr;

TEST_F(GoalctlViewsTest, Tree) { ExpectGolden("tree", "tree"); }
TEST_F(GoalctlViewsTest, TreeOfAPeriod) { ExpectGolden("tree-q1", "tree sales-team-2026 --period 2026-Q1"); }
TEST_F(GoalctlViewsTest, Kanban) { ExpectGolden("kanban", "kanban"); }
TEST_F(GoalctlViewsTest, KanbanByOwner) { ExpectGolden("kanban-li", "kanban --owner li"); }
TEST_F(GoalctlViewsTest, Raci) { ExpectGolden("raci", "raci"); }
TEST_F(GoalctlViewsTest, Gantt) { ExpectGolden("gantt", "gantt --today 2026-02-10"); }
TEST_F(GoalctlViewsTest, Dashboard) {
  ExpectGolden("dashboard", "dashboard sales-team-2026 --today 2026-06-30");
}
TEST_F(GoalctlViewsTest, QuarterlyReview) { ExpectGolden("review-q1", "review --quarter 2026-Q1"); }
TEST_F(GoalctlViewsTest, StateAsOfASeq) { ExpectGolden("state-10", "state --as-of 10"); }
TEST_F(GoalctlViewsTest, DiffBetweenSeqs) { ExpectGolden("diff-30-53", "diff --from 30 --to 53"); }
TEST_F(GoalctlViewsTest, ChangeRequests) { ExpectGolden("cr-list", "cr list"); }

TEST_F(GoalctlViewsTest, DiffBetweenDatesUsesAcceptanceTime) {
  RunResult r = Goalctl("--offline diff --from 2020-01-01 --to 2999-12-31");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, ::testing::HasSubstr("plan changes from seq 0 to seq 53"));
  EXPECT_THAT(r.out, ::testing::HasSubstr("company-2026  added"));
}

TEST_F(GoalctlViewsTest, GanttSvgIsWellFormedAndShowsEveryTask) {
  const std::string svg = dir_->Sub("gantt.svg");
  ASSERT_EQ(Goalctl("--offline gantt --today 2026-02-10 --svg " + svg).exit_code, 0);
  RunResult check = Shell(std::string("python3 ") + CHECK_SVG_PATH + " " + svg);
  ASSERT_EQ(check.exit_code, 0) << check.out;
  EXPECT_EQ(check.out,
            "task rep-li-2026/research\ntask rep-li-2026/proposal\n"
            "task rep-li-2026/negotiation\ntask rep-li-2026/signing\n");
  CompareWithGolden("gantt.svg", ReadFile(svg), "the gantt SVG");
}

TEST_F(GoalctlViewsTest, BurnUpSvgIsWellFormedWithPlanAndActual) {
  const std::string svg = dir_->Sub("burnup.svg");
  ASSERT_EQ(Goalctl("--offline dashboard sales-team-2026 --svg " + svg).exit_code, 0);
  RunResult check = Shell(std::string("python3 ") + CHECK_SVG_PATH + " " + svg);
  ASSERT_EQ(check.exit_code, 0) << check.out;
  EXPECT_EQ(check.out, "polyline plan\npolyline actual\n");
  CompareWithGolden("burnup.svg", ReadFile(svg), "the burn-up SVG");
}

TEST_F(GoalctlViewsTest, ViewsAsJson) {
  RunResult kanban = Goalctl("--offline -o json kanban");
  EXPECT_THAT(kanban.out, ::testing::StartsWith("{\"todo\":[],\"doing\":[],\"done\":[{"));
  RunResult raci = Goalctl("--offline -o json raci rep-li-2026");
  EXPECT_THAT(raci.out, ::testing::HasSubstr(R"({"item":"rep-li-2026/research","roles":{},"flag":"no A"})"));
}

}  // namespace
}  // namespace goalsync
