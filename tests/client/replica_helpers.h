// Helpers for replica tests: a real goalsyncd, replicas in temp dirs, the server's view.
#ifndef GOALSYNC_TESTS_CLIENT_REPLICA_HELPERS_H_
#define GOALSYNC_TESTS_CLIENT_REPLICA_HELPERS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/plan/kernel.h"
#include "goalsync/log_client.h"
#include "goalsync/replica.h"
#include "gtest/gtest.h"
#include "tests/support/goalsyncd_process.h"
#include "tests/support/temp_dir.h"

namespace goalsync::testing {

inline constexpr char kWorkspace[] = "acme";

// A wall clock a test moves by hand (per replica, to decide who edited "later").
struct FakeClock {
  absl::Time now = absl::Now();
  std::function<absl::Time()> Fn() {
    return [this] { return now; };
  }
};

class ReplicaFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<GoalsyncdProcess>(dir_.Sub("server"));
    ASSERT_TRUE(server_->Start().ok());
  }

  std::unique_ptr<client::Replica> Open(const std::string& name, const std::string& actor,
                                        std::function<absl::Time()> clock = {}) {
    absl::StatusOr<std::unique_ptr<client::Replica>> r = client::Replica::Open(
        {.dir = dir_.Sub(name), .server = server_->address(), .workspace = kWorkspace,
         .actor = actor, .clock = std::move(clock)});
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? std::move(*r) : nullptr;
  }

  goalsync::v1::PlanState ServerState() {
    client::LogClient c(server_->address());
    absl::StatusOr<goalsync::v1::PlanState> s = c.GetState(kWorkspace);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : goalsync::v1::PlanState();
  }

  std::vector<goalsync::v1::Event> ServerLog() {
    client::LogClient c(server_->address());
    std::vector<goalsync::v1::Event> out;
    absl::Status s = c.Read(kWorkspace, 1, 0, [&](const goalsync::v1::Event& e) {
      out.push_back(e);
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  // Every replica's confirmed state is the server's, byte for byte, and nothing is pending.
  void ExpectConverged(const std::vector<client::Replica*>& replicas) {
    const std::string server = core::SerializeState(ServerState());
    for (size_t i = 0; i < replicas.size(); ++i) {
      EXPECT_EQ(core::SerializeState(replicas[i]->ConfirmedState()), server) << "replica " << i;
      EXPECT_EQ(core::SerializeState(replicas[i]->State()), server) << "replica " << i;
      EXPECT_TRUE(replicas[i]->Outbox().empty()) << "replica " << i;
    }
  }

  static client::SyncOptions Quick() {
    client::SyncOptions o;
    o.max_attempts = 2;
    o.initial_backoff = absl::Milliseconds(20);
    return o;
  }

  TempDir dir_;
  std::unique_ptr<GoalsyncdProcess> server_;
};

inline goalsync::v1::GoalCreated TeamGoal(const std::string& id, const std::string& parent = "") {
  goalsync::v1::GoalCreated g;
  g.set_goal_id(id);
  g.set_parent_id(parent);
  g.set_level(parent.empty() ? goalsync::v1::GOAL_LEVEL_COMPANY : goalsync::v1::GOAL_LEVEL_TEAM);
  g.set_statement("statement of " + id);
  g.set_owner("li");
  return g;
}

}  // namespace goalsync::testing

#endif  // GOALSYNC_TESTS_CLIENT_REPLICA_HELPERS_H_
