// goalctl on local replicas, run as users run it, against a real goalsyncd loaded with the
// example plan: sync, tree, a check-in, an offline edit on a second replica, conflicts,
// status, the server down.
#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/support/goalsyncd_process.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace goalsync {
namespace {

using ::testing::HasSubstr;
using goalsync::testing::GoalsyncdProcess;
using goalsync::testing::TempDir;
using Json = nlohmann::json;

using RunResult = testing::CommandResult;

class GoalctlReplicaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<GoalsyncdProcess>(dir_.Sub("data"));
    ASSERT_TRUE(server_->Start().ok());
    RunResult imported = Goalctl("li", std::string("import ") + EXAMPLE_PLAN_PATH);
    ASSERT_EQ(imported.exit_code, 0) << imported.out;
  }

  // goalctl as `person`, on their own replica dir, against the server.
  RunResult Goalctl(const std::string& person, const std::string& args,
                    const std::string& server = "") {
    const std::string cmd = "GOALSYNC_SERVER=" + (server.empty() ? server_->address() : server) +
                            " GOALSYNC_WORKSPACE=acme-2026 GOALSYNC_ACTOR=" + person +
                            " GOALSYNC_REPLICA=" + dir_.Sub("replica-" + person) + " timeout 60 " +
                            GOALCTL_PATH + " " + args;
    return Shell(cmd);
  }

  static RunResult Shell(const std::string& cmd) {
    return testing::RunCommand(cmd);
  }

  Json GoalctlJson(const std::string& person, const std::string& args) {
    RunResult r = Goalctl(person, "-o json " + args);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return Json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  }

  Json TreeRow(const std::string& person, const std::string& id) {
    for (const Json& row : GoalctlJson(person, "tree")) {
      if (row["id"] == id) return row;
    }
    return Json();
  }

  TempDir dir_;
  std::unique_ptr<GoalsyncdProcess> server_;
};

TEST_F(GoalctlReplicaTest, SyncThenTreeShowsTheCascadeWithProgress) {
  Json sync = GoalctlJson("li", "sync");
  EXPECT_EQ(sync["pulled"], 53);
  EXPECT_EQ(sync["headSeq"], 53);
  Json tree = GoalctlJson("li", "tree");
  ASSERT_EQ(tree.size(), 5u) << tree.dump();
  EXPECT_EQ(tree[0]["id"], "company-2026");
  EXPECT_EQ(tree[0]["depth"], 0);
  Json sales = TreeRow("li", "sales-team-2026");
  EXPECT_EQ(sales["depth"], 2);
  EXPECT_EQ(sales["actual"], 42.0);
  EXPECT_EQ(sales["band"], "below floor");

  RunResult table = Goalctl("li", "tree ai-saas-2026");
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_THAT(table.out, HasSubstr("  sales-team-2026  50 signings by end of Q4\n"));
  EXPECT_THAT(table.out, HasSubstr("owner wang | actual 42 (84%) | floor 50 | below floor"));
}

TEST_F(GoalctlReplicaTest, ACheckInSyncsAtOnceAndOthersSeeIt) {
  const double before = TreeRow("wang", "rep-li-2026")["actual"];
  RunResult r = Goalctl("li", "checkin rep-li-2026 2 --period 2026-Q4 --note 'two more'");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("synced (head seq 54)"));
  EXPECT_EQ(TreeRow("wang", "rep-li-2026")["actual"], before + 2);  // on wang's replica
}

TEST_F(GoalctlReplicaTest, AnOfflineEditWaitsThenSyncsAndAConcurrentOneBecomesAConflict) {
  ASSERT_EQ(Goalctl("li", "sync").exit_code, 0);
  ASSERT_EQ(Goalctl("wang", "sync").exit_code, 0);
  RunResult offline = Goalctl("li", "--offline goal set sales-team-2026 why 'from the train'");
  ASSERT_EQ(offline.exit_code, 0) << offline.out;
  EXPECT_THAT(offline.out, HasSubstr("recorded offline (1 waiting; goalctl sync)"));
  Json status = GoalctlJson("li", "status");
  EXPECT_EQ(status["pending"], 1);
  EXPECT_EQ(status["serverAnswers"], true);

  // wang edits the same field later, online; then li's replica syncs.
  ASSERT_EQ(Goalctl("wang", "goal set sales-team-2026 why 'from the office'").exit_code, 0);
  Json sync = GoalctlJson("li", "sync");
  EXPECT_EQ(sync["pushed"], 1);
  EXPECT_EQ(sync["pending"], 0);
  EXPECT_EQ(sync["conflicts"], 1);
  Json conflicts = GoalctlJson("wang", "conflicts");
  ASSERT_EQ(conflicts.size(), 1u) << conflicts.dump();
  EXPECT_EQ(conflicts[0]["kind"], "CONFLICT_KIND_SAME_FIELD");
  EXPECT_EQ(conflicts[0]["goal"], "sales-team-2026");
  EXPECT_EQ(conflicts[0]["losingValue"], "from the train");
  EXPECT_EQ(conflicts[0]["winningValue"], "from the office");

  const std::string id = conflicts[0]["id"];
  RunResult resolved = Goalctl(
      "wang", "conflicts resolve " + id + " --keep-losing --resolution 'li wrote it first'");
  ASSERT_EQ(resolved.exit_code, 0) << resolved.out;
  ASSERT_EQ(Goalctl("li", "sync").exit_code, 0);
  EXPECT_TRUE(GoalctlJson("li", "conflicts").empty());
  RunResult blame = Goalctl("li", "blame sales-team-2026");
  EXPECT_THAT(blame.out, HasSubstr("from the train"));
}

TEST_F(GoalctlReplicaTest, WithTheServerDownEditsQueueAndSyncReportsIt) {
  ASSERT_EQ(Goalctl("li", "sync").exit_code, 0);
  const std::string address = server_->address();
  ASSERT_EQ(server_->Stop(), 0);
  RunResult edit = Goalctl("li", "checkin rep-li-2026 1 --period 2026-Q4", address);
  EXPECT_EQ(edit.exit_code, 0) << edit.out;
  EXPECT_THAT(edit.out, HasSubstr("recorded offline, the server does not answer (1 waiting"));
  RunResult sync = Goalctl("li", "sync", address);
  EXPECT_EQ(sync.exit_code, 1);
  EXPECT_THAT(sync.out, HasSubstr("hint: is goalsyncd running"));
  RunResult status = Goalctl("li", "status", address);
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_THAT(status.out, HasSubstr("pending       1 edit(s) waiting to sync"));
  EXPECT_THAT(status.out, HasSubstr("does not answer"));

  ASSERT_TRUE(server_->Start().ok());
  Json synced = GoalctlJson("li", "sync");
  EXPECT_EQ(synced["pushed"], 1);
  EXPECT_EQ(synced["pending"], 0);
}

TEST_F(GoalctlReplicaTest, BadEditsAreRefusedWithTheRuleAndChangeNothing) {
  RunResult missing = Goalctl("li", "goal set nope owner x");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.out, HasSubstr("goal nope does not exist"));
  RunResult level = Goalctl("li", "goal add x --statement s --level galaxy");
  EXPECT_EQ(level.exit_code, 1);
  EXPECT_THAT(level.out, HasSubstr("level \"galaxy\" is not one of company, business-line, team, individual"));
  RunResult usage = Goalctl("li", "checkin rep-li-2026 lots");
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_EQ(GoalctlJson("li", "status")["pending"], 0);
}

TEST_F(GoalctlReplicaTest, ExportAndImportRoundTripAWholePlanInEveryFormat) {
  // A concurrent edit first, so that the copy must merge the same way to match.
  ASSERT_EQ(Goalctl("li", "sync").exit_code, 0);
  ASSERT_EQ(Goalctl("wang", "sync").exit_code, 0);
  ASSERT_EQ(Goalctl("li", "--offline goal set sales-team-2026 why 'li, offline'").exit_code, 0);
  ASSERT_EQ(Goalctl("wang", "goal set sales-team-2026 why 'wang, online'").exit_code, 0);
  ASSERT_EQ(Goalctl("li", "sync").exit_code, 0);
  const Json tree = GoalctlJson("li", "tree");
  const Json conflicts = GoalctlJson("li", "conflicts");
  ASSERT_EQ(conflicts.size(), 1u);

  for (const std::string format : {"yaml", "json", "csv"}) {
    SCOPED_TRACE(format);
    const std::string file = dir_.Sub("plan." + format);
    RunResult exported = Goalctl("li", "export --format " + format + " -f " + file);
    ASSERT_EQ(exported.exit_code, 0) << exported.out;
    EXPECT_THAT(exported.out, HasSubstr("exported 55 events of workspace acme-2026"));
    RunResult again = Goalctl("li", "import " + file);
    EXPECT_THAT(again.out, HasSubstr("imported 0 events into workspace acme-2026 (55 were already there)"));
    const std::string copy = "copy-" + format;
    RunResult imported = Goalctl("li", "import " + file + " --into " + copy);
    ASSERT_EQ(imported.exit_code, 0) << imported.out;
    EXPECT_THAT(imported.out, HasSubstr("imported 55 events into workspace " + copy));
    RunResult copied = Goalctl("auditor-" + format, "-w " + copy + " -o json tree");
    ASSERT_EQ(copied.exit_code, 0) << copied.out;
    EXPECT_EQ(Json::parse(copied.out), tree);
    RunResult copied_conflicts = Goalctl("auditor-" + format, "-w " + copy + " -o json conflicts");
    EXPECT_EQ(Json::parse(copied_conflicts.out), conflicts);
  }
}

TEST_F(GoalctlReplicaTest, ABadPlanFileNamesTheLineAndImportsNothing) {
  const std::string file = dir_.Sub("bad.yaml");
  FILE* f = fopen(file.c_str(), "w");
  fputs("workspace: other\nevents:\n  - by: li\n    goalCreated: {goalId: g1, level: GOAL_LEVEL_TEAM}\n"
        "  - by: li\n    goalCreated: {goalId: g2, levle: GOAL_LEVEL_TEAM}\n", f);
  fclose(f);
  RunResult r = Goalctl("li", "import " + file);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("line 5: goalCreated:"));
  EXPECT_THAT(r.out, HasSubstr("levle"));
  RunResult head = Goalctl("li", "-w other -o json log head");
  EXPECT_THAT(head.out, HasSubstr("\"seq\":0"));
}

TEST_F(GoalctlReplicaTest, AnEditTheServerRefusesIsListedUntilDismissed) {
  ASSERT_EQ(Goalctl("li", "sync").exit_code, 0);
  ASSERT_EQ(Goalctl("li", "--offline goal add launch --statement 'li launches' --parent sales-team-2026 --owner li").exit_code, 0);
  ASSERT_EQ(Goalctl("wang", "goal add launch --statement 'wang launches' --parent sales-team-2026 --owner wang").exit_code, 0);
  RunResult sync = Goalctl("li", "sync");
  EXPECT_EQ(sync.exit_code, 1) << sync.out;
  EXPECT_THAT(sync.out, HasSubstr("1 edit(s) refused by the server: goalctl rejected lists them"));
  Json rejected = GoalctlJson("li", "rejected");
  ASSERT_EQ(rejected.size(), 1u) << rejected.dump();
  EXPECT_THAT(rejected[0]["reason"].get<std::string>(), HasSubstr("launch"));
  EXPECT_EQ(rejected[0]["payload"]["goalCreated"]["statement"], "li launches");
  RunResult dismissed = Goalctl("li", "rejected dismiss " + rejected[0]["eventId"].get<std::string>());
  EXPECT_EQ(dismissed.exit_code, 0) << dismissed.out;
  EXPECT_TRUE(GoalctlJson("li", "rejected").empty());
  EXPECT_EQ(Goalctl("li", "rejected dismiss nope").exit_code, 1);
}

TEST_F(GoalctlReplicaTest, InitWritesSettingsThatEnvironmentAndFlagsOverride) {
  const std::string config = dir_.Sub("goalctl.yaml");
  const std::string unset = "env -u GOALSYNC_SERVER -u GOALSYNC_WORKSPACE -u GOALSYNC_REPLICA "
                            "-u GOALSYNC_ACTOR GOALSYNC_CONFIG=" + config;
  const std::string tail = std::string(" timeout 60 ") + GOALCTL_PATH + " ";
  const std::string base = unset + tail;
  RunResult init = Shell(base + "init --server " + server_->address() +
                         " -w acme-2026 --as chen --replica " + dir_.Sub("replica-chen"));
  ASSERT_EQ(init.exit_code, 0) << init.out;
  EXPECT_THAT(init.out, HasSubstr("synced workspace acme-2026: pulled 53"));
  RunResult status = Shell(base + "-o json status");
  ASSERT_EQ(status.exit_code, 0) << status.out;
  EXPECT_EQ(Json::parse(status.out)["confirmedSeq"], 53);
  RunResult env = Shell(unset + " GOALSYNC_WORKSPACE=elsewhere" + tail + "-o json status");
  EXPECT_THAT(env.out, HasSubstr("holds workspace acme-2026, not elsewhere"));
  RunResult flag = Shell(base + "--replica " + dir_.Sub("replica-x") + " -w third -o json status");
  EXPECT_EQ(Json::parse(flag.out)["workspace"], "third");
  FILE* f = fopen(config.c_str(), "a");
  fputs("colour: blue\n", f);
  fclose(f);
  RunResult bad = Shell(base + "status");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.out, HasSubstr("unknown setting \"colour\""));
}

}  // namespace
}  // namespace goalsync
