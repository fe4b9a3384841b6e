#include "server/store/log_store.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/store/keys.h"
#include "tests/support/raw_store.h"
#include "tests/support/temp_dir.h"

namespace goalsync::server {
namespace {

using ::testing::HasSubstr;
using goalsync::testing::TempDir;

std::unique_ptr<LogStore> OpenOrDie(const std::string& dir) {
  absl::StatusOr<std::unique_ptr<LogStore>> store = LogStore::Open({.dir = dir});
  EXPECT_TRUE(store.ok()) << store.status();
  return std::move(*store);
}

void WriteEvents(LogStore& store, uint32_t ws, uint64_t first, uint64_t last) {
  CommitBatch batch(store);
  for (uint64_t seq = first; seq <= last; ++seq) {
    goalsync::v1::Event e;
    e.set_seq(seq);
    e.set_event_id("e" + std::to_string(seq));
    batch.AddEvent(ws, seq, e.event_id(), seq % 2 ? "odd" : "even", e.SerializeAsString());
  }
  batch.SetHead(ws, last, std::string(32, 'h'));
  ASSERT_TRUE(store.Commit(batch).ok());
}

TEST(LogStoreTest, UnknownWorkspaceIsNotFound) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  EXPECT_EQ(store->FindWorkspace("acme").status().code(), absl::StatusCode::kNotFound);
}

TEST(LogStoreTest, WorkspaceHeadAndEventsSurviveReopen) {
  TempDir dir;
  {
    auto store = OpenOrDie(dir.path());
    const uint32_t id = store->AllocateWorkspaceId();
    CommitBatch batch(*store);
    batch.RegisterWorkspace("acme", id);
    ASSERT_TRUE(store->Commit(batch).ok());
    WriteEvents(*store, id, 1, 10);
  }
  auto store = OpenOrDie(dir.path());
  absl::StatusOr<WorkspaceRecord> rec = store->FindWorkspace("acme");
  ASSERT_TRUE(rec.ok()) << rec.status();
  EXPECT_EQ(rec->head_seq, 10u);
  EXPECT_EQ(rec->head_hash, std::string(32, 'h'));
  EXPECT_GT(store->AllocateWorkspaceId(), rec->id) << "ids are never handed out twice";

  std::vector<goalsync::v1::Event> events;
  ASSERT_TRUE(store->ReadEvents(rec->id, 3, 7, 100, &events).ok());
  ASSERT_EQ(events.size(), 5u);
  for (size_t i = 0; i < events.size(); ++i) EXPECT_EQ(events[i].seq(), 3 + i);
  events.clear();
  ASSERT_TRUE(store->ReadEvents(rec->id, 3, 10, 2, &events).ok());
  EXPECT_EQ(events.size(), 2u);

  EXPECT_EQ(store->FindEventId(rec->id, "e4").value(), std::optional<uint64_t>(4));
  EXPECT_EQ(store->FindEventId(rec->id, "e44").value(), std::nullopt);
  EXPECT_THAT(store->GoalSeqs(rec->id, "odd").value(), ::testing::ElementsAre(1, 3, 5, 7, 9));
}

TEST(LogStoreTest, WorkspacesDoNotSeeEachOther) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  WriteEvents(*store, 1, 1, 3);
  WriteEvents(*store, 2, 1, 5);
  std::vector<goalsync::v1::Event> events;
  ASSERT_TRUE(store->ReadEvents(1, 1, ~0ull, 100, &events).ok());
  EXPECT_EQ(events.size(), 3u);
  EXPECT_EQ(store->FindEventId(1, "e5").value(), std::nullopt);
}

TEST(LogStoreTest, ASecondOpenOfTheSameDirIsRefused) {
  TempDir dir;
  auto store = OpenOrDie(dir.path());
  absl::StatusOr<std::unique_ptr<LogStore>> second = LogStore::Open({.dir = dir.path()});
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("in use"));
}

TEST(LogStoreTest, ADataDirFromANewerServerIsRefused) {
  TempDir dir;
  { auto store = OpenOrDie(dir.path()); }
  {
    // Simulate a newer goalsyncd: bump the stored format version behind our back.
    goalsync::testing::RawStore raw(dir.path());
    std::string v;
    keys::PutBigEndian32(&v, kStoreFormatVersion + 1);
    raw.Put(goalsync::testing::RawStore::kMeta, "F", v);
  }
  absl::StatusOr<std::unique_ptr<LogStore>> store = LogStore::Open({.dir = dir.path()});
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(store.status().message()), HasSubstr("newer goalsyncd"));
}

}  // namespace
}  // namespace goalsync::server
