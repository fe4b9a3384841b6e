// EventLog::AppendSealed (a follower's write of the leader's events) and
// LogStore::TruncateAfter (cutting a divergent tail), on real RocksDB.
#include <future>

#include "core/hash_chain.h"
#include "gtest/gtest.h"
#include "server/log/event_log.h"
#include "tests/support/requests.h"
#include "tests/support/temp_dir.h"

namespace goalsync::server {
namespace {

using goalsync::testing::TempDir;
using goalsync::v1::Event;

absl::Status AppendNow(EventLog& log, const goalsync::v1::AppendRequest& req) {
  std::promise<absl::Status> done;
  log.Append(req, [&done](absl::StatusOr<goalsync::v1::AppendResponse> r) {
    done.set_value(r.status());
  });
  return done.get_future().get();
}

struct Node {
  explicit Node(const std::string& dir)
      : store(std::move(LogStore::Open({.dir = dir})).value()),
        log(std::make_unique<EventLog>(*store, EventLogOptions{.snapshot_every = 3})) {}
  std::vector<Event> Read(const std::string& ws) {
    std::vector<Event> out;
    EXPECT_TRUE(log->ReadCommitted(*log->GetWorkspace(ws).value(), 1, 1000, &out).ok());
    return out;
  }
  std::unique_ptr<LogStore> store;
  std::unique_ptr<EventLog> log;
};

class AppendSealedTest : public ::testing::Test {
 protected:
  TempDir leader_dir_, follower_dir_;
  Node leader_{leader_dir_.path()};
  Node follower_{follower_dir_.path()};
};

TEST_F(AppendSealedTest, FollowerHoldsTheLeadersEventsByteForByte) {
  ASSERT_TRUE(AppendNow(*leader_.log, goalsync::testing::GoalCreations("w", {"a", "b", "c", "d"})).ok());
  std::vector<Event> events = leader_.Read("w");
  ASSERT_EQ(events.size(), 4u);
  std::vector<Event> first(events.begin(), events.begin() + 2), rest(events.begin() + 2, events.end());
  ASSERT_TRUE(follower_.log->AppendSealed("w", first).ok());
  ASSERT_TRUE(follower_.log->AppendSealed("w", rest).ok());
  std::vector<Event> copy = follower_.Read("w");
  ASSERT_EQ(copy.size(), events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(copy[i].SerializeAsString(), events[i].SerializeAsString()) << "seq " << i + 1;
  }
  auto head = follower_.log->Head("w");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->seq(), 4u);
  EXPECT_EQ(head->hash(), events.back().hash());
  // The plan was folded too: the follower's plan holds the four goals.
  size_t goals = 0;
  ASSERT_TRUE(follower_.log->ReadCommittedPlan(*follower_.log->GetWorkspace("w").value(),
      [&](const goalsync::v1::PlanState& p) { goals = p.goals_size(); }).ok());
  EXPECT_EQ(goals, 4u);
}

TEST_F(AppendSealedTest, RefusesEventsThatDoNotFollowItsHead) {
  ASSERT_TRUE(AppendNow(*leader_.log, goalsync::testing::GoalCreations("w", {"a", "b"})).ok());
  std::vector<Event> events = leader_.Read("w");
  std::vector<Event> second(events.begin() + 1, events.end());
  absl::Status s = follower_.log->AppendSealed("w", second);  // seq 2 onto an empty log
  EXPECT_TRUE(absl::IsFailedPrecondition(s)) << s;
  EXPECT_EQ(follower_.log->Head("w")->seq(), 0u);
}

TEST_F(AppendSealedTest, RefusesAnEventWhoseHashIsWrong) {
  ASSERT_TRUE(AppendNow(*leader_.log, goalsync::testing::GoalCreations("w", {"a"})).ok());
  std::vector<Event> events = leader_.Read("w");
  events[0].mutable_payload()->mutable_goal_created()->set_statement("tampered");
  absl::Status s = follower_.log->AppendSealed("w", events);
  EXPECT_TRUE(absl::IsDataLoss(s)) << s;
  EXPECT_EQ(follower_.log->Head("w")->seq(), 0u);
}

TEST(TruncateAfterTest, CutsTheTailAndItsIndexesSoTheSeqsCanBeReused) {
  TempDir dir;
  uint32_t id = 0;
  std::string hash2;
  {
    Node node(dir.path());
    ASSERT_TRUE(AppendNow(*node.log, goalsync::testing::GoalCreations("w", {"a", "b", "c", "d", "e"})).ok());
    hash2 = node.Read("w")[1].hash();
    id = node.log->GetWorkspace("w").value()->id;
  }
  {
    auto store = std::move(LogStore::Open({.dir = dir.path()})).value();
    ASSERT_TRUE(store->TruncateAfter(id, 2).ok());
    auto rec = store->FindWorkspace("w");
    ASSERT_TRUE(rec.ok());
    EXPECT_EQ(rec->head_seq, 2u);
    EXPECT_EQ(rec->head_hash, hash2);
    EXPECT_FALSE(store->FindEventId(id, "c").value().has_value());
    EXPECT_TRUE(store->FindEventId(id, "b").value().has_value());
    EXPECT_TRUE(absl::IsNotFound(store->ReadEvent(id, 3).status()));
  }
  Node node(dir.path());  // loads from the cut log (snapshots past seq 2 are gone too)
  EXPECT_EQ(node.Read("w").size(), 2u);
  ASSERT_TRUE(AppendNow(*node.log, goalsync::testing::GoalCreations("w", {"c2", "d"})).ok());
  std::vector<Event> after = node.Read("w");
  ASSERT_EQ(after.size(), 4u);
  EXPECT_EQ(after[2].event_id(), "c2");
  EXPECT_EQ(after[2].prev_hash(), hash2);
}

TEST(ReplicationStateTest, StoredBesideTheLog) {
  TempDir dir;
  auto store = std::move(LogStore::Open({.dir = dir.path()})).value();
  EXPECT_EQ(store->ReplicationState().value(), "");
  CommitBatch batch(*store);
  batch.SetReplicationState("0123456789abcdef");
  ASSERT_TRUE(store->Commit(batch).ok());
  EXPECT_EQ(store->ReplicationState().value(), "0123456789abcdef");
}

}  // namespace
}  // namespace goalsync::server
