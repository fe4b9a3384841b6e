// goalctl's log commands, run as a user runs them, against a real goalsyncd.
#include <sys/wait.h>

#include <cstdio>
#include <string>

#include "gmock/gmock.h"
#include "goalsync/v1/event.pb.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/store/keys.h"
#include "tests/support/goalsyncd_process.h"
#include "tests/support/raw_store.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace goalsync {
namespace {

using ::testing::HasSubstr;
using goalsync::testing::GoalsyncdProcess;
using goalsync::testing::TempDir;

using RunResult = testing::CommandResult;

class GoalctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<GoalsyncdProcess>(dir_.Sub("data"));
    ASSERT_TRUE(server_->Start().ok());
  }

  // Runs goalctl with `args` (shell-quoted by the caller) against the server.
  RunResult Goalctl(const std::string& args, const std::string& env = "") {
    // `timeout` bounds a command that would otherwise wait forever (a --follow gone wrong).
    const std::string cmd = env + " GOALSYNC_SERVER=" + server_->address() +
                            " GOALSYNC_REPLICA=" + dir_.Sub("replica") + " timeout 60 " +
                            GOALCTL_PATH + " " + args;
    return testing::RunCommand(cmd);
  }

  TempDir dir_;
  std::unique_ptr<GoalsyncdProcess> server_;
};

constexpr const char* kCreate =
    R"('{"goalCreated": {"goalId": "sales-2026", "level": "GOAL_LEVEL_TEAM", "statement": "50 signed customers"}}')";
constexpr const char* kCheckIn = R"('{"checkInRecorded": {"goalId": "sales-2026", "value": 6}}')";

TEST_F(GoalctlTest, AppendPrintsTheSeqAndIsIdempotentWithAnEventId) {
  RunResult first = Goalctl(std::string("-w acme log append --event ") + kCreate + " --event-id e-1");
  EXPECT_EQ(first.exit_code, 0) << first.out;
  EXPECT_EQ(first.out, "1\n");
  RunResult second = Goalctl(std::string("-w acme log append --event ") + kCheckIn);
  EXPECT_EQ(second.out, "2\n");
  RunResult again = Goalctl(std::string("-w acme -o json log append --event ") + kCreate +
                      " --event-id e-1");
  auto j = nlohmann::json::parse(again.out.substr(0, again.out.find('\n')));
  EXPECT_EQ(j["seq"], 1);
  EXPECT_EQ(j["duplicate"], true);
}

TEST_F(GoalctlTest, HeadAsJsonHasSeqAndHash) {
  Goalctl(std::string("-w acme log append --event ") + kCreate);
  RunResult head = Goalctl("-w acme log head --output json");
  ASSERT_EQ(head.exit_code, 0) << head.out;
  auto j = nlohmann::json::parse(head.out);
  EXPECT_EQ(j["seq"], 1);
  EXPECT_EQ(j["hash"].get<std::string>().size(), 64u);
  EXPECT_EQ(head.out.rfind("{\"seq\":", 0), 0u) << "seq comes first";
}

TEST_F(GoalctlTest, EnvironmentSetsTheWorkspace) {
  Goalctl(std::string("log append --event ") + kCreate, "GOALSYNC_WORKSPACE=envws");
  EXPECT_THAT(Goalctl("-w envws log head").out, HasSubstr("seq 1"));
  EXPECT_THAT(Goalctl("-w other log head").out, HasSubstr("seq 0"));
}

TEST_F(GoalctlTest, ReadPrintsEventsAsTableOrJsonLines) {
  Goalctl(std::string("-w acme log append --event ") + kCreate);
  for (int i = 0; i < 2; ++i) Goalctl(std::string("-w acme log append --event ") + kCheckIn);
  RunResult table = Goalctl("-w acme log read --from 2");
  EXPECT_THAT(table.out, HasSubstr("check_in_recorded"));
  EXPECT_THAT(table.out, HasSubstr("sales-2026"));
  RunResult json = Goalctl("-w acme -o json log read --limit 2");
  std::vector<nlohmann::json> lines;
  size_t start = 0;
  for (size_t nl; (nl = json.out.find('\n', start)) != std::string::npos; start = nl + 1) {
    lines.push_back(nlohmann::json::parse(json.out.substr(start, nl - start)));
  }
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1]["seq"], "2");  // protobuf's JSON mapping writes uint64 as a string
  EXPECT_EQ(lines[0]["payload"]["goalCreated"]["goalId"], "sales-2026");
}

TEST_F(GoalctlTest, FollowWithLimitStopsAfterThatManyEvents) {
  Goalctl(std::string("-w acme log append --event ") + kCreate);
  for (int i = 0; i < 2; ++i) Goalctl(std::string("-w acme log append --event ") + kCheckIn);
  RunResult follow = Goalctl("-w acme -o json log read --follow --limit 3");
  EXPECT_EQ(follow.exit_code, 0) << follow.out;
  EXPECT_EQ(std::count(follow.out.begin(), follow.out.end(), '\n'), 3);
}

TEST_F(GoalctlTest, ErrorsExitOneWithAMessageAndUsageExitsTwo) {
  RunResult bad_json = Goalctl("-w acme log append --event '{\"nope\": 1}'");
  EXPECT_EQ(bad_json.exit_code, 1);
  EXPECT_THAT(bad_json.out, HasSubstr("example: --event"));
  RunResult empty = Goalctl("-w acme log append --event '{}'");
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_THAT(empty.out, HasSubstr("payload is empty"));
  RunResult stale = Goalctl(std::string("-w acme log append --expected-seq 5 --event ") + kCreate);
  RunResult refused = Goalctl("-w acme log append --event '{\"checkInRecorded\": {\"goalId\": \"nope\", \"value\": 1}}'");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.out, HasSubstr("goal nope does not exist"));
  EXPECT_EQ(stale.exit_code, 1);
  EXPECT_THAT(stale.out, HasSubstr("read the new events and retry"));
  EXPECT_EQ(Goalctl("log nosuchcommand").exit_code, 2);
  EXPECT_EQ(Goalctl("log append").exit_code, 2) << "--event is required";
  RunResult down = Goalctl("--server 127.0.0.1:1 log head");
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_THAT(down.out, HasSubstr("is goalsyncd running"));
}

TEST_F(GoalctlTest, ImportLoadsTheExamplePlanOnceAndNamesBadLines) {
  RunResult first = Goalctl(std::string("-o json import ") + EXAMPLE_PLAN_PATH);
  ASSERT_EQ(first.exit_code, 0) << first.out;
  auto j = nlohmann::json::parse(first.out);
  EXPECT_EQ(j["workspace"], "acme-2026");
  EXPECT_GT(j["imported"].get<int>(), 40);
  RunResult again = Goalctl(std::string("-o json import ") + EXAMPLE_PLAN_PATH);
  auto j2 = nlohmann::json::parse(again.out);
  EXPECT_EQ(j2["imported"], 0);
  EXPECT_EQ(j2["alreadyThere"], j["imported"]);

  const std::string bad = dir_.Sub("bad.yaml");
  FILE* f = fopen(bad.c_str(), "w");
  fputs("workspace: w\nevents:\n  - by: me\n    goalCreated: {goalId: g, level: GOAL_LEVEL_TEAM, statement: s}\n"
        "  - by: me\n    checkInRecorded: {goalId: g, valu: 3}\n", f);
  fclose(f);
  RunResult refused = Goalctl("import " + bad);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.out, HasSubstr("line 5"));
  EXPECT_THAT(refused.out, HasSubstr("valu"));
  EXPECT_THAT(Goalctl("-w w log head").out, HasSubstr("seq 0")) << "a bad file imports nothing";
}

TEST_F(GoalctlTest, HistoryAndBlameAnswerWhoChangedTheQ4TargetAndWhoApproved) {
  ASSERT_EQ(Goalctl(std::string("import ") + EXAMPLE_PLAN_PATH).exit_code, 0);
  RunResult history = Goalctl(
      "-w acme-2026 -o json history --goal sales-team-2026 --field period.2026-Q4 "
      "--type period_target_set --type change_request_approved");
  ASSERT_EQ(history.exit_code, 0) << history.out;
  EXPECT_EQ(std::count(history.out.begin(), history.out.end(), '\n'), 2) << history.out;
  EXPECT_THAT(history.out, HasSubstr("\"actor\":\"wang\""));
  EXPECT_THAT(history.out, HasSubstr("\"actor\":\"zhao\""));
  RunResult by_zhao = Goalctl("-w acme-2026 history --actor zhao --type change_request_approved");
  EXPECT_THAT(by_zhao.out, HasSubstr("cr-q4-sprint"));
  RunResult blame = Goalctl("-w acme-2026 blame sales-team-2026");
  ASSERT_EQ(blame.exit_code, 0) << blame.out;
  EXPECT_THAT(blame.out, HasSubstr("period.2026-Q4"));
  // Made (the writer's clock) and accepted, to the second; the value before the change.
  EXPECT_THAT(blame.out, ::testing::ContainsRegex("period.2026-Q4 +12 +10 +zhao +[0-9]+ +2026-10-03 00:00:00 "));
  EXPECT_THAT(blame.out, HasSubstr("change request cr-q4-sprint opened by wang"));
  EXPECT_THAT(blame.out, HasSubstr("approved by zhao"));
  EXPECT_EQ(Goalctl("-w acme-2026 blame nope").exit_code, 1);
  EXPECT_EQ(Goalctl("-w acme-2026 history --since yesterday").exit_code, 1);
}

TEST_F(GoalctlTest, VersionPrintsAndExitsZero) {
  RunResult v = Goalctl("--version");
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_THAT(v.out, HasSubstr("goalctl " GOALSYNC_VERSION));
}

TEST_F(GoalctlTest, AppendHelpShowsAWorkingExample) {
  RunResult help = Goalctl("log append --help");
  EXPECT_EQ(help.exit_code, 0);
  const size_t at = help.out.find("--event '");
  ASSERT_NE(at, std::string::npos) << help.out;
  const size_t end = help.out.find("'", at + 9);
  const std::string example = help.out.substr(at + 9, end - at - 9);
  RunResult run = Goalctl("-w acme log append --event '" + example + "'");
  EXPECT_EQ(run.exit_code, 0) << run.out;
}

// Rewrites the stored event at `seq` of workspace id 1, as an attacker with disk access would.
void TamperWithEvent(const std::string& data_dir, uint64_t seq) {
  goalsync::testing::RawStore raw(data_dir);
  const std::string key = server::keys::LogKey(1, seq);
  v1::Event e;
  ASSERT_TRUE(e.ParseFromString(raw.Get(goalsync::testing::RawStore::kLog, key)));
  e.mutable_payload()->mutable_check_in_recorded()->set_value(9);  // it said 6
  raw.Put(goalsync::testing::RawStore::kLog, key, e.SerializeAsString());
}

TEST_F(GoalctlTest, VerifyPassesOnASoundLogAndNamesTheFirstBadSeq) {
  Goalctl(std::string("-w acme log append --event ") + kCreate);
  for (int i = 0; i < 4; ++i) Goalctl(std::string("-w acme log append --event ") + kCheckIn);
  RunResult ok = Goalctl("-w acme log verify");
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_THAT(ok.out, HasSubstr("chain OK: 5 events"));

  ASSERT_EQ(server_->Stop(), 0);
  TamperWithEvent(dir_.Sub("data"), 3);
  ASSERT_TRUE(server_->Start().ok());
  RunResult bad = Goalctl("-w acme log verify");
  EXPECT_EQ(bad.exit_code, 1) << bad.out;
  EXPECT_THAT(bad.out, HasSubstr("seq 3"));
}

}  // namespace
}  // namespace goalsync
