// End-to-end: a real goalsyncd process on a free loopback port and a temp data dir, driven
// over real gRPC.
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "core/hash_chain.h"
#include "gmock/gmock.h"
#include "goalsync/log_client.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/support/goalsyncd_process.h"
#include "tests/support/run_command.h"
#include "tests/support/requests.h"
#include "tests/support/temp_dir.h"

namespace goalsync {
namespace {

using ::testing::HasSubstr;
using client::LogClient;
using goalsync::testing::GoalsyncdProcess;
using goalsync::testing::TempDir;
using v1::AppendRequest;
using v1::Event;

AppendRequest Request(const std::string& ws, const std::vector<std::string>& ids,
                      size_t statement_bytes = 0) {
  return goalsync::testing::GoalCreations(ws, ids, statement_bytes);
}

std::vector<Event> ReadAll(LogClient& client, const std::string& ws) {
  std::vector<Event> events;
  absl::Status s = client.Read(ws, 1, 0, [&](const Event& e) {
    events.push_back(e);
    return absl::OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  return events;
}

absl::Status VerifyChain(const std::vector<Event>& events) {
  core::ChainVerifier v;
  for (const Event& e : events) {
    if (absl::Status s = v.Next(e); !s.ok()) return s;
  }
  return absl::OkStatus();
}

class GoalsyncdTest : public ::testing::Test {
 protected:
  void StartServer(std::vector<std::string> args = {}) {
    server_ = std::make_unique<GoalsyncdProcess>(dir_.Sub("data"), std::move(args));
    ASSERT_TRUE(server_->Start().ok());
    client_ = std::make_unique<LogClient>(server_->address());
  }
  void SetUp() override { StartServer(); }
  void TearDown() override {
    if (::testing::Test::HasFailure() && server_) std::cerr << server_->Log();
  }

  TempDir dir_;
  std::unique_ptr<GoalsyncdProcess> server_;
  std::unique_ptr<LogClient> client_;
};

TEST_F(GoalsyncdTest, SixteenConcurrentAppendersGetGapFreeDuplicateFreeSeqs) {
  constexpr int kWriters = 16, kEach = 50;
  std::vector<std::thread> writers;
  std::mutex mu;
  std::vector<uint64_t> seqs;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      LogClient client(server_->address());  // one channel per writer
      for (int i = 0; i < kEach; ++i) {
        auto r = client.Append(Request("acme", {absl::StrCat("w", w, "-", i)}));
        ASSERT_TRUE(r.ok()) << r.status();
        std::lock_guard<std::mutex> lock(mu);
        seqs.push_back(r->results(0).seq());
      }
    });
  }
  for (auto& t : writers) t.join();
  std::sort(seqs.begin(), seqs.end());
  ASSERT_EQ(seqs.size(), size_t{kWriters * kEach});
  for (size_t i = 0; i < seqs.size(); ++i) ASSERT_EQ(seqs[i], i + 1) << "gap or duplicate";
  std::vector<Event> events = ReadAll(*client_, "acme");
  EXPECT_EQ(events.size(), seqs.size());
  EXPECT_TRUE(VerifyChain(events).ok());
}

TEST_F(GoalsyncdTest, ASubscriberStartedMidStreamSeesEveryEventOnceInOrder) {
  constexpr int kTotal = 3000;
  std::atomic<int> appended{0};
  std::thread writer([&] {
    LogClient client(server_->address());
    for (int i = 0; i < kTotal; i += 10) {
      std::vector<std::string> ids;
      for (int j = i; j < i + 10; ++j) ids.push_back("e" + std::to_string(j));
      ASSERT_TRUE(client.Append(Request("acme", ids)).ok());
      appended += 10;
    }
  });
  // Start once the log is well under way, so the catch-up/live switch happens mid-stream.
  for (int i = 0; i < 2000 && appended < kTotal / 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::vector<uint64_t> seen;
  int caught_up = 0;
  absl::Status s = client_->Subscribe("acme", 1, [&](const v1::SubscribeResponse& msg) {
    caught_up += msg.caught_up();
    for (const Event& e : msg.events()) seen.push_back(e.seq());
    return seen.size() < size_t{kTotal};
  });
  writer.join();
  ASSERT_TRUE(s.ok()) << s;
  ASSERT_EQ(seen.size(), size_t{kTotal});
  for (size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], i + 1);
  EXPECT_LE(caught_up, 1);
}

TEST_F(GoalsyncdTest, ASubscriberOfAnEmptyWorkspaceGetsCaughtUpThenLiveEvents) {
  std::vector<uint64_t> seen;
  bool caught_up = false;
  std::thread subscriber([&] {
    ASSERT_TRUE(client_
                    ->Subscribe("fresh", 0,
                                [&](const v1::SubscribeResponse& msg) {
                                  caught_up |= msg.caught_up();
                                  for (const Event& e : msg.events()) seen.push_back(e.seq());
                                  return seen.size() < 3;
                                })
                    .ok());
  });
  // The subscription may start before or after these appends; either way it sees all three.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client_->Append(Request("fresh", {std::to_string(i)})).ok());
  subscriber.join();
  EXPECT_THAT(seen, ::testing::ElementsAre(1, 2, 3));
  EXPECT_TRUE(caught_up);
}

TEST_F(GoalsyncdTest, KillDashNineAfterAcksLosesNothingAndTheChainVerifies) {
  std::mutex mu;
  std::vector<std::pair<std::string, uint64_t>> acked;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      LogClient client(server_->address());
      for (int i = 0; i < 100000 && !stop; ++i) {
        const std::string id = absl::StrCat("w", w, "-", i);
        auto r = client.Append(Request("acme", {id}), absl::Seconds(5));
        if (!r.ok()) return;  // the server is gone
        std::lock_guard<std::mutex> lock(mu);
        acked.emplace_back(id, r->results(0).seq());
      }
    });
  }
  for (int i = 0; i < 5000; ++i) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (acked.size() >= 500) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  server_->Kill();  // appends are in flight right now
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_GE(acked.size(), 500u);

  StartServer();
  std::vector<Event> events = ReadAll(*client_, "acme");
  std::map<std::string, uint64_t> stored;
  for (const Event& e : events) stored[e.event_id()] = e.seq();
  for (const auto& [id, seq] : acked) {
    auto it = stored.find(id);
    ASSERT_NE(it, stored.end()) << "acked event " << id << " lost";
    EXPECT_EQ(it->second, seq);
  }
  EXPECT_TRUE(VerifyChain(events).ok());
  EXPECT_EQ(client_->Head("acme")->seq(), events.size());
  // And the log goes on from where it was.
  auto next = client_->Append(Request("acme", {"after-restart"}));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->results(0).seq(), events.size() + 1);
}

TEST_F(GoalsyncdTest, BadInputGetsItsDocumentedCodeAndWritesNothing) {
  auto code_of = [&](const AppendRequest& r) { return client_->Append(r).status().code(); };
  using absl::StatusCode;
  EXPECT_EQ(code_of(Request("", {"a"})), StatusCode::kInvalidArgument);
  EXPECT_EQ(code_of(Request("bad name!", {"a"})), StatusCode::kInvalidArgument);
  AppendRequest no_id = Request("acme", {"a"});
  no_id.mutable_events(0)->clear_event_id();
  EXPECT_EQ(code_of(no_id), StatusCode::kInvalidArgument);
  AppendRequest empty_payload = Request("acme", {"a"});
  empty_payload.mutable_events(0)->mutable_payload()->Clear();
  EXPECT_EQ(code_of(empty_payload), StatusCode::kInvalidArgument);
  AppendRequest mixed = Request("acme", {"a", "b", "c"});
  mixed.mutable_events(2)->set_seq(99);
  absl::Status mixed_status = client_->Append(mixed).status();
  EXPECT_EQ(mixed_status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(mixed_status.message()), HasSubstr("events[2]"));
  // Over --max-request-bytes (4 MiB by default).
  EXPECT_EQ(code_of(Request("acme", {"big"}, 5 << 20)), StatusCode::kResourceExhausted);
  AppendRequest stale = Request("acme", {"a"});
  stale.set_expected_seq(7);
  EXPECT_EQ(code_of(stale), StatusCode::kAborted);

  EXPECT_EQ(client_->Head("acme")->seq(), 0u) << "nothing was written";
  auto read_bad = client_->Read("no/slash", 1, 0, [](const Event&) { return absl::OkStatus(); });
  EXPECT_EQ(read_bad.code(), StatusCode::kInvalidArgument);
  auto sub_bad = client_->Subscribe("", 1, [](const v1::SubscribeResponse&) { return true; });
  EXPECT_EQ(sub_bad.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(client_->Head("").status().code(), StatusCode::kInvalidArgument);
  auto sub_future = client_->Subscribe("acme", 5, [](const v1::SubscribeResponse&) { return true; });
  EXPECT_EQ(sub_future.code(), StatusCode::kOutOfRange) << sub_future;
  // The server is still up and writes the first good event at seq 1.
  EXPECT_EQ(client_->Append(Request("acme", {"a"}))->results(0).seq(), 1u);
}

TEST_F(GoalsyncdTest, AppendStreamAcksEveryRequestInOrderWithManyInFlight) {
  grpc::ClientContext ctx;
  auto stream = client_->stub().AppendStream(&ctx);
  constexpr int kRequests = 500;
  for (int i = 0; i < kRequests; ++i) {
    v1::AppendStreamRequest req;
    req.set_request_id(1000 + i);
    *req.mutable_append() = Request("acme", {"s" + std::to_string(i)});
    if (i == 250) req.mutable_append()->mutable_events(0)->clear_payload();  // refused alone
    ASSERT_TRUE(stream->Write(req));
  }
  stream->WritesDone();
  std::vector<v1::AppendAck> acks;
  v1::AppendStreamResponse resp;
  while (stream->Read(&resp)) {
    for (const auto& a : resp.acks()) acks.push_back(a);
  }
  ASSERT_TRUE(stream->Finish().ok());
  ASSERT_EQ(acks.size(), size_t{kRequests});
  uint64_t want_seq = 1;
  for (int i = 0; i < kRequests; ++i) {
    EXPECT_EQ(acks[i].request_id(), uint64_t(1000 + i));
    if (i == 250) {
      EXPECT_EQ(acks[i].error().code(), int(grpc::StatusCode::INVALID_ARGUMENT));
      continue;
    }
    ASSERT_TRUE(acks[i].has_ok()) << acks[i].error().message();
    EXPECT_EQ(acks[i].ok().results(0).seq(), want_seq++);
  }
  EXPECT_EQ(client_->Head("acme")->seq(), uint64_t{kRequests - 1});
}

TEST_F(GoalsyncdTest, HealthAndReflectionServicesAnswer) {
  auto channel = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext hctx;
  grpc::health::v1::HealthCheckResponse hresp;
  ASSERT_TRUE(health->Check(&hctx, {}, &hresp).ok());
  EXPECT_EQ(hresp.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  auto reflection = grpc::reflection::v1alpha::ServerReflection::NewStub(channel);
  grpc::ClientContext rctx;
  auto stream = reflection->ServerReflectionInfo(&rctx);
  grpc::reflection::v1alpha::ServerReflectionRequest req;
  req.set_list_services("");
  ASSERT_TRUE(stream->Write(req));
  stream->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse resp;
  std::vector<std::string> services;
  while (stream->Read(&resp)) {
    for (const auto& s : resp.list_services_response().service()) services.push_back(s.name());
  }
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_THAT(services, ::testing::Contains("goalsync.v1.EventLog"));
}

// A subscriber that never reads: its buffer fills, its stream is ended with a resumable
// status, and appends go on at full speed meanwhile.
TEST_F(GoalsyncdTest, ASubscriberThatNeverReadsDoesNotSlowAppends) {
  server_->Stop();
  StartServer({"--subscriber-buffer", "64"});
  auto timed_appends = [&](const std::string& prefix) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 100; ++i) {
      std::vector<std::string> ids;
      for (int j = 0; j < 100; ++j) ids.push_back(absl::StrCat(prefix, i, "-", j));
      auto r = client_->Append(Request("acme", ids, 1000), absl::Seconds(10));
      EXPECT_TRUE(r.ok()) << r.status();
    }
    return std::chrono::steady_clock::now() - start;
  };
  const auto baseline = timed_appends("base");

  // Live subscribers (caught up, at the head) that then stop reading.
  const uint64_t head = client_->Head("acme")->seq();
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>>> stalled;
  for (int i = 0; i < 4; ++i) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    v1::SubscribeRequest req;
    req.set_workspace("acme");
    req.set_from_seq(head + 1);
    stalled.push_back(client_->stub().Subscribe(contexts.back().get(), req));
    v1::SubscribeResponse first;
    ASSERT_TRUE(stalled.back()->Read(&first));
    ASSERT_TRUE(first.caught_up());
  }
  const auto with_stalled = timed_appends("more");
  EXPECT_LT(with_stalled, baseline * 4 + std::chrono::seconds(2))
      << "baseline " << std::chrono::duration<double>(baseline).count() << " s";

  // Reading now: consecutive events, then the end with a seq to resume from.
  v1::SubscribeResponse msg;
  uint64_t last = head;
  while (stalled[0]->Read(&msg)) {
    for (const Event& e : msg.events()) {
      ASSERT_EQ(e.seq(), last + 1);
      last = e.seq();
    }
  }
  grpc::Status end = stalled[0]->Finish();
  EXPECT_EQ(end.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << end.error_message();
  EXPECT_THAT(end.error_message(), HasSubstr(absl::StrCat("resume from_seq=", last + 1)));
  EXPECT_LT(last, 20000u) << "the stream ended before the last append";
  for (auto& c : contexts) c->TryCancel();
  for (size_t i = 1; i < stalled.size(); ++i) stalled[i]->Finish();
}

TEST_F(GoalsyncdTest, SigtermEndsSubscribersResumablyAndExitsCleanly) {
  ASSERT_TRUE(client_->Append(Request("acme", {"a"})).ok());
  absl::Status sub_end;
  uint64_t last = 0;
  std::atomic<bool> live{false};
  std::thread subscriber([&] {
    sub_end = client_->Subscribe("acme", 1, [&](const v1::SubscribeResponse& msg) {
      for (const Event& e : msg.events()) last = e.seq();
      if (msg.caught_up()) live = true;
      return true;
    });
  });
  for (int i = 0; i < 5000 && !live; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  ASSERT_TRUE(live);
  EXPECT_EQ(server_->Stop(), 0);
  subscriber.join();
  EXPECT_EQ(sub_end.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(sub_end.message()), HasSubstr("resume from_seq=2"));
  EXPECT_THAT(server_->Log(), HasSubstr("closed cleanly"));
  StartServer();
  EXPECT_EQ(client_->Head("acme")->seq(), 1u);
}

}  // namespace
}  // namespace goalsync

namespace goalsync {
namespace {

using goalsync::testing::RunCommand;

TEST_F(GoalsyncdTest, OfflineVerifyChecksEveryWorkspaceOfAStoppedServer) {
  ASSERT_TRUE(client_->Append(Request("acme", {"a", "b", "c"})).ok());
  ASSERT_TRUE(client_->Append(Request("globex", {"a"})).ok());
  ASSERT_EQ(server_->Stop(), 0);
  auto [code, out] = RunCommand(std::string(GOALSYNCD_PATH) + " verify --data-dir " +
                                dir_.Sub("data"));
  EXPECT_EQ(code, 0) << out;
  EXPECT_THAT(out, HasSubstr("acme: chain OK, 3 events"));
  EXPECT_THAT(out, HasSubstr("globex: chain OK, 1 events"));
  auto [missing_code, missing_out] =
      RunCommand(std::string(GOALSYNCD_PATH) + " verify --data-dir " + dir_.Sub("nope"));
  EXPECT_EQ(missing_code, 1) << missing_out;
}

}  // namespace
}  // namespace goalsync
