// Replicas against a real goalsyncd: offline edits, sync in different orders, the merge
// cases, rejected edits, crash between push and confirm, the server down, clock skew,
// catching up from a snapshot, live mode.
#include "goalsync/replica.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/client/replica_helpers.h"

namespace goalsync::testing {
namespace {

using client::Replica;
using goalsync::v1::Conflict;
using goalsync::v1::Event;
using ::testing::HasSubstr;
using ::testing::SizeIs;

class ReplicaTest : public ReplicaFixture {
 protected:
  // Both replicas start from the same synced plan: company goal "co" with team goal "t1".
  void SeedBoth(Replica& a, Replica& b) {
    ASSERT_TRUE(a.CreateGoal(TeamGoal("co")).ok());
    ASSERT_TRUE(a.CreateGoal(TeamGoal("t1", "co")).ok());
    ASSERT_TRUE(a.Sync(Quick()).ok());
    ASSERT_TRUE(b.Sync(Quick()).ok());
    ASSERT_EQ(b.State().goals().size(), 2u);
  }
};

TEST_F(ReplicaTest, EditsOfflineShowAtOnceAndSyncLater) {
  auto a = Open("a", "li");
  ASSERT_TRUE(a->CreateGoal(TeamGoal("co")).ok());
  ASSERT_TRUE(a->SetGoalField("co", "statement", "Grow ARR to 10M").ok());
  EXPECT_EQ(a->State().goals().at("co").statement(), "Grow ARR to 10M");
  EXPECT_THAT(a->Outbox(), SizeIs(2));
  EXPECT_EQ(a->ConfirmedState().goals().size(), 0u);
  EXPECT_TRUE(ServerLog().empty());

  absl::StatusOr<client::SyncReport> r = a->Sync(Quick());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->pushed, 2u);
  EXPECT_EQ(r->head, 2u);
  std::vector<Event> log = ServerLog();
  ASSERT_THAT(log, SizeIs(2));
  EXPECT_EQ(log[1].actor(), "li");
  EXPECT_EQ(log[1].replica_id(), a->Status().replica_id);
  EXPECT_EQ(log[1].base_seq(), 0u);  // made before anything was confirmed
  ExpectConverged({a.get()});
}

TEST_F(ReplicaTest, AnInvalidEditIsRefusedAtOnceAndChangesNothing) {
  auto a = Open("a", "li");
  absl::Status s = a->SetGoalField("nope", "statement", "x");
  EXPECT_TRUE(absl::IsNotFound(s)) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("nope"));
  ASSERT_TRUE(a->CreateGoal(TeamGoal("co")).ok());
  s = a->CreateGoal(TeamGoal("co"));
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(a->Outbox(), SizeIs(1));
}

TEST_F(ReplicaTest, OutboxStateAndClockSurviveAReopen) {
  std::string id;
  goalsync::v1::Hlc before;
  {
    auto a = Open("a", "li");
    ASSERT_TRUE(a->CreateGoal(TeamGoal("co")).ok());
    before = a->Outbox().back().hlc();
    id = a->Status().replica_id;
  }
  FakeClock past;
  past.now = absl::Now() - absl::Hours(1);  // the wall clock stepped back meanwhile
  auto a = Open("a", "li", past.Fn());
  EXPECT_EQ(a->Status().replica_id, id);
  EXPECT_THAT(a->Outbox(), SizeIs(1));
  ASSERT_TRUE(a->SetGoalField("co", "why", "because").ok());
  const goalsync::v1::Hlc after = a->Outbox().back().hlc();
  EXPECT_TRUE(std::make_pair(after.physical_micros(), after.logical()) >
              std::make_pair(before.physical_micros(), before.logical()));
  EXPECT_EQ(a->State().goals().at("co").why(), "because");
}

TEST_F(ReplicaTest, AReplicaDirectoryBelongsToOneWorkspace) {
  { auto a = Open("a", "li"); }
  absl::StatusOr<std::unique_ptr<Replica>> other = Replica::Open(
      {.dir = dir_.Sub("a"), .server = server_->address(), .workspace = "other", .actor = "li"});
  ASSERT_FALSE(other.ok());
  EXPECT_THAT(std::string(other.status().message()), HasSubstr("holds workspace acme"));
}

TEST_F(ReplicaTest, APinnedReplicaIdStampsEveryEditAndStaysWithItsDirectory) {
  auto open = [&](const std::string& id) {
    return Replica::Open({.dir = dir_.Sub("a"), .server = server_->address(),
                          .workspace = kWorkspace, .actor = "li", .replica_id = id});
  };
  {
    absl::StatusOr<std::unique_ptr<Replica>> a = open("replica-7");
    ASSERT_TRUE(a.ok()) << a.status();
    ASSERT_TRUE((*a)->CreateGoal(TeamGoal("co")).ok());
    EXPECT_EQ((*a)->Outbox().back().replica_id(), "replica-7");
  }
  absl::StatusOr<std::unique_ptr<Replica>> other = open("replica-8");
  ASSERT_FALSE(other.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(other.status())) << other.status();
  EXPECT_THAT(std::string(other.status().message()), HasSubstr("is replica replica-7"));
  EXPECT_TRUE(absl::IsInvalidArgument(open("not an id").status()));
  absl::StatusOr<std::unique_ptr<Replica>> again = open("");  // empty: whatever it is
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ((*again)->Status().replica_id, "replica-7");
}

TEST_F(ReplicaTest, DifferentFieldsEditedOfflineAreBothKept) {
  auto a = Open("a", "li");
  auto b = Open("b", "wang");
  SeedBoth(*a, *b);
  ASSERT_TRUE(a->SetGoalField("t1", "statement", "Sign 50 customers").ok());
  ASSERT_TRUE(b->SetGoalField("t1", "owner", "wang").ok());
  ASSERT_TRUE(b->Sync(Quick()).ok());
  ASSERT_TRUE(a->Sync(Quick()).ok());
  ASSERT_TRUE(b->Sync(Quick()).ok());
  ExpectConverged({a.get(), b.get()});
  const goalsync::v1::Goal t1 = a->State().goals().at("t1");
  EXPECT_EQ(t1.statement(), "Sign 50 customers");
  EXPECT_EQ(t1.owner(), "wang");
  EXPECT_TRUE(a->Conflicts().empty());
}

// The same field on two laptops: the later edit (by hlc) wins whichever syncs first, and
// the loser is a conflict record, the same everywhere.
class SameFieldTest : public ReplicaTest, public ::testing::WithParamInterface<bool> {};

TEST_P(SameFieldTest, TheLaterEditWinsAndTheLoserIsRecorded) {
  const bool later_syncs_first = GetParam();
  FakeClock ca, cb;
  auto a = Open("a", "li", ca.Fn());
  auto b = Open("b", "wang", cb.Fn());
  SeedBoth(*a, *b);
  ca.now = absl::Now() + absl::Seconds(1);
  ASSERT_TRUE(a->SetGoalField("t1", "statement", "from li").ok());
  cb.now = absl::Now() + absl::Seconds(2);  // wang edits later
  ASSERT_TRUE(b->SetGoalField("t1", "statement", "from wang").ok());
  Replica* first = later_syncs_first ? b.get() : a.get();
  Replica* second = later_syncs_first ? a.get() : b.get();
  ASSERT_TRUE(first->Sync(Quick()).ok());
  ASSERT_TRUE(second->Sync(Quick()).ok());
  ASSERT_TRUE(first->Sync(Quick()).ok());
  ExpectConverged({a.get(), b.get()});
  EXPECT_EQ(a->State().goals().at("t1").statement(), "from wang");
  std::vector<Conflict> conflicts = b->Conflicts();
  ASSERT_THAT(conflicts, SizeIs(1));
  EXPECT_EQ(conflicts[0].kind(), goalsync::v1::CONFLICT_KIND_SAME_FIELD);
  EXPECT_EQ(conflicts[0].losing_value(), "from li");
  EXPECT_EQ(conflicts[0].winning_value(), "from wang");
  EXPECT_EQ(conflicts[0].loser().actor(), "li");

  // Resolving it (keeping li's value) is an event like any other, and converges too.
  goalsync::v1::ConflictResolved resolve;
  resolve.set_conflict_id(conflicts[0].id());
  resolve.set_goal_id("t1");
  resolve.set_resolution("li's wording is the agreed one");
  resolve.set_keep_losing_value(true);
  ASSERT_TRUE(a->Sync(Quick()).ok());
  ASSERT_TRUE(a->ResolveConflict(resolve).ok());
  ASSERT_TRUE(a->Sync(Quick()).ok());
  ASSERT_TRUE(b->Sync(Quick()).ok());
  ExpectConverged({a.get(), b.get()});
  EXPECT_EQ(b->State().goals().at("t1").statement(), "from li");
  EXPECT_TRUE(b->Conflicts().empty());
}

INSTANTIATE_TEST_SUITE_P(BothOrders, SameFieldTest, ::testing::Bool());

TEST_F(ReplicaTest, AnEditOfAGoalArchivedMeanwhileIsKeptAsAConflict) {
  auto a = Open("a", "li");
  auto b = Open("b", "wang");
  SeedBoth(*a, *b);
  goalsync::v1::GoalArchived archive;
  archive.set_goal_id("t1");
  archive.set_reason("merged into co");
  ASSERT_TRUE(a->Record(archive).ok());
  ASSERT_TRUE(b->SetGoalField("t1", "why", "still matters").ok());
  ASSERT_TRUE(a->Sync(Quick()).ok());
  absl::StatusOr<client::SyncReport> r = b->Sync(Quick());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rejected, 0u);
  ASSERT_TRUE(a->Sync(Quick()).ok());
  ExpectConverged({a.get(), b.get()});
  std::vector<Conflict> conflicts = a->Conflicts();
  ASSERT_THAT(conflicts, SizeIs(1));
  EXPECT_EQ(conflicts[0].kind(), goalsync::v1::CONFLICT_KIND_EDIT_ARCHIVED);
  EXPECT_EQ(conflicts[0].losing_value(), "still matters");
  EXPECT_TRUE(a->State().goals().at("t1").archived());
}

TEST_F(ReplicaTest, MovesThatWouldMakeACycleAreKeptAsAConflict) {
  auto a = Open("a", "li");
  auto b = Open("b", "wang");
  ASSERT_TRUE(a->CreateGoal(TeamGoal("co")).ok());
  ASSERT_TRUE(a->CreateGoal(TeamGoal("x", "co")).ok());
  ASSERT_TRUE(a->CreateGoal(TeamGoal("y", "co")).ok());
  ASSERT_TRUE(a->Sync(Quick()).ok());
  ASSERT_TRUE(b->Sync(Quick()).ok());
  goalsync::v1::GoalMoved x_under_y;
  x_under_y.set_goal_id("x");
  x_under_y.set_new_parent_id("y");
  goalsync::v1::GoalMoved y_under_x;
  y_under_x.set_goal_id("y");
  y_under_x.set_new_parent_id("x");
  ASSERT_TRUE(a->Record(x_under_y).ok());
  ASSERT_TRUE(b->Record(y_under_x).ok());
  ASSERT_TRUE(a->Sync(Quick()).ok());
  ASSERT_TRUE(b->Sync(Quick()).ok());
  ASSERT_TRUE(a->Sync(Quick()).ok());
  ExpectConverged({a.get(), b.get()});
  std::vector<Conflict> conflicts = a->Conflicts();
  ASSERT_THAT(conflicts, SizeIs(1));
  EXPECT_EQ(conflicts[0].kind(), goalsync::v1::CONFLICT_KIND_MOVE_CYCLE);
  EXPECT_EQ(a->State().goals().at("x").parent_id(), "y");
  EXPECT_EQ(a->State().goals().at("y").parent_id(), "co");
}

TEST_F(ReplicaTest, RaciAndCheckInsFromThreeReplicasAllArriveInAnyOrder) {
  auto a = Open("a", "li");
  auto b = Open("b", "wang");
  auto c = Open("c", "zhao");
  SeedBoth(*a, *b);
  goalsync::v1::TaskAdded task;
  task.set_goal_id("t1");
  task.set_task_id("launch");
  task.set_title("Launch the campaign");
  ASSERT_TRUE(a->AddTask(task).ok());
  ASSERT_TRUE(a->Sync(Quick()).ok());
  ASSERT_TRUE(b->Sync(Quick()).ok());
  ASSERT_TRUE(c->Sync(Quick()).ok());

  auto assign = [](const std::string& person, goalsync::v1::RaciRole role) {
    goalsync::v1::RaciAssigned r;
    r.set_goal_id("t1");
    r.set_task_id("launch");
    r.set_person(person);
    r.set_role(role);
    return r;
  };
  auto check_in = [](double value) {
    goalsync::v1::CheckInRecorded ci;
    ci.set_goal_id("t1");
    ci.set_value(value);
    ci.set_period("2026-Q1");
    return ci;
  };
  ASSERT_TRUE(a->SetRaci(assign("li", goalsync::v1::RACI_ROLE_ACCOUNTABLE)).ok());
  ASSERT_TRUE(a->CheckIn(check_in(3)).ok());
  ASSERT_TRUE(b->SetRaci(assign("wang", goalsync::v1::RACI_ROLE_RESPONSIBLE)).ok());
  ASSERT_TRUE(b->CheckIn(check_in(4)).ok());
  ASSERT_TRUE(c->SetRaci(assign("zhao", goalsync::v1::RACI_ROLE_CONSULTED)).ok());
  ASSERT_TRUE(c->CheckIn(check_in(5)).ok());
  for (Replica* r : {c.get(), a.get(), b.get(), c.get(), a.get()}) ASSERT_TRUE(r->Sync(Quick()).ok());
  ExpectConverged({a.get(), b.get(), c.get()});
  const goalsync::v1::Goal goal = b->State().goals().at("t1");
  EXPECT_EQ(goal.check_in_count(), 3u);
  EXPECT_EQ(goal.tasks().at("launch").raci_size(), 3);
  EXPECT_TRUE(b->Conflicts().empty());

  // li removes wang's R while wang, offline, adds himself as I: both hold.
  goalsync::v1::RaciUnassigned remove;
  remove.set_goal_id("t1");
  remove.set_task_id("launch");
  remove.set_person("wang");
  remove.set_role(goalsync::v1::RACI_ROLE_RESPONSIBLE);
  ASSERT_TRUE(a->Record(remove).ok());
  ASSERT_TRUE(b->SetRaci(assign("wang", goalsync::v1::RACI_ROLE_INFORMED)).ok());
  for (Replica* r : {b.get(), a.get(), c.get(), b.get()}) ASSERT_TRUE(r->Sync(Quick()).ok());
  ExpectConverged({a.get(), b.get(), c.get()});
  std::vector<std::string> raci;
  const goalsync::v1::PlanState final_state = c->State();
  for (const auto& m : final_state.goals().at("t1").tasks().at("launch").raci()) {
    raci.push_back(absl::StrCat(m.person(), ":", goalsync::v1::RaciRole_Name(m.role())));
  }
  EXPECT_THAT(raci, ::testing::UnorderedElementsAre("li:RACI_ROLE_ACCOUNTABLE",
                                                    "zhao:RACI_ROLE_CONSULTED",
                                                    "wang:RACI_ROLE_INFORMED"));
}

TEST_F(ReplicaTest, AnEditTheServerRefusesIsKeptWithTheReason) {
  auto a = Open("a", "li");
  auto b = Open("b", "wang");
  SeedBoth(*a, *b);
  ASSERT_TRUE(a->CreateGoal(TeamGoal("launch", "co")).ok());
  ASSERT_TRUE(a->SetGoalField("t1", "why", "li's reason").ok());
  ASSERT_TRUE(b->CreateGoal(TeamGoal("launch", "co")).ok());
  ASSERT_TRUE(b->Sync(Quick()).ok());
  ASSERT_TRUE(a->Pull(Quick()).ok());
  // After the pull li's creation no longer applies on top of the confirmed plan.
  client::ReplicaStatus st = a->Status();
  ASSERT_THAT(st.stale, SizeIs(1));
  EXPECT_THAT(st.stale[0].second, HasSubstr("launch"));

  absl::StatusOr<client::SyncReport> r = a->Sync(Quick());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rejected, 1u);
  EXPECT_EQ(r->pushed, 1u);  // the good edit behind it still went
  std::vector<goalsync::v1::RejectedEdit> rejected = a->Rejected();
  ASSERT_THAT(rejected, SizeIs(1));
  EXPECT_EQ(rejected[0].event().payload().goal_created().goal_id(), "launch");
  EXPECT_THAT(rejected[0].reason(), HasSubstr("launch"));
  EXPECT_EQ(a->Status().rejected, 1u);
  ExpectConverged({a.get()});
  EXPECT_EQ(a->State().goals().at("t1").why(), "li's reason");
  ASSERT_TRUE(a->DismissRejected(rejected[0].event().event_id()).ok());
  EXPECT_TRUE(a->Rejected().empty());
}

TEST_F(ReplicaTest, ACrashBetweenPushAndConfirmNeitherDuplicatesNorLoses) {
  std::vector<std::string> ids;
  {
    auto a = Open("a", "li");
    ASSERT_TRUE(a->CreateGoal(TeamGoal("co")).ok());
    for (int i = 0; i < 20; ++i) {
      ASSERT_TRUE(a->SetGoalField("co", "why", absl::StrCat("reason ", i)).ok());
    }
    for (const Event& e : a->Outbox()) ids.push_back(e.event_id());
    absl::StatusOr<client::SyncReport> pushed = a->Push(Quick());
    ASSERT_TRUE(pushed.ok()) << pushed.status();
    EXPECT_EQ(pushed->pushed, 21u);
    EXPECT_THAT(a->Outbox(), SizeIs(21));  // pushed, never confirmed: the process "dies"
  }
  auto a = Open("a", "li");
  EXPECT_THAT(a->Outbox(), SizeIs(21));
  ASSERT_TRUE(a->Sync(Quick()).ok());
  ASSERT_TRUE(a->Sync(Quick()).ok());
  std::vector<Event> log = ServerLog();
  ASSERT_THAT(log, SizeIs(21));
  for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(log[i].event_id(), ids[i]);
  ExpectConverged({a.get()});
  EXPECT_EQ(a->State().goals().at("co").why(), "reason 19");
}

TEST_F(ReplicaTest, WithTheServerDownEditsGoOnAndSyncAfterItRestarts) {
  auto a = Open("a", "li");
  ASSERT_TRUE(a->CreateGoal(TeamGoal("co")).ok());
  ASSERT_TRUE(a->Sync(Quick()).ok());
  ASSERT_EQ(server_->Stop(), 0);

  ASSERT_TRUE(a->SetGoalField("co", "why", "written on the train").ok());
  const absl::Time start = absl::Now();
  absl::StatusOr<client::SyncReport> down = a->Sync(Quick());
  EXPECT_TRUE(absl::IsUnavailable(down.status())) << down.status();
  EXPECT_LT(absl::Now() - start, absl::Seconds(10));
  EXPECT_THAT(a->Outbox(), SizeIs(1));
  EXPECT_EQ(a->State().goals().at("co").why(), "written on the train");

  ASSERT_TRUE(server_->Start().ok());  // the same data dir, perhaps another port
  a.reset();
  a = Open("a", "li");
  absl::StatusOr<client::SyncReport> up = a->Sync(Quick());
  ASSERT_TRUE(up.ok()) << up.status();
  EXPECT_EQ(up->pushed, 1u);
  ExpectConverged({a.get()});
}

TEST_F(ReplicaTest, AClockFarAheadIsCorrectedInsteadOfWinningEveryMerge) {
  FakeClock fast;
  fast.now = absl::Now() + absl::Hours(2);
  auto a = Open("a", "li", fast.Fn());
  auto b = Open("b", "wang");
  ASSERT_TRUE(b->CreateGoal(TeamGoal("co")).ok());
  ASSERT_TRUE(b->CreateGoal(TeamGoal("t1", "co")).ok());
  ASSERT_TRUE(b->Sync(Quick()).ok());
  ASSERT_TRUE(a->Sync(Quick()).ok());
  ASSERT_TRUE(a->SetGoalField("t1", "statement", "from the fast laptop").ok());
  absl::StatusOr<client::SyncReport> r = a->Sync(Quick());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rejected, 0u);
  EXPECT_EQ(r->restamped, 1u);
  EXPECT_NEAR(absl::ToDoubleHours(a->Status().clock_offset), -2, 0.01);
  const Event committed = ServerLog().back();
  const absl::Time stamped = absl::FromUnixMicros(committed.hlc().physical_micros());
  EXPECT_LT(absl::AbsDuration(stamped - absl::Now()), absl::Minutes(1));

  // wang, with a right clock, edits the same field concurrently a moment later: he wins.
  ASSERT_TRUE(b->SetGoalField("t1", "statement", "from wang").ok());
  ASSERT_TRUE(a->SetGoalField("t1", "why", "a concurrent, different field").ok());
  ASSERT_TRUE(b->Sync(Quick()).ok());
  ASSERT_TRUE(a->Sync(Quick()).ok());
  ASSERT_TRUE(b->Sync(Quick()).ok());
  ExpectConverged({a.get(), b.get()});
  EXPECT_EQ(a->State().goals().at("t1").statement(), "from wang");
}

TEST_F(ReplicaTest, AReplicaFarBehindStartsFromTheServersPlan) {
  auto a = Open("a", "li");
  ASSERT_TRUE(a->CreateGoal(TeamGoal("co")).ok());
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(a->SetGoalField("co", "why", absl::StrCat("reason ", i)).ok());
  }
  ASSERT_TRUE(a->Sync(Quick()).ok());

  auto b = Open("b", "wang");
  std::vector<std::pair<uint64_t, uint64_t>> progress;
  client::SyncOptions o = Quick();
  o.snapshot_threshold = 100;
  o.on_progress = [&](uint64_t done, uint64_t total) { progress.emplace_back(done, total); };
  absl::StatusOr<client::SyncReport> r = b->Sync(o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->from_snapshot);
  EXPECT_EQ(r->head, 301u);
  ExpectConverged({a.get(), b.get()});
  EXPECT_EQ(b->Status().log_from, 302u);
  // Its history starts at the join: older states come from the server.
  absl::StatusOr<goalsync::v1::PlanState> before = b->StateAsOf(10);
  ASSERT_TRUE(before.ok()) << before.status();
  EXPECT_EQ(before->seq(), 10u);

  // An auditor's replica reads everything, and can go back in time.
  auto c = Open("c", "auditor");
  o.snapshot_threshold = 0;
  progress.clear();
  r = c->Sync(o);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->from_snapshot);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), std::make_pair(uint64_t{301}, uint64_t{301}));
  absl::StatusOr<goalsync::v1::PlanState> old = c->StateAsOf(11);
  ASSERT_TRUE(old.ok()) << old.status();
  EXPECT_EQ(old->goals().at("co").why(), "reason 9");
  goalsync::v1::GetHistoryRequest h;
  h.set_goal_id("co");
  h.set_field("why");
  absl::StatusOr<goalsync::v1::GetHistoryResponse> history = c->History(h);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->events_size(), 301);  // the creation set it too
}

TEST_F(ReplicaTest, LiveModeFoldsRemoteEditsAsTheyArriveAndPushesLocalOnes) {
  auto a = Open("a", "li");
  auto b = Open("b", "wang");
  SeedBoth(*a, *b);
  absl::Mutex mu;
  std::vector<uint64_t> seen;
  ASSERT_TRUE(a->StartLive([&](const Event& e) {
                 absl::MutexLock lock(&mu);
                 seen.push_back(e.seq());
               }).ok());
  ASSERT_TRUE(b->SetGoalField("t1", "why", "from wang, live").ok());
  ASSERT_TRUE(b->Sync(Quick()).ok());
  for (int i = 0; i < 200 && a->State().goals().at("t1").why() != "from wang, live"; ++i) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(a->State().goals().at("t1").why(), "from wang, live");
  {
    absl::MutexLock lock(&mu);
    EXPECT_THAT(seen, ::testing::Contains(3u));
  }
  ASSERT_TRUE(a->SetGoalField("t1", "owner", "li").ok());
  for (int i = 0; i < 200 && !a->Outbox().empty(); ++i) absl::SleepFor(absl::Milliseconds(50));
  EXPECT_TRUE(a->Outbox().empty());
  a->StopLive();
  ASSERT_TRUE(b->Sync(Quick()).ok());
  ExpectConverged({a.get(), b.get()});
  EXPECT_EQ(b->State().goals().at("t1").owner(), "li");
}

TEST_F(ReplicaTest, QueriesAnswerLikeTheServer) {
  auto a = Open("a", "li");
  ASSERT_TRUE(a->CreateGoal(TeamGoal("co")).ok());
  ASSERT_TRUE(a->CreateGoal(TeamGoal("t1", "co")).ok());
  ASSERT_TRUE(a->CreateGoal(TeamGoal("t2", "co")).ok());
  absl::StatusOr<std::vector<goalsync::v1::Goal>> tree = a->Tree("co");
  ASSERT_TRUE(tree.ok());
  ASSERT_THAT(*tree, SizeIs(3));
  EXPECT_EQ((*tree)[0].id(), "co");
  goalsync::v1::ListGoalsRequest teams;
  teams.set_parent_id("co");
  EXPECT_EQ(a->ListGoals(teams).goals_size(), 2);
  ASSERT_TRUE(a->SetGoalField("t1", "owner", "wang").ok());
  absl::StatusOr<goalsync::v1::BlameResponse> blame = a->Blame("t1");
  ASSERT_TRUE(blame.ok());
  ASSERT_FALSE(blame->lines().empty());
  EXPECT_EQ(blame->lines(0).change().actor(), "li");
  EXPECT_TRUE(absl::IsNotFound(a->Blame("zz").status()));
}

}  // namespace
}  // namespace goalsync::testing
