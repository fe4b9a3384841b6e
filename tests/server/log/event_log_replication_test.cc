// EventLog's contract with a Replicator (server/log/replicator.h), on real RocksDB with a fake
// replica group: a sealed group is shipped before it is written here, published and acked
// only once Replicate says enough members hold it, in log order, while the writer writes the
// next group; a failed replication or local write stops the log.
#include <deque>
#include <future>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "server/log/event_log.h"
#include "tests/server/ops/fault_fs.h"
#include "tests/support/requests.h"
#include "tests/support/temp_dir.h"

namespace goalsync::server {
namespace {

using goalsync::testing::GoalCreations;
using goalsync::testing::TempDir;

// Records what the EventLog hands it; each Replicate waits until the test answers it.
class FakeGroup : public Replicator {
 public:
  explicit FakeGroup(LogStore* store) : store_(store) {}

  absl::Status Admit() override { return absl::OkStatus(); }
  void Ship(std::vector<Run> runs) override {
    // The store must not have the group yet: it is shipped before it is written.
    for (const Run& r : runs) {
      absl::StatusOr<WorkspaceRecord> rec = store_->FindWorkspace(r.workspace);
      const uint64_t stored = rec.ok() ? rec->head_seq : 0;
      EXPECT_LT(stored, r.events.front()->seq()) << "shipped after the local write";
    }
    absl::MutexLock lock(&mu_);
    shipped_.push_back(runs.front().events.back()->seq());
  }
  absl::Status Replicate(const std::vector<Head>& heads) override {
    absl::MutexLock lock(&mu_);
    asked_.push_back(heads.front().seq);
    auto answered = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !answers_.empty(); };
    mu_.Await(absl::Condition(&answered));
    absl::Status s = answers_.front();
    answers_.pop_front();
    return s;
  }
  void WriteFailed(const absl::Status& error) override {
    absl::MutexLock lock(&mu_);
    write_failed_ = error;
  }

  void Answer(absl::Status s) {
    absl::MutexLock lock(&mu_);
    answers_.push_back(std::move(s));
  }
  // Waits until Replicate was asked about `n` groups; their heads.
  std::vector<uint64_t> AwaitAsked(size_t n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return asked_.size() >= n; };
    mu_.Await(absl::Condition(&enough));
    return asked_;
  }
  std::vector<uint64_t> Shipped() {
    absl::MutexLock lock(&mu_);
    return shipped_;
  }
  absl::Status WriteFailure() {
    absl::MutexLock lock(&mu_);
    return write_failed_;
  }

 private:
  LogStore* const store_;
  absl::Mutex mu_;
  std::vector<uint64_t> shipped_ ABSL_GUARDED_BY(mu_);  // each group's last seq
  std::vector<uint64_t> asked_ ABSL_GUARDED_BY(mu_);
  std::deque<absl::Status> answers_ ABSL_GUARDED_BY(mu_);
  absl::Status write_failed_ ABSL_GUARDED_BY(mu_);
};

// Hears of each local write; a test may wait for the n-th.
class WriteCounter : public LogObserver {
 public:
  absl::Status Admit() override { return absl::OkStatus(); }
  void OnGroupWritten(absl::Duration, size_t events, const absl::Status& s) override {
    absl::MutexLock lock(&mu_);
    if (s.ok() && events > 0) ++written_;
  }
  void OnGroupStaged(absl::Duration, size_t) override {}
  void OnAppendDone(absl::string_view, absl::Duration,
                    const absl::StatusOr<goalsync::v1::AppendResponse>&) override {}
  void OnSubscriberStarted() override {}
  void OnSubscriberEnded() override {}
  void OnSubscriberLag(size_t) override {}
  void AwaitWritten(int n) {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return written_ >= n; };
    mu_.Await(absl::Condition(&enough));
  }

 private:
  absl::Mutex mu_;
  int written_ ABSL_GUARDED_BY(mu_) = 0;
};

// One append in flight: its outcome, once acked.
struct InFlight {
  goalsync::v1::AppendRequest request;
  std::promise<absl::StatusOr<goalsync::v1::AppendResponse>> done;
  std::future<absl::StatusOr<goalsync::v1::AppendResponse>> result = done.get_future();
};

class EventLogReplicationTest : public ::testing::Test {
 protected:
  void Open(bool faulty = false) {
    store_ = std::move(LogStore::Open({.dir = dir_.path(), .env = faulty ? env_.get() : nullptr}))
                 .value();
    group_ = std::make_unique<FakeGroup>(store_.get());
    log_ = std::make_unique<EventLog>(
        *store_, EventLogOptions{.observer = &writes_, .replicator = group_.get()});
  }
  void TearDown() override {
    if (group_ != nullptr) {
      for (int i = 0; i < 8; ++i) group_->Answer(absl::OkStatus());  // let Stop() finish
    }
    log_.reset();
  }
  // Sends an append of goal `id`; the result arrives in the returned InFlight.
  std::unique_ptr<InFlight> Send(const std::string& id) {
    auto a = std::make_unique<InFlight>();
    a->request = GoalCreations("w", {id});
    InFlight* raw = a.get();
    log_->Append(a->request, [raw](absl::StatusOr<goalsync::v1::AppendResponse> r) {
      raw->done.set_value(std::move(r));
    });
    return a;
  }
  static bool Acked(InFlight& a) {
    return a.result.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  }

  TempDir dir_;
  WriteCounter writes_;
  std::shared_ptr<goalsync::testing::FaultFs> fs_ = std::make_shared<goalsync::testing::FaultFs>();
  std::unique_ptr<rocksdb::Env> env_ = rocksdb::NewCompositeEnv(fs_);
  std::unique_ptr<LogStore> store_;
  std::unique_ptr<FakeGroup> group_;
  std::unique_ptr<EventLog> log_;
};

TEST_F(EventLogReplicationTest, AGroupIsShippedBeforeItIsWrittenAndAckedOnlyOnceReplicated) {
  Open();
  std::unique_ptr<InFlight> a = Send("a");
  EXPECT_EQ(group_->AwaitAsked(1), std::vector<uint64_t>{1});  // written here: it asks
  EXPECT_EQ(group_->Shipped(), std::vector<uint64_t>{1});
  // Durable here, but not yet on enough members: neither acked nor visible.
  EXPECT_EQ(store_->FindWorkspace("w")->head_seq, 1u);
  EXPECT_FALSE(Acked(*a));
  EXPECT_EQ(log_->Head("w")->seq(), 0u);
  group_->Answer(absl::OkStatus());
  absl::StatusOr<goalsync::v1::AppendResponse> r = a->result.get();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->first_seq(), 1u);
  EXPECT_EQ(log_->Head("w")->seq(), 1u);
}

TEST_F(EventLogReplicationTest, TheNextGroupIsWrittenWhileOneWaitsAndAcksGoOutInOrder) {
  Open();
  std::unique_ptr<InFlight> a = Send("a");
  group_->AwaitAsked(1);
  std::unique_ptr<InFlight> b = Send("b");
  writes_.AwaitWritten(2);  // b is written here while a still waits for copies
  EXPECT_EQ(group_->Shipped(), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(store_->FindWorkspace("w")->head_seq, 2u);
  EXPECT_EQ(group_->AwaitAsked(1).size(), 1u);  // b is asked about only after a
  EXPECT_FALSE(Acked(*a));
  EXPECT_FALSE(Acked(*b));
  group_->Answer(absl::OkStatus());
  EXPECT_EQ(group_->AwaitAsked(2), (std::vector<uint64_t>{1, 2}));
  ASSERT_TRUE(a->result.get().ok());
  EXPECT_FALSE(Acked(*b));
  EXPECT_EQ(log_->Head("w")->seq(), 1u);  // published up to a only
  group_->Answer(absl::OkStatus());
  ASSERT_TRUE(b->result.get().ok());
  EXPECT_EQ(log_->Head("w")->seq(), 2u);
}

TEST_F(EventLogReplicationTest, AFailedReplicationFailsItsGroupAndEveryLaterOne) {
  Open();
  std::unique_ptr<InFlight> a = Send("a");
  group_->AwaitAsked(1);
  std::unique_ptr<InFlight> b = Send("b");
  writes_.AwaitWritten(2);
  group_->Answer(absl::UnavailableError("lost its leadership"));
  absl::StatusOr<goalsync::v1::AppendResponse> ra = a->result.get();
  absl::StatusOr<goalsync::v1::AppendResponse> rb = b->result.get();
  EXPECT_TRUE(absl::IsUnavailable(ra.status())) << ra.status();
  EXPECT_TRUE(absl::IsUnavailable(rb.status())) << rb.status();
  EXPECT_EQ(group_->AwaitAsked(1).size(), 1u);  // b was not asked about: the log stopped
  EXPECT_EQ(log_->Head("w")->seq(), 0u);        // nothing published
  std::unique_ptr<InFlight> c = Send("c");
  EXPECT_TRUE(absl::IsUnavailable(c->result.get().status()));
  // A plan read does not hang on events that will never be committed.
  size_t goals = 99;
  ASSERT_TRUE(log_->ReadCommittedPlan(*log_->GetWorkspace("w").value(),
      [&](const goalsync::v1::PlanState& p) { goals = p.goals_size(); }).ok());
  EXPECT_EQ(goals, 0u);
}

TEST_F(EventLogReplicationTest, AFailedLocalWriteIsReportedAndNeverAcked) {
  Open(/*faulty=*/true);
  std::unique_ptr<InFlight> a = Send("a");
  group_->AwaitAsked(1);
  group_->Answer(absl::OkStatus());
  ASSERT_TRUE(a->result.get().ok());
  fs_->Arm(goalsync::testing::FaultFs::kSyncFails);
  std::unique_ptr<InFlight> b = Send("b");
  absl::StatusOr<goalsync::v1::AppendResponse> rb = b->result.get();
  EXPECT_TRUE(absl::IsUnavailable(rb.status())) << rb.status();
  EXPECT_EQ(group_->Shipped(), (std::vector<uint64_t>{1, 2}));  // the others may hold it
  EXPECT_FALSE(group_->WriteFailure().ok());
  EXPECT_EQ(group_->AwaitAsked(1).size(), 1u);  // never counted as replicated
  EXPECT_EQ(log_->Head("w")->seq(), 1u);
  fs_->Arm(goalsync::testing::FaultFs::kNone);
  std::unique_ptr<InFlight> c = Send("c");  // the log stays stopped
  EXPECT_TRUE(absl::IsUnavailable(c->result.get().status()));
  EXPECT_EQ(group_->Shipped().size(), 2u);  // nothing shipped after the failure
}

}  // namespace
}  // namespace goalsync::server
