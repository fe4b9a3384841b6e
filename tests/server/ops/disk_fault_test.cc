// Disk faults, with a fault-injecting RocksDB FileSystem under a real in-process server
// (real RocksDB, real gRPC): a failed fsync stops appends while reads go on, and says so in
// health, metrics and the log; a restart recovers with nothing acknowledged lost. A disk
// below the free-space reserve refuses appends cleanly and takes them again once space is
// free; a write that meets a full disk anyway is a clean refusal, not a crash.
#include <memory>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "goalsync/log_client.h"
#include "gtest/gtest.h"
#include "server/server.h"
#include "server/store/store_verifier.h"
#include "spdlog/sinks/ringbuffer_sink.h"
#include "spdlog/spdlog.h"
#include "tests/server/ops/fault_fs.h"
#include "tests/server/ops/ops_test_util.h"
#include "tests/support/requests.h"
#include "tests/support/temp_dir.h"

namespace goalsync::server {
namespace {

using ::testing::HasSubstr;
using testing::FaultFs;
using testing::HttpGet;
using testing::Sample;

class DiskFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256);
    spdlog::default_logger()->sinks().push_back(log_);
  }
  void TearDown() override {
    server_.reset();
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), log_), sinks.end());
  }

  // Starts a server on the data dir, through the fault file system if `faulty`.
  void Start(bool faulty, uint64_t min_free_bytes) {
    ServerOptions o;
    o.listen = "127.0.0.1:0";
    o.insecure_no_auth = true;
    o.store.dir = dir_.Sub("data");
    o.store.env = faulty ? env_.get() : nullptr;
    o.metrics_listen = "127.0.0.1:0";
    o.disk.min_free_bytes = min_free_bytes;
    o.disk.recheck = absl::ZeroDuration();  // every append asks: no waiting in the test
    absl::StatusOr<std::unique_ptr<Server>> s = Server::Start(o);
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(*s);
    client_ = std::make_unique<client::LogClient>(absl::StrCat("127.0.0.1:", server_->port()));
  }

  absl::Status Append(const std::string& id) {
    return client_->Append(testing::GoalCreations("acme", {id})).status();
  }

  // Every event of acme, by seq.
  std::vector<goalsync::v1::Event> ReadAll() {
    std::vector<goalsync::v1::Event> out;
    EXPECT_TRUE(client_->Read("acme", 1, 0, [&](const goalsync::v1::Event& e) {
      out.push_back(e);
      return absl::OkStatus();
    }).ok());
    return out;
  }

  std::string Logged() {
    std::string all;
    for (const std::string& line : log_->last_formatted()) all += line;
    return all;
  }

  std::string Metrics() { return HttpGet(server_->metrics_port(), "/metrics").body; }

  testing::TempDir dir_;
  std::shared_ptr<FaultFs> fs_ = std::make_shared<FaultFs>();
  std::unique_ptr<rocksdb::Env> env_ = rocksdb::NewCompositeEnv(fs_);
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> log_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<client::LogClient> client_;
};

TEST_F(DiskFaultTest, FailedFsyncStopsAppendsWhileReadsGoOnAndRestartLosesNothing) {
  Start(/*faulty=*/true, /*min_free_bytes=*/0);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Append(absl::StrCat("ok", i)).ok());
  ASSERT_EQ(HttpGet(server_->metrics_port(), "/readyz").status, 200);

  fs_->Arm(FaultFs::kSyncFails);
  absl::Status failed = Append("lost-1");
  EXPECT_TRUE(absl::IsUnavailable(failed)) << failed;
  EXPECT_GE(fs_->injected(), 1);
  fs_->Arm(FaultFs::kNone);  // the disk "works" again, but goalsyncd no longer trusts it
  absl::Status after = Append("lost-2");
  EXPECT_TRUE(absl::IsUnavailable(after)) << after;
  EXPECT_THAT(after.message(), HasSubstr("refuses appends until restarted"));

  // Reads go on.
  EXPECT_EQ(ReadAll().size(), 20u);
  absl::StatusOr<goalsync::v1::HeadResponse> head = client_->Head("acme");
  ASSERT_TRUE(head.ok()) << head.status();
  EXPECT_EQ(head->seq(), 20u);
  // Health, metrics and the log say so.
  testing::HttpReply ready = HttpGet(server_->metrics_port(), "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_THAT(ready.body, HasSubstr("appends stopped after a failed write"));
  EXPECT_EQ(HttpGet(server_->metrics_port(), "/healthz").status, 200);
  EXPECT_FALSE(server_->health().Ready().ok());
  const std::string m = Metrics();
  EXPECT_EQ(Sample(m, "goalsync_appends_stopped"), 1);
  EXPECT_EQ(Sample(m, "goalsync_wal_write_failures_total"), 1);
  EXPECT_EQ(Sample(m, "goalsync_append_refused_total{code=\"UNAVAILABLE\"}"), 2);
  EXPECT_THAT(Logged(), HasSubstr("writing the log failed; refusing appends until restart"));

  // Restart on a sound disk: everything acknowledged is there, the chain holds, and appends
  // are taken again (an event whose fsync failed may or may not be there: it was never
  // acknowledged, and its writer's retry is deduplicated by event_id).
  server_->Shutdown();
  server_.reset();
  Start(/*faulty=*/false, 0);
  std::vector<goalsync::v1::Event> events = ReadAll();
  ASSERT_GE(events.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(events[i].event_id(), absl::StrCat("ok", i));
  ASSERT_TRUE(Append("lost-1").ok());
  ASSERT_TRUE(Append("after-restart").ok());
  EXPECT_EQ(HttpGet(server_->metrics_port(), "/readyz").status, 200);
  const size_t total = ReadAll().size();
  server_->Shutdown();
  server_.reset();
  StoreOptions ro;
  ro.dir = dir_.Sub("data");
  ro.read_only = true;
  absl::StatusOr<std::unique_ptr<LogStore>> store = LogStore::Open(ro);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<std::vector<WorkspaceVerdict>> verdicts = VerifyStore(**store);
  ASSERT_TRUE(verdicts.ok());
  ASSERT_EQ(verdicts->size(), 1u);
  EXPECT_TRUE((*verdicts)[0].status.ok()) << (*verdicts)[0].status;
  EXPECT_EQ((*verdicts)[0].events, total);
}

TEST_F(DiskFaultTest, FullDiskRefusesCleanlyAndAppendsResumeOnceSpaceIsFree) {
  Start(/*faulty=*/true, /*min_free_bytes=*/256ull << 20);
  ASSERT_TRUE(Append("before").ok());
  fs_->SetFreeSpace(10ull << 20);  // 10 MiB left, below the 256 MiB reserve
  absl::Status full = Append("while-full");
  EXPECT_TRUE(absl::IsResourceExhausted(full)) << full;
  EXPECT_THAT(full.message(), HasSubstr("disk full"));
  EXPECT_THAT(full.message(), HasSubstr("--min-free-disk-mb"));
  EXPECT_EQ(ReadAll().size(), 1u);  // reads go on, nothing was written
  testing::HttpReply ready = HttpGet(server_->metrics_port(), "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_THAT(ready.body, HasSubstr("disk full"));
  EXPECT_EQ(Sample(Metrics(), "goalsync_disk_full"), 1);
  EXPECT_THAT(Logged(), HasSubstr("disk full"));

  fs_->SetFreeSpace(10ull << 30);  // space freed: no restart needed
  ASSERT_TRUE(Append("while-full").ok());
  EXPECT_EQ(ReadAll().size(), 2u);
  EXPECT_EQ(HttpGet(server_->metrics_port(), "/readyz").status, 200);
  const std::string m = Metrics();
  EXPECT_EQ(Sample(m, "goalsync_disk_full"), 0);
  EXPECT_EQ(Sample(m, "goalsync_append_refused_total{code=\"RESOURCE_EXHAUSTED\"}"), 1);
  EXPECT_EQ(Sample(m, "goalsync_disk_free_bytes"), static_cast<double>(10ull << 30));
}

TEST_F(DiskFaultTest, NoSpaceDuringAWriteIsACleanRefusalAndRestartRecovers) {
  Start(/*faulty=*/true, /*min_free_bytes=*/0);  // no reserve: the write meets the full disk
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Append(absl::StrCat("ok", i)).ok());
  fs_->Arm(FaultFs::kNoSpace);
  absl::Status s = Append("enospc");
  EXPECT_TRUE(absl::IsUnavailable(s)) << s;
  EXPECT_EQ(ReadAll().size(), 5u);
  fs_->Arm(FaultFs::kNone);
  server_->Shutdown();
  server_.reset();
  Start(/*faulty=*/false, 0);
  std::vector<goalsync::v1::Event> events = ReadAll();
  ASSERT_GE(events.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(events[i].event_id(), absl::StrCat("ok", i));
  EXPECT_TRUE(Append("enospc").ok());
}

}  // namespace
}  // namespace goalsync::server
