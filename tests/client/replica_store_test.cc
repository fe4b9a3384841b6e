// client-lib/src/replica_store: the replica's RocksDB (meta, local log, outbox, rejected
// edits, snapshots): atomic batches, order, survival across reopen, ClearLog. Real RocksDB in
// a temporary directory.
#include "client-lib/src/replica_store.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace goalsync::client {
namespace {

goalsync::v1::Event EventAt(uint64_t seq) {
  goalsync::v1::Event e;
  e.set_seq(seq);
  e.set_event_id("e" + std::to_string(seq));
  e.mutable_payload()->mutable_goal_field_set()->set_goal_id("g");
  return e;
}

std::vector<uint64_t> Log(ReplicaStore& store, uint64_t from) {
  std::vector<uint64_t> seqs;
  absl::Status s = store.ScanLog(from, [&](const goalsync::v1::Event& e) -> absl::StatusOr<bool> {
    seqs.push_back(e.seq());
    return true;
  });
  EXPECT_TRUE(s.ok()) << s;
  return seqs;
}

TEST(ReplicaStoreTest, ANewDirectoryHasNoMeta) {
  goalsync::testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<ReplicaStore>> store = ReplicaStore::Open(dir.Sub("r"));
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<std::optional<goalsync::v1::ReplicaMeta>> meta = (*store)->LoadMeta();
  ASSERT_TRUE(meta.ok());
  EXPECT_FALSE(meta->has_value());
  EXPECT_TRUE(Log(**store, 1).empty());
}

TEST(ReplicaStoreTest, WhatABatchWritesSurvivesReopenInOrder) {
  goalsync::testing::TempDir dir;
  {
    std::unique_ptr<ReplicaStore> store = *ReplicaStore::Open(dir.Sub("r"));
    ReplicaStore::Batch b(*store);
    goalsync::v1::ReplicaMeta meta;
    meta.set_workspace("acme");
    meta.set_confirmed_seq(12);
    b.PutMeta(meta);
    for (uint64_t seq : {3, 1, 12, 2}) b.AddLog(EventAt(seq));  // keys order the log
    b.PutOutbox(7, EventAt(0));
    b.PutOutbox(5, EventAt(0));
    goalsync::v1::RejectedEdit r;
    r.set_reason("no");
    b.PutRejected(1, r);
    b.PutSnapshot(2, "two");
    b.PutSnapshot(10, "ten");
    ASSERT_TRUE(store->Commit(b, /*sync=*/true).ok());
  }
  std::unique_ptr<ReplicaStore> store = *ReplicaStore::Open(dir.Sub("r"));
  absl::StatusOr<std::optional<goalsync::v1::ReplicaMeta>> meta = store->LoadMeta();
  ASSERT_TRUE(meta.ok() && meta->has_value());
  EXPECT_EQ((*meta)->confirmed_seq(), 12u);
  EXPECT_EQ(Log(*store, 1), (std::vector<uint64_t>{1, 2, 3, 12}));
  EXPECT_EQ(Log(*store, 3), (std::vector<uint64_t>{3, 12}));
  absl::StatusOr<std::vector<std::pair<uint64_t, goalsync::v1::Event>>> outbox = store->LoadOutbox();
  ASSERT_TRUE(outbox.ok());
  ASSERT_EQ(outbox->size(), 2u);
  EXPECT_EQ((*outbox)[0].first, 5u);
  EXPECT_EQ((*outbox)[1].first, 7u);
  ASSERT_EQ(store->LoadRejected()->size(), 1u);
  EXPECT_EQ((*store->LoadRejected())[0].second.reason(), "no");
  auto snap = store->SnapshotAtOrBefore(9);
  ASSERT_TRUE(snap.ok() && snap->has_value());
  EXPECT_EQ((*snap)->first, 2u);
  EXPECT_EQ((*snap)->second, "two");
  EXPECT_EQ((*store->SnapshotAtOrBefore(10))->first, 10u);
  EXPECT_FALSE(store->SnapshotAtOrBefore(1)->has_value());
}

TEST(ReplicaStoreTest, ScanStopsWhenAskedAndPassesErrorsOn) {
  goalsync::testing::TempDir dir;
  std::unique_ptr<ReplicaStore> store = *ReplicaStore::Open(dir.Sub("r"));
  ReplicaStore::Batch b(*store);
  for (uint64_t seq = 1; seq <= 5; ++seq) b.AddLog(EventAt(seq));
  ASSERT_TRUE(store->Commit(b, false).ok());
  int seen = 0;
  ASSERT_TRUE(store->ScanLog(1, [&](const goalsync::v1::Event&) -> absl::StatusOr<bool> { return ++seen < 2; }).ok());
  EXPECT_EQ(seen, 2);
  absl::Status s = store->ScanLog(1, [](const goalsync::v1::Event&) -> absl::StatusOr<bool> {
    return absl::DataLossError("bad");
  });
  EXPECT_TRUE(absl::IsDataLoss(s));
}

TEST(ReplicaStoreTest, DeletesAndClearLog) {
  goalsync::testing::TempDir dir;
  std::unique_ptr<ReplicaStore> store = *ReplicaStore::Open(dir.Sub("r"));
  {
    ReplicaStore::Batch b(*store);
    for (uint64_t seq = 1; seq <= 3; ++seq) b.AddLog(EventAt(seq));
    b.PutSnapshot(2, "s");
    b.PutOutbox(1, EventAt(0));
    b.PutRejected(1, goalsync::v1::RejectedEdit());
    ASSERT_TRUE(store->Commit(b, true).ok());
  }
  ReplicaStore::Batch b(*store);
  b.DeleteOutbox(1);
  b.DeleteRejected(1);
  b.ClearLog();
  ASSERT_TRUE(store->Commit(b, true).ok());
  EXPECT_TRUE(Log(*store, 1).empty());
  EXPECT_FALSE(store->SnapshotAtOrBefore(100)->has_value());
  EXPECT_TRUE(store->LoadOutbox()->empty());
  EXPECT_TRUE(store->LoadRejected()->empty());
}

}  // namespace
}  // namespace goalsync::client
