// The request log (server/ops/request_log.h) under a real gRPC server on loopback, with a Log
// service that refuses every Append as told: a follower's NOT_LEADER redirects are summed up
// (the first of a spell at info, the rest at debug, one count per window), while every other
// refusal keeps its own info line.
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/refusal.h"
#include "goalsync/v1/log.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/ops/request_log.h"
#include "server/service/status_map.h"
#include "spdlog/sinks/base_sink.h"
#include "spdlog/spdlog.h"

namespace goalsync::server {
namespace {

// Every line logged while it is installed, with its level.
class CaptureSink : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  struct Line {
    spdlog::level::level_enum level;
    std::string text;
  };
  std::vector<Line> Lines() {
    absl::MutexLock lock(&mu_);
    return lines_;
  }
  // Waits (bounded) for a line containing `needle`.
  bool WaitFor(const std::string& needle, absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    auto seen = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      for (const Line& l : lines_) {
        if (absl::StrContains(l.text, needle)) return true;
      }
      return false;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&seen), timeout);
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    absl::MutexLock lock(&mu_);
    lines_.push_back({msg.level, std::string(msg.payload.data(), msg.payload.size())});
  }
  void flush_() override {}

 private:
  absl::Mutex mu_;
  std::vector<Line> lines_ ABSL_GUARDED_BY(mu_);
};

// Refuses every Append with `refusal`.
class RefusingLog final : public goalsync::v1::EventLog::Service {
 public:
  explicit RefusingLog(absl::Status refusal) : refusal_(std::move(refusal)) {}
  grpc::Status Append(grpc::ServerContext*, const goalsync::v1::AppendRequest*,
                      goalsync::v1::AppendResponse*) override {
    return ToGrpcStatus(refusal_);
  }

 private:
  const absl::Status refusal_;
};

absl::Status NotLeader() {
  goalsync::v1::Refusal r;
  r.set_reason(goalsync::v1::Refusal::NOT_LEADER);
  r.set_leader_node_id("n2");
  r.set_leader_address("127.0.0.1:7412");
  return core::WithRefusal(absl::UnavailableError("n1 is not the leader; n2 leads"), r);
}

class RequestLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = spdlog::default_logger();
    Capture();
  }
  // Logs from now on go to a new sink_ only.
  void Capture() {
    sink_ = std::make_shared<CaptureSink>();
    auto logger = std::make_shared<spdlog::logger>("request_log_test", sink_);
    logger->set_level(spdlog::level::debug);
    spdlog::set_default_logger(logger);
  }
  void TearDown() override {
    server_.reset();
    spdlog::set_default_logger(previous_);
  }

  void Serve(absl::Status refusal, absl::Duration window) {
    service_ = std::make_unique<RefusingLog>(std::move(refusal));
    grpc::ServerBuilder builder;
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
    creators.push_back(NewRequestLog(nullptr, {.slow = absl::ZeroDuration(),
                                               .redirect_summary = window}));
    builder.experimental().SetInterceptorCreators(std::move(creators));
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = goalsync::v1::EventLog::NewStub(
        grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  }

  grpc::Status Append() {
    grpc::ClientContext ctx;
    goalsync::v1::AppendRequest req;
    req.set_workspace("ws");
    goalsync::v1::AppendResponse resp;
    return stub_->Append(&ctx, req, &resp);
  }

  // Stops the server; the request log goes with it and logs what it still counts.
  void StopServer() {
    server_->Shutdown();
    server_.reset();
  }

  // Request-log lines ("... refused: ...") at `level`.
  int RefusedLines(spdlog::level::level_enum level) {
    int n = 0;
    for (const auto& l : sink_->Lines()) {
      n += l.level == level && absl::StrContains(l.text, "/goalsync.v1.EventLog/Append refused") ? 1 : 0;
    }
    return n;
  }
  std::vector<std::string> Summaries() {
    std::vector<std::string> out;
    for (const auto& l : sink_->Lines()) {
      if (absl::StrContains(l.text, "requests refused NOT_LEADER in the last")) {
        EXPECT_EQ(l.level, spdlog::level::info) << l.text;
        out.push_back(l.text);
      }
    }
    return out;
  }

  std::shared_ptr<CaptureSink> sink_;
  std::shared_ptr<spdlog::logger> previous_;
  std::unique_ptr<RefusingLog> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<goalsync::v1::EventLog::Stub> stub_;
};

TEST_F(RequestLogTest, NotLeaderRefusalsAreCountedNotLoggedOneByOne) {
  Serve(NotLeader(), absl::Hours(1));  // one window for the whole test
  for (int i = 0; i < 100; ++i) {
    grpc::Status s = Append();
    ASSERT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE) << s.error_message();
  }
  EXPECT_EQ(RefusedLines(spdlog::level::info), 1);   // the first, in full
  EXPECT_EQ(RefusedLines(spdlog::level::debug), 99);  // the rest
  EXPECT_TRUE(Summaries().empty());                   // the window is still open
  StopServer();
  const std::vector<std::string> summaries = Summaries();
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_TRUE(absl::StrContains(summaries[0], "100 requests refused NOT_LEADER in the last 3600 s"))
      << summaries[0];
  EXPECT_TRUE(absl::StrContains(summaries[0], "/goalsync.v1.EventLog/Append=100")) << summaries[0];
  EXPECT_TRUE(absl::StrContains(summaries[0], "leader_node_id=n2 leader_address=127.0.0.1:7412"))
      << summaries[0];
}

TEST_F(RequestLogTest, EachWindowEndsWithItsCountAndTheNextOpensWithAFullLine) {
  // Long enough for three loopback calls on a loaded machine, short enough to wait for.
  Serve(NotLeader(), absl::Seconds(1));
  for (int i = 0; i < 3; ++i) ASSERT_FALSE(Append().ok());
  // The window ends 1 s after the first refusal; its line is logged then (bounded wait).
  ASSERT_TRUE(sink_->WaitFor("requests refused NOT_LEADER", absl::Seconds(10)));
  ASSERT_EQ(Summaries().size(), 1u);
  EXPECT_TRUE(absl::StrContains(Summaries()[0], "3 requests refused NOT_LEADER")) << Summaries()[0];
  // The next refusal opens a new window: it is logged in full again.
  ASSERT_FALSE(Append().ok());
  EXPECT_EQ(RefusedLines(spdlog::level::info), 2);
  EXPECT_EQ(RefusedLines(spdlog::level::debug), 2);
  StopServer();
  // A window of one refusal needs no count: that one was logged in full.
  EXPECT_EQ(Summaries().size(), 1u);
}

TEST_F(RequestLogTest, OtherRefusalsKeepTheirLines) {
  // UNAVAILABLE for another reason (the server's own trouble), and a caller's error.
  for (const absl::Status& refusal :
       {absl::UnavailableError("appends stopped: the disk failed"),
        core::WithReason(absl::UnavailableError("no quorum"), goalsync::v1::Refusal::UNAVAILABLE),
        absl::InvalidArgumentError("events[0]: no goal_id")}) {
    SCOPED_TRACE(refusal.ToString());
    Capture();
    Serve(refusal, absl::Hours(1));
    for (int i = 0; i < 5; ++i) ASSERT_FALSE(Append().ok());
    StopServer();
    EXPECT_EQ(RefusedLines(spdlog::level::info), 5);
    EXPECT_EQ(RefusedLines(spdlog::level::debug), 0);
    EXPECT_TRUE(Summaries().empty());
  }
}

}  // namespace
}  // namespace goalsync::server
