// A replica group's metrics (docs/operations.md): etcd + three goalsyncd with
// --metrics-listen. Each node's /metrics passes `promtool check metrics`; exactly the leader
// shows goalsync_cluster_is_leader 1; every node shows the same epoch; the leader shows one
// replication-lag series per follower (labelled by node id), which reaches 0 once the
// followers hold what was appended, and grows for a follower that stops while the leader
// acknowledges appends; followers show none.
#include <fstream>
#include <map>
#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/server/ops/ops_test_util.h"
#include "tests/support/cluster_harness.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace goalsync::testing {
namespace {

// The metrics port node `i` logged last ("metrics and probes on http://H:P/metrics").
int MetricsPort(ClusterHarness& cluster, int i) {
  static const std::regex kLine(R"(metrics and probes on http://[^:]+:(\d+)/metrics)");
  const std::string log = cluster.Log(i);
  int port = 0;
  for (auto it = std::sregex_iterator(log.begin(), log.end(), kLine); it != std::sregex_iterator(); ++it) {
    port = std::stoi((*it)[1]);
  }
  return port;
}

// The follower label -> value of every goalsync_cluster_replication_lag_events sample.
std::map<std::string, double> Lags(const std::string& text) {
  static const std::regex kSample(
      R"re(goalsync_cluster_replication_lag_events\{follower="([^"]+)"\} (\S+))re");
  std::map<std::string, double> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kSample);
       it != std::sregex_iterator(); ++it) {
    out[(*it)[1]] = std::stod((*it)[2]);
  }
  return out;
}

TEST(ClusterMetricsTest, LeaderEpochAndLagPerFollower) {
  TempDir dir;
  ClusterHarness cluster(dir.path(), 3, {"--metrics-listen", "127.0.0.1:0"});
  ASSERT_TRUE(cluster.Start().ok()) << cluster.LogTails();
  AppendLoad load(cluster.ClientAddresses(), "metrics", 4);
  load.Start();
  ASSERT_TRUE(load.WaitAcksAfter(absl::Now(), 100, absl::Seconds(30))) << load.RecentErrors();
  load.Stop();
  ASSERT_TRUE(cluster.WaitInSync(absl::Seconds(30), /*exact=*/true).ok()) << cluster.LogTails();
  absl::StatusOr<int> leader = cluster.Leader();
  ASSERT_TRUE(leader.ok()) << leader.status();

  std::vector<std::string> texts(3);
  // Acks reach the leader just after the followers' writes: wait (bounded) for lag 0.
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  for (;;) {
    for (int i = 0; i < 3; ++i) {
      const int port = MetricsPort(cluster, i);
      ASSERT_GT(port, 0) << cluster.Log(i);
      HttpReply r = HttpGet(port, "/metrics");
      ASSERT_EQ(r.status, 200) << "node " << i;
      texts[i] = r.body;
    }
    std::map<std::string, double> lags = Lags(texts[*leader]);
    bool caught_up = lags.size() == 2;
    for (const auto& [id, lag] : lags) caught_up &= lag == 0;
    if (caught_up || absl::Now() > deadline) break;
    absl::SleepFor(absl::Milliseconds(50));  // polling the scrape: bounded by the deadline
  }

  const double epoch = Sample(texts[0], "goalsync_cluster_epoch").value_or(-1);
  EXPECT_GT(epoch, 0);
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(absl::StrCat("node n", i + 1));
    const std::string path = dir.Sub(absl::StrCat("n", i + 1, ".prom"));
    std::ofstream(path) << texts[i];
    CommandResult check = RunCommand("promtool check metrics < " + path);
    EXPECT_EQ(check.exit_code, 0) << check.out;
    EXPECT_EQ(Sample(texts[i], "goalsync_cluster_is_leader"), i == *leader ? 1 : 0);
    EXPECT_EQ(Sample(texts[i], "goalsync_cluster_epoch"), epoch);
    std::map<std::string, double> lags = Lags(texts[i]);
    if (i != *leader) {
      EXPECT_TRUE(lags.empty());
      continue;
    }
    std::map<std::string, double> want;
    for (int f = 0; f < 3; ++f) {
      if (f != *leader) want[absl::StrCat("n", f + 1)] = 0;
    }
    EXPECT_EQ(lags, want) << texts[i];
  }

  // A follower that stops (SIGSTOP, shorter than its lease) falls behind by what the leader
  // acknowledges meanwhile; the other stays at 0. Once it resumes it catches up.
  const int paused = (*leader + 1) % 3, other = (*leader + 2) % 3;
  const std::string paused_id = absl::StrCat("n", paused + 1), other_id = absl::StrCat("n", other + 1);
  cluster.PauseNode(paused);
  AppendLoad more(cluster.ClientAddresses(), "metrics-2", 2);  // new event ids
  more.Start();
  const bool acked = more.WaitAcksAfter(absl::Now(), 50, absl::Seconds(10));
  more.Stop();
  const std::string during = HttpGet(MetricsPort(cluster, *leader), "/metrics").body;
  cluster.ResumeNode(paused);
  ASSERT_TRUE(acked) << more.RecentErrors();
  std::map<std::string, double> lags = Lags(during);
  EXPECT_GE(lags[paused_id], 50) << during;
  EXPECT_LT(lags[other_id], lags[paused_id]) << during;
  ASSERT_TRUE(cluster.WaitInSync(absl::Seconds(30), /*exact=*/true).ok()) << cluster.LogTails();
  const absl::Time again = absl::Now() + absl::Seconds(20);
  double lag = -1;
  while (absl::Now() < again) {
    lag = Lags(HttpGet(MetricsPort(cluster, *leader), "/metrics").body)[paused_id];
    if (lag == 0) break;
    absl::SleepFor(absl::Milliseconds(50));  // polling the scrape: bounded by the deadline
  }
  EXPECT_EQ(lag, 0);
}

}  // namespace
}  // namespace goalsync::testing
