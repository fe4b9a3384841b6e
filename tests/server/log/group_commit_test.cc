// server/log/group_commit: one group of appends staged (seq, stamps, hash chain, the kernel
// applying each event once), sealed and written as one batch; duplicates within the group, in
// a group in flight and on disk; expected_seq; all-or-nothing on a refused event. Real
// RocksDB in a temporary directory; the workspace as the EventLog would hold it.
#include "server/log/group_commit.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "core/timestamps.h"
#include "server/store/keys.h"
#include "gtest/gtest.h"
#include "tests/support/requests.h"
#include "tests/support/temp_dir.h"

namespace goalsync::server {
namespace {

using goalsync::testing::GoalCreations;

class GroupCommitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(LogStore::Open({.dir = dir_.path(), .sync = false})).value();
    ws_ = std::make_unique<Workspace>("acme", 1, false, 0, "", goalsync::v1::PlanState());
  }

  std::shared_ptr<GroupCommit> NewGroup(std::vector<std::shared_ptr<const GroupCommit>> in_flight = {}) {
    return std::make_shared<GroupCommit>(*store_, now_, std::move(in_flight), 1 << 20, 0, absl::Hours(24));
  }

  absl::StatusOr<goalsync::v1::AppendResponse> Stage(GroupCommit& g, const goalsync::v1::AppendRequest& r,
                                                     std::vector<EventPtr>* staged) {
    return g.Stage(*ws_, r, std::nullopt, staged);
  }

  goalsync::testing::TempDir dir_;
  std::unique_ptr<LogStore> store_;
  std::unique_ptr<Workspace> ws_;
  const absl::Time now_ = absl::FromUnixSeconds(1767225600) + absl::Milliseconds(250);
};

TEST_F(GroupCommitTest, StagesSealsAndWritesAChainedGroup) {
  std::shared_ptr<GroupCommit> g = NewGroup();
  std::vector<EventPtr> staged;
  absl::StatusOr<goalsync::v1::AppendResponse> r = Stage(*g, GoalCreations("acme", {"a", "b", "c"}), &staged);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->first_seq(), 1u);
  EXPECT_EQ(r->last_seq(), 3u);
  ASSERT_EQ(staged.size(), 3u);
  EXPECT_EQ(ws_->tail_seq, 3u);
  EXPECT_EQ(ws_->tail_hash, staged[2]->hash());
  EXPECT_EQ(staged[1]->prev_hash(), staged[0]->hash());
  EXPECT_EQ(staged[2]->prev_hash(), staged[1]->hash());
  EXPECT_EQ(core::FromTimestamp(staged[0]->server_time()), now_);
  {
    absl::MutexLock lock(&ws_->mu);
    EXPECT_EQ(ws_->plan.goals_size(), 3);  // applied once, while staged
    EXPECT_EQ(ws_->plan.seq(), 3u);
  }
  // Nothing is on disk before the group is written.
  EXPECT_FALSE(store_->ReadEvent(1, 1).ok());
  EXPECT_EQ(g->FindStaged(keys::EventIdKey(1, "b")), std::optional<uint64_t>(2));
  g->Seal();
  ASSERT_TRUE(g->Write().ok());
  absl::StatusOr<goalsync::v1::Event> e = store_->ReadEvent(1, 3);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->event_id(), "c");
  EXPECT_EQ(e->hash(), staged[2]->hash());
}

TEST_F(GroupCommitTest, DuplicatesInTheGroupInFlightAndOnDiskAppendNothing) {
  std::shared_ptr<GroupCommit> first = NewGroup();
  std::vector<EventPtr> staged;
  ASSERT_TRUE(Stage(*first, GoalCreations("acme", {"a"}), &staged).ok());
  first->Seal();
  // In flight (sealed, not written): the next group sees its ids.
  std::shared_ptr<GroupCommit> second = NewGroup({first});
  staged.clear();
  absl::StatusOr<goalsync::v1::AppendResponse> again = Stage(*second, GoalCreations("acme", {"a", "b"}), &staged);
  ASSERT_TRUE(again.ok()) << again.status();
  ASSERT_EQ(again->results_size(), 2);
  EXPECT_TRUE(again->results(0).duplicate());
  EXPECT_EQ(again->results(0).seq(), 1u);
  EXPECT_FALSE(again->results(1).duplicate());
  EXPECT_EQ(again->results(1).seq(), 2u);
  ASSERT_EQ(staged.size(), 1u);
  // Within the same group.
  staged.clear();
  absl::StatusOr<goalsync::v1::AppendResponse> same = Stage(*second, GoalCreations("acme", {"b"}), &staged);
  ASSERT_TRUE(same.ok());
  EXPECT_TRUE(same->results(0).duplicate());
  EXPECT_TRUE(staged.empty());
  ASSERT_TRUE(first->Write().ok());
  second->Seal();
  ASSERT_TRUE(second->Write().ok());
  // On disk, with no group in flight.
  std::shared_ptr<GroupCommit> third = NewGroup();
  staged.clear();
  absl::StatusOr<goalsync::v1::AppendResponse> disk = Stage(*third, GoalCreations("acme", {"a", "b"}), &staged);
  ASSERT_TRUE(disk.ok());
  EXPECT_TRUE(disk->results(0).duplicate());
  EXPECT_TRUE(disk->results(1).duplicate());
  EXPECT_TRUE(staged.empty());
  EXPECT_EQ(ws_->tail_seq, 2u);
}

TEST_F(GroupCommitTest, ExpectedSeqMismatchIsAbortedAndStagesNothing) {
  std::shared_ptr<GroupCommit> g = NewGroup();
  std::vector<EventPtr> staged;
  ASSERT_TRUE(Stage(*g, GoalCreations("acme", {"a"}), &staged).ok());
  goalsync::v1::AppendRequest r = GoalCreations("acme", {"b"});
  r.set_expected_seq(0);
  staged.clear();
  EXPECT_TRUE(absl::IsAborted(Stage(*g, r, &staged).status()));
  EXPECT_TRUE(staged.empty());
  EXPECT_EQ(ws_->tail_seq, 1u);
  r.set_expected_seq(1);
  EXPECT_TRUE(Stage(*g, r, &staged).ok());
  EXPECT_EQ(ws_->tail_seq, 2u);
}

TEST_F(GroupCommitTest, ARefusedEventStagesNoneOfItsRequest) {
  std::shared_ptr<GroupCommit> g = NewGroup();
  std::vector<EventPtr> staged;
  ASSERT_TRUE(Stage(*g, GoalCreations("acme", {"a"}), &staged).ok());
  const std::string hash = ws_->tail_hash;
  // The second event creates goal-a again: the kernel refuses it, and the first of the
  // request (goal-x) must not stay applied either.
  goalsync::v1::AppendRequest r = GoalCreations("acme", {"x", "a2"});
  r.mutable_events(1)->mutable_payload()->mutable_goal_created()->set_goal_id("goal-a");
  staged.clear();
  absl::Status s = Stage(*g, r, &staged).status();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("1"), std::string::npos) << s;  // names the index
  EXPECT_TRUE(staged.empty());
  EXPECT_EQ(ws_->tail_seq, 1u);
  EXPECT_EQ(ws_->tail_hash, hash);
  absl::MutexLock lock(&ws_->mu);
  EXPECT_EQ(ws_->plan.goals_size(), 1);
  EXPECT_FALSE(ws_->plan.goals().contains("goal-x"));
}

}  // namespace
}  // namespace goalsync::server
