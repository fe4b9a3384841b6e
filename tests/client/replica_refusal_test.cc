// Refusals as data, through a real goalsyncd: every refused outbox edit moves to the
// rejected list with the server's Refusal and sync never sticks (a viewer's token, an editor
// on a goal they do not own); the two-replica task race in both sync orders; live mode
// reporting errors and stopping with DATA_LOSS on a chain break.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "goalsync/log_client.h"
#include "core/envelope.h"
#include "goalsync/replica.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "tests/client/replica_helpers.h"
#include "tests/support/run_command.h"

namespace goalsync::testing {
namespace {

using client::Replica;
using goalsync::v1::Refusal;

goalsync::v1::CheckInRecorded CheckIn(const std::string& goal) {
  goalsync::v1::CheckInRecorded c;
  c.set_goal_id(goal);
  c.set_value(1);
  return c;
}

// --- With tokens --------------------------------------------------------------------------

class RefusedEditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string data = dir_.Sub("data");
    for (const auto& [name, grant] : std::vector<std::pair<std::string, std::string>>{
             {"admin", "acme=admin"}, {"vic", "acme=viewer"}, {"li", "acme=editor"}}) {
      CommandResult r = RunCommand(absl::StrCat("(", GOALSYNCD_PATH, " token create --data-dir ", data,
                                                " --name ", name, " --grant '", grant, "' 2>/dev/null)"));
      ASSERT_EQ(r.exit_code, 0) << r.out;
      tokens_[name] = std::string(absl::StripAsciiWhitespace(r.out));
    }
    server_ = std::make_unique<GoalsyncdProcess>(data, std::vector<std::string>{}, /*auth=*/true);
    ASSERT_TRUE(server_->Start().ok()) << server_->Log();
    auto admin = Open("admin");
    ASSERT_TRUE(admin->CreateGoal(Owned("li-goal", "li")).ok());
    ASSERT_TRUE(admin->CreateGoal(Owned("wang-goal", "wang")).ok());
    ASSERT_TRUE(admin->Sync(Quick()).ok());
  }

  static goalsync::v1::GoalCreated Owned(const std::string& id, const std::string& owner) {
    goalsync::v1::GoalCreated g = TeamGoal(id);
    g.set_owner(owner);
    return g;
  }

  std::unique_ptr<Replica> Open(const std::string& who) {
    absl::StatusOr<std::unique_ptr<Replica>> r = Replica::Open(
        {.dir = dir_.Sub("replica-" + who), .server = server_->address(), .workspace = kWorkspace,
         .actor = who, .token = tokens_[who]});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? std::move(*r) : nullptr;
  }

  static client::SyncOptions Quick() {
    client::SyncOptions o;
    o.max_attempts = 2;
    o.initial_backoff = absl::Milliseconds(20);
    return o;
  }

  TempDir dir_;
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<GoalsyncdProcess> server_;
};

TEST_F(RefusedEditTest, AViewersEditsGoToTheRejectedListAndSyncGoesOn) {
  auto vic = Open("vic");
  ASSERT_TRUE(vic->Sync(Quick()).ok());  // a viewer may read
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(vic->CheckIn(CheckIn("li-goal")).ok());  // offline: fine
  absl::StatusOr<client::SyncReport> sync = vic->Sync(Quick());
  ASSERT_TRUE(sync.ok()) << "a refused edit must not make sync fail: " << sync.status();
  EXPECT_EQ(sync->rejected, 3u);
  EXPECT_EQ(sync->pushed, 0u);
  EXPECT_TRUE(vic->Outbox().empty());
  ASSERT_EQ(vic->Rejected().size(), 3u);
  for (const auto& r : vic->Rejected()) {
    EXPECT_EQ(r.code(), static_cast<int>(absl::StatusCode::kPermissionDenied));
    EXPECT_EQ(r.refusal().reason(), Refusal::FORBIDDEN);
    EXPECT_FALSE(r.reason().empty());
  }
  // The next sync has nothing stuck in front of it.
  ASSERT_TRUE(vic->CheckIn(CheckIn("li-goal")).ok());
  sync = vic->Sync(Quick());
  ASSERT_TRUE(sync.ok()) << sync.status();
  EXPECT_EQ(sync->rejected, 1u);
  EXPECT_TRUE(vic->Outbox().empty());
}

TEST_F(RefusedEditTest, AnEditorsEditOfAGoalTheyDoNotOwnIsRejectedAndTheRestGoThrough) {
  auto li = Open("li");
  ASSERT_TRUE(li->Sync(Quick()).ok());
  ASSERT_TRUE(li->CheckIn(CheckIn("li-goal")).ok());
  ASSERT_TRUE(li->CheckIn(CheckIn("wang-goal")).ok());  // not li's goal
  ASSERT_TRUE(li->SetGoalField("wang-goal", "why", "li thinks so").ok());
  ASSERT_TRUE(li->CheckIn(CheckIn("li-goal")).ok());
  absl::StatusOr<client::SyncReport> sync = li->Sync(Quick());
  ASSERT_TRUE(sync.ok()) << sync.status();
  EXPECT_EQ(sync->pushed, 2u);
  EXPECT_EQ(sync->rejected, 2u);
  EXPECT_TRUE(li->Outbox().empty());
  std::vector<goalsync::v1::RejectedEdit> rejected = li->Rejected();
  ASSERT_EQ(rejected.size(), 2u);
  for (const auto& r : rejected) {
    EXPECT_EQ(core::GoalIdOf(r.event().payload()), "wang-goal");
    EXPECT_EQ(r.refusal().reason(), Refusal::FORBIDDEN);
    EXPECT_TRUE(r.refusal().has_event_index()) << "the server named the refused event";
    EXPECT_FALSE(absl::StartsWith(r.reason(), "events[")) << r.reason();
  }
  EXPECT_EQ(li->ConfirmedState().goals().at("li-goal").check_in_count(), 2u);
}

// --- Without tokens -----------------------------------------------------------------------

class RefusalTest : public ReplicaFixture {};

TEST_F(RefusalTest, TheServersFactsArriveAsData) {
  client::LogClient c(server_->address());
  goalsync::v1::AppendRequest req;
  req.set_workspace(kWorkspace);
  for (int i = 0; i < 2; ++i) {
    auto* e = req.add_events();
    e->set_event_id(client::NewEventId());
    *e->mutable_payload()->mutable_goal_created() = TeamGoal(absl::StrCat("g", i));
  }
  req.mutable_events(1)->mutable_payload()->mutable_goal_created()->set_level(
      static_cast<goalsync::v1::GoalLevel>(-7));
  absl::StatusOr<goalsync::v1::AppendResponse> r = c.Append(req);
  ASSERT_TRUE(absl::IsInvalidArgument(r.status())) << r.status();
  const Refusal refusal = client::RefusalOf(r.status());
  EXPECT_EQ(refusal.reason(), Refusal::INVALID);
  EXPECT_EQ(refusal.event_index(), 1);
  EXPECT_EQ(refusal.field(), "payload.goal_created.level");
  EXPECT_GT(refusal.server_time().seconds(), 0);
  EXPECT_EQ(ServerLog().size(), 0u) << "nothing was written";
}

// The case: two people offline set the same task's due date, deliverable and status
// from the same base. Both sync orders: the same winner, a conflict record for each field on
// every replica and the server, and keeping the loser re-applies it.
class TaskRaceTest : public ReplicaFixture, public ::testing::WithParamInterface<bool> {};

TEST_P(TaskRaceTest, SameWinnerInBothSyncOrdersAndTheLoserIsKept) {
  FakeClock ca, cb;
  auto a = Open("a", "li", ca.Fn());
  auto b = Open("b", "wang", cb.Fn());
  ASSERT_TRUE(a->CreateGoal(TeamGoal("g")).ok());
  goalsync::v1::TaskAdded t;
  t.set_goal_id("g"), t.set_task_id("t"), t.set_title("T"), t.set_due_date("2026-03-31");
  ASSERT_TRUE(a->AddTask(t).ok());
  ASSERT_TRUE(a->Sync(Quick()).ok());
  ASSERT_TRUE(b->Sync(Quick()).ok());
  auto edit = [](Replica& r, const std::string& due, const std::string& deliverable,
                 goalsync::v1::TaskStatus status) {
    for (auto [f, v] : {std::pair<std::string, std::string>{"due_date", due}, {"deliverable", deliverable}}) {
      goalsync::v1::TaskFieldSet s;
      s.set_goal_id("g"), s.set_task_id("t"), s.set_field(f), s.set_value(v);
      ASSERT_TRUE(r.Record(s).ok());
    }
    goalsync::v1::TaskStatusSet s;
    s.set_goal_id("g"), s.set_task_id("t"), s.set_status(status);
    ASSERT_TRUE(r.Record(s).ok());
  };
  ca.now = absl::Now() + absl::Seconds(1);
  edit(*a, "2026-04-30", "slides", goalsync::v1::TASK_STATUS_DONE);
  cb.now = absl::Now() + absl::Seconds(2);  // wang edits later: wang wins every field
  edit(*b, "2026-05-31", "report", goalsync::v1::TASK_STATUS_BLOCKED);
  Replica* first = GetParam() ? a.get() : b.get();
  Replica* second = GetParam() ? b.get() : a.get();
  ASSERT_TRUE(first->Sync(Quick()).ok());
  ASSERT_TRUE(second->Sync(Quick()).ok());
  ASSERT_TRUE(first->Sync(Quick()).ok());
  ExpectConverged({a.get(), b.get()});
  const goalsync::v1::Task task = ServerState().goals().at("g").tasks().at("t");
  EXPECT_EQ(task.due_date(), "2026-05-31");
  EXPECT_EQ(task.deliverable(), "report");
  EXPECT_EQ(task.status(), goalsync::v1::TASK_STATUS_BLOCKED);
  const goalsync::v1::PlanState server = ServerState();
  const std::vector<goalsync::v1::Conflict> on_server(server.conflicts().begin(),
                                                      server.conflicts().end());
  for (const auto& conflicts : {a->Conflicts(), b->Conflicts(), on_server}) {
    ASSERT_EQ(conflicts.size(), 3u);
    for (const auto& c : conflicts) {
      EXPECT_EQ(c.task_id(), "t");
      EXPECT_EQ(c.loser().actor(), "li");
    }
  }
  // li's due date after all.
  goalsync::v1::ConflictResolved resolve;
  for (const auto& c : a->Conflicts()) {
    if (c.field() != "due_date") continue;
    resolve.set_conflict_id(c.id()), resolve.set_goal_id("g"), resolve.set_task_id("t");
  }
  resolve.set_resolution("li's date"), resolve.set_keep_losing_value(true);
  ASSERT_TRUE(a->ResolveConflict(resolve).ok());
  ASSERT_TRUE(a->Sync(Quick()).ok());
  ASSERT_TRUE(b->Sync(Quick()).ok());
  ExpectConverged({a.get(), b.get()});
  EXPECT_EQ(b->State().goals().at("g").tasks().at("t").due_date(), "2026-04-30");
}

INSTANTIATE_TEST_SUITE_P(BothOrders, TaskRaceTest, ::testing::Bool());

// --- Live mode ----------------------------------------------------------------------------

// Collects the statuses live mode reports.
struct Errors {
  absl::Mutex mu;
  std::vector<absl::Status> seen ABSL_GUARDED_BY(mu);
  absl::Notification first;
  std::function<void(const absl::Status&)> Fn() {
    return [this](const absl::Status& s) {
      absl::MutexLock lock(&mu);
      seen.push_back(s);
      if (!first.HasBeenNotified()) first.Notify();
    };
  }
};

TEST_F(RefusalTest, LiveModeReportsAnUnreachableServerAndKeepsGoing) {
  auto a = Open("a", "li");
  ASSERT_TRUE(a->CreateGoal(TeamGoal("g")).ok());
  ASSERT_TRUE(a->Sync(Quick()).ok());
  Errors errors;
  ASSERT_TRUE(a->StartLive(nullptr, errors.Fn()).ok());
  server_->Kill();
  ASSERT_TRUE(errors.first.WaitForNotificationWithTimeout(absl::Seconds(20)));
  EXPECT_TRUE(a->LiveStatus().ok()) << "a lost server is retried, not fatal";
  a->StopLive();
}

// Overwrites the hash of the replica's confirmed head in its store (closed), as if it had
// been made against another server.
void BreakChain(const std::string& dir) {
  std::vector<std::string> names;
  ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names).ok());
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const auto& n : names) families.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(rocksdb::DBOptions(), dir, families, &handles, &db).ok());
  std::string bytes;
  ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), handles[0], "meta", &bytes).ok());
  goalsync::v1::ReplicaMeta meta;
  ASSERT_TRUE(meta.ParseFromString(bytes));
  meta.set_confirmed_hash(std::string(32, '\x01'));
  ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), handles[0], "meta", meta.SerializeAsString()).ok());
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  delete db;
}

TEST_F(RefusalTest, AChainBreakStopsLiveModeWithDataLoss) {
  {
    auto a = Open("a", "li");
    ASSERT_TRUE(a->CreateGoal(TeamGoal("g")).ok());
    ASSERT_TRUE(a->Sync(Quick()).ok());
  }
  BreakChain(dir_.Sub("a"));
  absl::StatusOr<std::unique_ptr<Replica>> reopened = Replica::Open(
      {.dir = dir_.Sub("a"), .server = server_->address(), .workspace = kWorkspace, .actor = "li"});
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto b = Open("b", "wang");
  ASSERT_TRUE(b->Sync(Quick()).ok());
  ASSERT_TRUE(b->CheckIn(CheckIn("g")).ok());
  ASSERT_TRUE(b->Sync(Quick()).ok());  // seq 2: it does not extend a's (broken) chain
  Errors errors;
  ASSERT_TRUE((*reopened)->StartLive(nullptr, errors.Fn()).ok());
  ASSERT_TRUE(errors.first.WaitForNotificationWithTimeout(absl::Seconds(20)));
  {
    absl::MutexLock lock(&errors.mu);
    ASSERT_FALSE(errors.seen.empty());
    EXPECT_TRUE(absl::IsDataLoss(errors.seen[0])) << errors.seen[0];
  }
  EXPECT_TRUE(absl::IsDataLoss((*reopened)->LiveStatus())) << (*reopened)->LiveStatus();
  EXPECT_EQ((*reopened)->ConfirmedState().seq(), 1u) << "nothing folded past the break";
  (*reopened)->StopLive();
  {
    absl::MutexLock lock(&errors.mu);
    EXPECT_EQ(errors.seen.size(), 1u) << "stopped, not retried";
  }
}

}  // namespace
}  // namespace goalsync::testing
