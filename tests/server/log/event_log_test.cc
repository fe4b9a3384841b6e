#include "server/log/event_log.h"

#include <future>
#include <set>
#include <thread>

#include "core/envelope.h"
#include "core/hash_chain.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/requests.h"
#include "tests/support/temp_dir.h"

namespace goalsync::server {
namespace {

using ::testing::HasSubstr;
using goalsync::testing::TempDir;
using goalsync::v1::AppendRequest;
using goalsync::v1::AppendResponse;
using goalsync::v1::Event;

AppendRequest Request(const std::string& ws, std::vector<std::string> ids,
                      std::optional<uint64_t> expected_seq = std::nullopt) {
  AppendRequest req = goalsync::testing::GoalCreations(ws, ids);
  if (expected_seq) req.set_expected_seq(*expected_seq);
  return req;
}

absl::StatusOr<AppendResponse> AppendNow(EventLog& log, const AppendRequest& req) {
  std::promise<absl::StatusOr<AppendResponse>> done;
  log.Append(req, [&done](absl::StatusOr<AppendResponse> r) { done.set_value(std::move(r)); });
  return done.get_future().get();
}

class EventLogTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    log_.reset();
    store_.reset();
    store_ = std::move(LogStore::Open({.dir = dir_.path()})).value();
    log_ = std::make_unique<EventLog>(*store_, EventLogOptions{.max_batch_events = 100});
  }
  std::vector<Event> ReadAll(const std::string& ws) {
    std::vector<Event> events;
    EXPECT_TRUE(log_->ReadCommitted(*log_->GetWorkspace(ws).value(), 1, 1 << 20, &events).ok());
    return events;
  }

  TempDir dir_;
  std::unique_ptr<LogStore> store_;
  std::unique_ptr<EventLog> log_;
};

TEST_F(EventLogTest, AppendsGetConsecutiveSeqsAndReadBackInOrder) {
  auto r1 = AppendNow(*log_, Request("acme", {"a", "b", "c"}));
  ASSERT_TRUE(r1.ok()) << r1.status();
  EXPECT_EQ(r1->first_seq(), 1u);
  EXPECT_EQ(r1->last_seq(), 3u);
  EXPECT_EQ(r1->head_seq(), 3u);
  auto r2 = AppendNow(*log_, Request("acme", {"d"}));
  EXPECT_EQ(r2->results(0).seq(), 4u);
  std::vector<Event> events = ReadAll("acme");
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].event_id(), "a");
  EXPECT_EQ(events[3].event_id(), "d");
  EXPECT_EQ(log_->Head("acme")->seq(), 4u);
}

TEST_F(EventLogTest, StampsServerFields) {
  ASSERT_TRUE(AppendNow(*log_, Request("acme", {"a"})).ok());
  AppendRequest req = Request("acme", {"b"});
  req.mutable_events(0)->set_base_seq(0);  // a replica that had seen nothing
  req.mutable_events(0)->mutable_hlc()->set_physical_micros(42);
  ASSERT_TRUE(AppendNow(*log_, req).ok());
  std::vector<Event> events = ReadAll("acme");
  EXPECT_EQ(events[0].workspace(), "acme");
  EXPECT_EQ(events[0].schema_version(), core::kSchemaVersion);
  EXPECT_GT(events[0].server_time().seconds(), 1700000000);
  EXPECT_GT(events[0].hlc().physical_micros(), 0u) << "no hlc: the server's clock";
  EXPECT_EQ(events[0].base_seq(), 0u) << "no base_seq: the head at acceptance";
  EXPECT_EQ(events[1].base_seq(), 0u) << "an explicit base_seq is kept";
  EXPECT_EQ(events[1].hlc().physical_micros(), 42u);
  ASSERT_TRUE(AppendNow(*log_, Request("acme", {"c"})).ok());
  EXPECT_EQ(ReadAll("acme")[2].base_seq(), 2u);
}

TEST_F(EventLogTest, ARepeatedEventIdReturnsItsFirstSeqAndAppendsNothing) {
  ASSERT_TRUE(AppendNow(*log_, Request("acme", {"a", "b"})).ok());
  auto again = AppendNow(*log_, Request("acme", {"b", "c"}));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->results(0).seq(), 2u);
  EXPECT_TRUE(again->results(0).duplicate());
  EXPECT_EQ(again->results(1).seq(), 3u);
  EXPECT_FALSE(again->results(1).duplicate());
  EXPECT_EQ(again->first_seq(), 3u);
  auto only_dups = AppendNow(*log_, Request("acme", {"a"}));
  EXPECT_EQ(only_dups->first_seq(), 0u);
  EXPECT_EQ(only_dups->results(0).seq(), 1u);
  EXPECT_EQ(ReadAll("acme").size(), 3u);
}

TEST_F(EventLogTest, IdempotencySurvivesReopen) {
  ASSERT_TRUE(AppendNow(*log_, Request("acme", {"a", "b"})).ok());
  Open();
  auto again = AppendNow(*log_, Request("acme", {"b"}));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->results(0).duplicate());
  EXPECT_EQ(again->results(0).seq(), 2u);
  EXPECT_EQ(ReadAll("acme").size(), 2u);
}

TEST_F(EventLogTest, EventIdsAreScopedToTheirWorkspace) {
  ASSERT_TRUE(AppendNow(*log_, Request("acme", {"a"})).ok());
  auto other = AppendNow(*log_, Request("globex", {"a"}));
  EXPECT_FALSE(other->results(0).duplicate());
  EXPECT_EQ(other->results(0).seq(), 1u);
}

TEST_F(EventLogTest, ExpectedSeqMismatchIsAbortedAndNamesTheHead) {
  ASSERT_TRUE(AppendNow(*log_, Request("acme", {"a", "b"}, 0)).ok());
  auto stale = AppendNow(*log_, Request("acme", {"c"}, 1));
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(std::string(stale.status().message()), HasSubstr("head of workspace acme is seq 2"));
  EXPECT_TRUE(AppendNow(*log_, Request("acme", {"c"}, 2)).ok());
  EXPECT_EQ(ReadAll("acme").size(), 3u);
}

TEST_F(EventLogTest, ARetryOfACommittedRequestSucceedsWhateverExpectedSeqSays) {
  ASSERT_TRUE(AppendNow(*log_, Request("acme", {"a", "b"}, 0)).ok());
  auto retry = AppendNow(*log_, Request("acme", {"a", "b"}, 0));  // the first ack was lost
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->results(1).seq(), 2u);
}

TEST_F(EventLogTest, ABatchWithOneBadEventWritesNothing) {
  AppendRequest req = Request("acme", {"a", "b", "c"});
  req.mutable_events(1)->clear_payload();
  auto r = AppendNow(*log_, req);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("events[1]"));
  EXPECT_EQ(ReadAll("acme").size(), 0u);
  EXPECT_EQ(AppendNow(*log_, Request("acme", {"a"}))->results(0).seq(), 1u)
      << "the valid events of the refused batch were not recorded as seen";
}

TEST_F(EventLogTest, RefusesMalformedRequests) {
  EXPECT_EQ(AppendNow(*log_, Request("", {"a"})).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(AppendNow(*log_, Request("acme", {})).status().code(),
            absl::StatusCode::kInvalidArgument);
  auto twice = AppendNow(*log_, Request("acme", {"a", "a"}));
  EXPECT_THAT(std::string(twice.status().message()), HasSubstr("appears twice"));
  std::vector<std::string> many(101);
  for (size_t i = 0; i < many.size(); ++i) many[i] = "e" + std::to_string(i);
  auto too_many = AppendNow(*log_, Request("acme", many));
  EXPECT_THAT(std::string(too_many.status().message()), HasSubstr("at most 100"));
  EXPECT_EQ(log_->Head("acme")->seq(), 0u);
}

TEST_F(EventLogTest, TheChainVerifiesAcrossReopenAndHeadMatches) {
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(AppendNow(*log_, Request("acme", {"x" + std::to_string(i)})).ok());
  Open();
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(AppendNow(*log_, Request("acme", {"y" + std::to_string(i)})).ok());
  core::ChainVerifier v;
  for (const Event& e : ReadAll("acme")) ASSERT_TRUE(v.Next(e).ok()) << e.seq();
  EXPECT_EQ(v.last_seq(), 20u);
  EXPECT_EQ(v.last_hash(), log_->Head("acme")->hash());
}

TEST_F(EventLogTest, ConcurrentAppendersGetGapFreeDistinctSeqs) {
  constexpr int kThreads = 8, kPerThread = 200;
  std::vector<std::thread> threads;
  std::vector<std::vector<uint64_t>> seqs(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto r = AppendNow(*log_, Request("acme", {std::to_string(t) + "-" + std::to_string(i)}));
        ASSERT_TRUE(r.ok()) << r.status();
        seqs[t].push_back(r->results(0).seq());
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<uint64_t> all;
  for (const auto& s : seqs) {
    EXPECT_TRUE(std::is_sorted(s.begin(), s.end())) << "one writer's appends keep their order";
    all.insert(s.begin(), s.end());
  }
  EXPECT_EQ(all.size(), size_t{kThreads * kPerThread});
  EXPECT_EQ(*all.begin(), 1u);
  EXPECT_EQ(*all.rbegin(), uint64_t{kThreads * kPerThread});
}

class RecordingSink : public LiveSink {
 public:
  bool Offer(const std::vector<EventPtr>& events, bool* wake) override {
    for (const auto& e : events) seqs.push_back(e->seq());
    return true;
  }
  void Wake() override {}
  void Close(const absl::Status& s) override { closed = s; }
  std::vector<uint64_t> seqs;
  absl::Status closed;
};

TEST_F(EventLogTest, ASinkGoesLiveOnlyWhenCaughtUpAndThenSeesEveryCommit) {
  ASSERT_TRUE(AppendNow(*log_, Request("acme", {"a", "b"})).ok());
  Workspace& ws = *log_->GetWorkspace("acme").value();
  auto sink = std::make_shared<RecordingSink>();
  EXPECT_FALSE(log_->TryGoLive(ws, 2, sink).value()) << "seq 2 is committed: catch up first";
  EXPECT_EQ(log_->TryGoLive(ws, 4, sink).status().code(), absl::StatusCode::kOutOfRange)
      << "seq 3 does not exist yet: a sink must not be handed events before its from_seq";
  EXPECT_TRUE(log_->TryGoLive(ws, 3, sink).value());
  ASSERT_TRUE(AppendNow(*log_, Request("acme", {"c", "d"})).ok());
  ASSERT_TRUE(AppendNow(*log_, Request("acme", {"e"})).ok());
  EXPECT_THAT(sink->seqs, ::testing::ElementsAre(3, 4, 5));
  log_->CloseSubscribers();
  EXPECT_EQ(sink->closed.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(log_->TryGoLive(ws, 6, sink).status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(EventLogTest, ALoneAppendIsWrittenAndAckedOnTheCallersThread) {
  // Nothing queued, staged or being written: the caller's thread does it all, so `done` has
  // run, with the event durable and readable, by the time Append returns.
  std::optional<absl::StatusOr<AppendResponse>> result;
  std::thread::id acked_on;
  const AppendRequest req = Request("acme", {"a"});
  log_->Append(req, [&](absl::StatusOr<AppendResponse> r) {
    acked_on = std::this_thread::get_id();
    result = std::move(r);
  });
  ASSERT_TRUE(result.has_value()) << "acked before Append returned";
  ASSERT_TRUE(result->ok()) << result->status();
  EXPECT_EQ(acked_on, std::this_thread::get_id());
  EXPECT_EQ(log_->Head("acme")->seq(), 1u);
  EXPECT_EQ(ReadAll("acme").size(), 1u);
}

TEST_F(EventLogTest, AnAppendMadeFromAnAckComesAfterIt) {
  // A lone append's callback runs once its caller has given the writer's turn back, so an
  // append made from it finds the log idle too and is written, after the first, before the
  // outer Append returns.
  const AppendRequest first = Request("acme", {"a"});
  const AppendRequest second = Request("acme", {"b"});
  std::optional<absl::StatusOr<AppendResponse>> second_result;
  uint64_t first_seq = 0;
  log_->Append(first, [&](absl::StatusOr<AppendResponse> r) {
    ASSERT_TRUE(r.ok()) << r.status();
    first_seq = r->results(0).seq();
    log_->Append(second, [&](absl::StatusOr<AppendResponse> r2) { second_result = std::move(r2); });
  });
  ASSERT_TRUE(second_result.has_value());
  ASSERT_TRUE(second_result->ok()) << second_result->status();
  EXPECT_EQ(first_seq, 1u);
  EXPECT_EQ((*second_result)->results(0).seq(), 2u);
  EXPECT_EQ(ReadAll("acme").size(), 2u);
}

TEST_F(EventLogTest, AppendsAfterStopAreUnavailable) {
  log_->Stop();
  EXPECT_EQ(AppendNow(*log_, Request("acme", {"a"})).status().code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace goalsync::server
