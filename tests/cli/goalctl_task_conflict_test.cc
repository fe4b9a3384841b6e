// The issue-11 case through goalctl, as users run it: li and wang, both offline, set the same
// task's due date, deliverable and status from the same base. In either sync order the later
// edits win, li's are conflict records on every replica and on the server, and
// `goalctl conflicts resolve --keep-losing` re-applies li's value.
#include <string>

#include "gtest/gtest.h"
#include "goalsync/log_client.h"
#include "nlohmann/json.hpp"
#include "tests/support/goalsyncd_process.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace goalsync {
namespace {

using Json = nlohmann::json;
using RunResult = testing::CommandResult;

class GoalctlTaskConflictTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    server_ = std::make_unique<testing::GoalsyncdProcess>(dir_.Sub("data"));
    ASSERT_TRUE(server_->Start().ok());
    RunResult imported = Goalctl("li", std::string("import ") + EXAMPLE_PLAN_PATH);
    ASSERT_EQ(imported.exit_code, 0) << imported.out;
  }

  RunResult Goalctl(const std::string& person, const std::string& args) {
    return testing::RunCommand("GOALSYNC_SERVER=" + server_->address() +
                               " GOALSYNC_WORKSPACE=acme-2026 GOALSYNC_ACTOR=" + person +
                               " GOALSYNC_REPLICA=" + dir_.Sub("replica-" + person) +
                               " timeout 60 " + GOALCTL_PATH + " " + args);
  }

  Json Conflicts(const std::string& person) {
    RunResult r = Goalctl(person, "-o json conflicts");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return Json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  }

  v1::PlanState Server() {
    client::LogClient c(server_->address());
    absl::StatusOr<v1::PlanState> s = c.GetState("acme-2026");
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : v1::PlanState();
  }

  void Edit(const std::string& person, const std::string& due, const std::string& deliverable,
            const std::string& status) {
    for (const std::string& args :
         {"task set rep-li-2026 research due_date " + due,
          "task set rep-li-2026 research deliverable '" + deliverable + "'",
          "task status rep-li-2026 research " + status}) {
      RunResult r = Goalctl(person, "--offline " + args);
      ASSERT_EQ(r.exit_code, 0) << args << ": " << r.out;
    }
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::GoalsyncdProcess> server_;
};

TEST_P(GoalctlTaskConflictTest, TheLaterEditsWinInBothOrdersAndTheLoserCanBeKept) {
  ASSERT_EQ(Goalctl("li", "sync").exit_code, 0);
  ASSERT_EQ(Goalctl("wang", "sync").exit_code, 0);
  Edit("li", "2026-02-06", "notes by li", "done");
  Edit("wang", "2026-02-13", "notes by wang", "blocked");  // later: wang's edits win
  const std::string first = GetParam() ? "li" : "wang";
  const std::string second = GetParam() ? "wang" : "li";
  for (const std::string& who : {first, second, first}) {
    RunResult r = Goalctl(who, "sync");
    ASSERT_EQ(r.exit_code, 0) << who << ": " << r.out;
  }
  ASSERT_EQ(Goalctl("zhao", "sync").exit_code, 0);
  for (const std::string& who : {"li", "wang", "zhao"}) {
    Json conflicts = Conflicts(who);
    ASSERT_EQ(conflicts.size(), 3u) << who << ": " << conflicts.dump();
    for (const Json& c : conflicts) {
      EXPECT_EQ(c["task"], "research") << who;
      EXPECT_EQ(c["loser"], "li") << who;
      EXPECT_EQ(c["winner"], "wang") << who;
    }
  }
  const v1::PlanState server = Server();
  ASSERT_EQ(server.conflicts_size(), 3);
  const v1::Task& task = server.goals().at("rep-li-2026").tasks().at("research");
  EXPECT_EQ(task.due_date(), "2026-02-13");
  EXPECT_EQ(task.deliverable(), "notes by wang");
  EXPECT_EQ(task.status(), v1::TASK_STATUS_BLOCKED);

  std::string id;
  for (const Json& c : Conflicts("li")) {
    if (c["field"] == "due_date") id = c["id"];
  }
  RunResult resolved = Goalctl("li", "conflicts resolve " + id + " --keep-losing --resolution 'li had the date'");
  ASSERT_EQ(resolved.exit_code, 0) << resolved.out;
  ASSERT_EQ(Goalctl("wang", "sync").exit_code, 0);
  EXPECT_EQ(Server().goals().at("rep-li-2026").tasks().at("research").due_date(), "2026-02-06");
  EXPECT_EQ(Conflicts("wang").size(), 2u);
}

INSTANTIATE_TEST_SUITE_P(BothSyncOrders, GoalctlTaskConflictTest, ::testing::Bool());

}  // namespace
}  // namespace goalsync
