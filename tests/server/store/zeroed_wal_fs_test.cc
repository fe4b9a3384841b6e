#include "server/store/zeroed_wal_fs.h"

#include <filesystem>
#include <future>

#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "server/log/event_log.h"
#include "server/store/log_store.h"
#include "tests/support/requests.h"
#include "tests/support/temp_dir.h"

namespace goalsync::server {
namespace {

namespace fs = std::filesystem;
using goalsync::testing::TempDir;

constexpr uint64_t kSpareBytes = 1 << 20;

void Append(EventLog& log, const std::string& id) {
  const v1::AppendRequest req = goalsync::testing::GoalCreations("acme", {id});
  std::promise<absl::Status> done;
  log.Append(req, [&](absl::StatusOr<v1::AppendResponse> r) { done.set_value(r.status()); });
  ASSERT_TRUE(done.get_future().get().ok());
}

// The sizes of the WAL files (NNNNNN.log) in `dir`.
std::vector<uintmax_t> WalSizes(const std::string& dir) {
  std::vector<uintmax_t> sizes;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".log") sizes.push_back(entry.file_size());
  }
  return sizes;
}

TEST(ZeroedWalFileSystemTest, ANewWalStartsAsTheZeroedSpareAndACrashCopyRecoversEveryEvent) {
  TempDir dir;
  auto zeroed = std::make_shared<ZeroedWalFileSystem>(rocksdb::FileSystem::Default(), dir.path(),
                                                      kSpareBytes);
  ASSERT_TRUE(zeroed->WaitForSpare(absl::Seconds(30))) << "the spare is made in the background";
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(zeroed);
  TempDir crash;
  {
    auto store = std::move(LogStore::Open({.dir = dir.path(), .env = env.get(),
                                           .zeroed_wal_bytes = 0})).value();
    EXPECT_EQ(zeroed->reused(), 1u) << "the store's first WAL took the spare";
    EXPECT_TRUE(zeroed->WaitForSpare(absl::Seconds(30))) << "the next spare is made";
    std::vector<uintmax_t> wal = WalSizes(dir.path());
    ASSERT_EQ(wal.size(), 1u);
    EXPECT_EQ(wal[0], kSpareBytes) << "synced appends overwrite zeros: the file does not grow";
    EventLog log(*store, {});
    for (int i = 0; i < 50; ++i) Append(log, "g" + std::to_string(i));
    EXPECT_EQ(WalSizes(dir.path())[0], kSpareBytes);
    // What the disk holds now, as a machine crash would leave it: the synced records, then
    // zeros, no clean close.
    fs::copy(dir.path(), crash.path(), fs::copy_options::recursive |
                                           fs::copy_options::overwrite_existing);
    log.Stop();
  }
  fs::remove(crash.path() + "/LOCK");
  auto recovered = std::move(LogStore::Open({.dir = crash.path(), .zeroed_wal_bytes = 0})).value();
  absl::StatusOr<WorkspaceRecord> acme = recovered->FindWorkspace("acme");
  ASSERT_TRUE(acme.ok()) << acme.status();
  EXPECT_EQ(acme->head_seq, 50u);
  std::vector<v1::Event> events;
  ASSERT_TRUE(recovered->ReadEvents(acme->id, 1, 50, 100, &events).ok());
  ASSERT_EQ(events.size(), 50u);
  EXPECT_EQ(events.back().seq(), 50u);
}

}  // namespace
}  // namespace goalsync::server
