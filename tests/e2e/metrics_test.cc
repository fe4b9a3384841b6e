// goalsyncd --metrics-listen against a real process: /metrics under an append load passes
// `promtool check metrics` and its counters move as the load says; /healthz and /readyz
// answer; gRPC health answers per service name; JSON log lines parse.
#include <atomic>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "goalsync/log_client.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/server/ops/ops_test_util.h"
#include "tests/support/goalsyncd_process.h"
#include "tests/support/requests.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace goalsync {
namespace {

using ::testing::HasSubstr;
using testing::GoalsyncdProcess;
using testing::HttpGet;
using testing::Sample;
using testing::TempDir;

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    metrics_port_ = testing::FreePort();
    server_ = std::make_unique<GoalsyncdProcess>(
        dir_.Sub("data"),
        std::vector<std::string>{"--metrics-listen", absl::StrCat("127.0.0.1:", metrics_port_),
                                 "--log-format", "json"});
    ASSERT_TRUE(server_->Start().ok()) << server_->Log();
  }

  std::string Scrape() {
    testing::HttpReply r = HttpGet(metrics_port_, "/metrics");
    EXPECT_EQ(r.status, 200);
    return r.body;
  }

  TempDir dir_;
  int metrics_port_ = 0;
  std::unique_ptr<GoalsyncdProcess> server_;
};

TEST_F(MetricsTest, ScrapedUnderLoadPassesPromtoolAndCountersMove) {
  // 8 writers append 50 events each, one per request, while the test scrapes.
  constexpr int kWriters = 8, kEach = 50;
  std::atomic<int> acked{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      client::LogClient c(server_->address());
      for (int i = 0; i < kEach; ++i) {
        if (c.Append(testing::GoalCreations("acme", {absl::StrCat("w", w, "-", i)})).ok()) ++acked;
      }
    });
  }
  std::string during;
  for (int i = 0; i < 5; ++i) during = Scrape();  // scrapes while the writers run
  for (auto& t : writers) t.join();
  ASSERT_EQ(acked.load(), kWriters * kEach);

  std::ofstream(dir_.Sub("during.prom")) << during;
  testing::CommandResult check = testing::RunCommand("promtool check metrics < " + dir_.Sub("during.prom"));
  EXPECT_EQ(check.exit_code, 0) << check.out;

  // One refusal: an expected_seq that is not the head.
  client::LogClient c(server_->address());
  goalsync::v1::AppendRequest stale = testing::GoalCreations("acme", {"stale"});
  stale.set_expected_seq(1);
  EXPECT_TRUE(absl::IsAborted(c.Append(stale).status()));
  // And a duplicate, which appends nothing.
  EXPECT_TRUE(c.Append(testing::GoalCreations("acme", {"w0-0"})).ok());

  const std::string after = Scrape();
  std::ofstream(dir_.Sub("after.prom")) << after;
  check = testing::RunCommand("promtool check metrics < " + dir_.Sub("after.prom"));
  EXPECT_EQ(check.exit_code, 0) << check.out;
  EXPECT_EQ(Sample(after, "goalsync_events_appended_total"), kWriters * kEach);
  EXPECT_EQ(Sample(after, "goalsync_append_refused_total{code=\"ABORTED\"}"), 1);
  EXPECT_EQ(Sample(after, "goalsync_append_duration_seconds_count{rpc=\"Append\"}"),
            kWriters * kEach + 2);
  // Every event went through some group commit, each group through one fsync.
  EXPECT_EQ(Sample(after, "goalsync_events_per_group_sum"), kWriters * kEach);
  const double groups = Sample(after, "goalsync_wal_fsync_duration_seconds_count").value_or(0);
  EXPECT_GE(groups, 1);
  EXPECT_LE(groups, kWriters * kEach);
  EXPECT_EQ(Sample(after, "goalsync_workspaces_loaded"), 1);
  EXPECT_GT(Sample(after, "goalsync_store_family_bytes{family=\"log\"}").value_or(0), 0);
  EXPECT_EQ(Sample(after, "goalsync_appends_stopped"), 0);
  EXPECT_TRUE(Sample(after, "goalsync_rocksdb_pending_compaction_bytes").has_value());
  EXPECT_TRUE(Sample(after, "goalsync_rocksdb_live_data_bytes").has_value());
  EXPECT_TRUE(Sample(after, "goalsync_snapshot_bytes").has_value());
}

TEST_F(MetricsTest, SubscribersAreCountedWhileTheyFollow) {
  client::LogClient c(server_->address());
  ASSERT_TRUE(c.Append(testing::GoalCreations("acme", {"a"})).ok());
  client::Cancellation cancel;
  std::atomic<bool> caught_up{false};
  std::atomic<uint64_t> last_seq{0};
  std::thread follower([&] {
    (void)c.Subscribe("acme", 1, [&](const goalsync::v1::SubscribeResponse& m) {
      if (m.caught_up()) caught_up = true;
      for (const auto& e : m.events()) last_seq = e.seq();
      return true;
    }, &cancel);
  });
  for (int i = 0; i < 500 && !caught_up; ++i) absl::SleepFor(absl::Milliseconds(10));
  ASSERT_TRUE(caught_up);
  EXPECT_EQ(Sample(Scrape(), "goalsync_subscribers"), 1);
  ASSERT_TRUE(c.Append(testing::GoalCreations("acme", {"b"})).ok());
  for (int i = 0; i < 500 && last_seq < 2; ++i) absl::SleepFor(absl::Milliseconds(10));
  ASSERT_EQ(last_seq.load(), 2u);
  // The live event went out in one message that had waited, alone, in the buffer.
  const std::string text = Scrape();
  EXPECT_EQ(Sample(text, "goalsync_subscriber_lag_events_count"), 1);
  EXPECT_EQ(Sample(text, "goalsync_subscriber_lag_events_sum"), 1);
  cancel.Cancel();
  follower.join();
}

TEST_F(MetricsTest, ProbesAndGrpcHealthPerServiceName) {
  EXPECT_EQ(HttpGet(metrics_port_, "/healthz").status, 200);
  testing::HttpReply ready = HttpGet(metrics_port_, "/readyz");
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.body, "ready\n");
  auto channel = grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials());
  auto health = grpc::health::v1::Health::NewStub(channel);
  for (const std::string name : {"", "goalsync.v1.EventLog", "goalsync.v1.PlanService",
                                 "goalsync.v1.Admin", "goalsync.v1.Audit"}) {
    grpc::ClientContext ctx;
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(name);
    grpc::health::v1::HealthCheckResponse resp;
    ASSERT_TRUE(health->Check(&ctx, req, &resp).ok()) << name;
    EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING) << name;
  }
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckRequest req;
  req.set_service("goalsync.v1.NoSuchService");
  grpc::health::v1::HealthCheckResponse resp;
  EXPECT_EQ(health->Check(&ctx, req, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(MetricsTest, JsonLogLinesParseAndNameTheRefusedRequest) {
  client::LogClient c(server_->address());
  ASSERT_TRUE(c.Append(testing::GoalCreations("acme", {"a"})).ok());
  goalsync::v1::AppendRequest stale = testing::GoalCreations("acme", {"b"});
  stale.set_expected_seq(7);
  EXPECT_TRUE(absl::IsAborted(c.Append(stale).status()));
  ASSERT_EQ(server_->Stop(), 0);
  std::istringstream log(server_->Log());
  int lines = 0;
  bool refusal = false;
  for (std::string line; std::getline(log, line);) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_FALSE(j.is_discarded()) << "not JSON: " << line;
    ++lines;
    EXPECT_TRUE(j.contains("time") && j.contains("level") && j.contains("msg")) << line;
    if (j.value("code", "") == "ABORTED") {
      refusal = true;
      EXPECT_EQ(j.value("rpc", ""), "/goalsync.v1.EventLog/Append");
      EXPECT_EQ(j.value("workspace", ""), "acme");
      EXPECT_EQ(j.value("actor", ""), "-");
      EXPECT_TRUE(j["duration_ms"].is_number());
    }
  }
  EXPECT_GE(lines, 3);
  EXPECT_TRUE(refusal) << server_->Log();
}

}  // namespace
}  // namespace goalsync
