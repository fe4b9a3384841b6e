// Properties of the kernel over random event sequences (fixed seeds, printed on failure):
// replay is deterministic, snapshot + tail equals full replay, and state serialization
// round-trips. The generator proposes plausible events, including concurrent offline edits;
// those the kernel refuses are dropped, as goalsyncd would.
#include <random>

#include "absl/strings/str_cat.h"
#include "core/plan/kernel.h"
#include "gtest/gtest.h"
#include "tests/core/plan/kernel_test_util.h"

namespace goalsync::core {
namespace {

using goalsync::v1::Event;
using goalsync::v1::PlanState;

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  // A payload in JSON and an envelope for the next event of `state`.
  std::pair<std::string, testing::Envelope> Next(const PlanState& state) {
    testing::Envelope env;
    env.actor = Pick({"dana", "li", "wang", "zhao"});
    if (Chance(0.3)) {  // an offline edit: made earlier, on a replica
      env.replica_id = Pick({"laptop-a", "laptop-b", "laptop-c"});
      env.base_seq = state.seq() > 5 ? state.seq() - Int(0, 5) : 0;
      env.hlc_micros = 1'780'000'000'000'000 + Int(0, 1'000'000'000);
    }
    const std::string g = Goal(state);
    const int n = state.goals_size();
    switch (n == 0 ? 0 : Int(0, 13)) {
      case 0: {
        const std::string id = absl::StrCat("g", n);
        const std::string parent = n > 0 && Chance(0.7) ? g : "";
        return {absl::StrCat(R"({"goalCreated": {"goalId": ")", id, R"(", "parentId": ")", parent,
                             R"(", "level": "GOAL_LEVEL_)", parent.empty() ? "COMPANY" : "INDIVIDUAL",
                             R"(", "statement": "s", "details": {"rollup": ")",
                             Pick({"ROLLUP_SUM", "ROLLUP_WEIGHTED_AVERAGE", "ROLLUP_MIN"}), R"("}}})"),
                env};
      }
      case 1:
        return {absl::StrCat(R"({"goalFieldSet": {"goalId": ")", g, R"(", "field": ")",
                             Pick({"owner", "why", "statement"}), R"(", "value": ")",
                             Pick({"a", "b", "c"}), R"("}})"),
                env};
      case 2:
        return {absl::StrCat(R"({"targetsSet": {"goalId": ")", g, R"(", "targets": {"base": )",
                             Int(1, 50), R"(, "stretch": )", Int(50, 90), "}}}"),
                env};
      case 3:
        return {absl::StrCat(R"({"periodTargetSet": {"goalId": ")", g,
                             R"(", "target": {"period": "2026-Q)", Int(1, 4), R"(", "target": )",
                             Int(0, 20), "}}}"),
                env};
      case 4:
        return {absl::StrCat(R"({"taskAdded": {"goalId": ")", g, R"(", "taskId": "t)", Int(0, 5),
                             R"(", "title": "t", "dueDate": "2026-0)", Int(1, 9), R"(-15"}})"),
                env};
      case 5:
        return {absl::StrCat(R"({"taskStatusSet": {"goalId": ")", g, R"(", "taskId": "t)",
                             Int(0, 5), R"(", "status": ")",
                             Pick({"TASK_STATUS_DOING", "TASK_STATUS_DONE", "TASK_STATUS_BLOCKED"}),
                             R"("}})"),
                env};
      case 6:
        return {absl::StrCat(R"({"raci)", Chance(0.7) ? "Assigned" : "Unassigned",
                             R"(": {"goalId": ")", g, R"(", "person": ")", Pick({"li", "wu"}),
                             R"(", "role": ")",
                             Pick({"RACI_ROLE_RESPONSIBLE", "RACI_ROLE_ACCOUNTABLE", "RACI_ROLE_INFORMED"}),
                             R"("}})"),
                env};
      case 7:
        return {absl::StrCat(R"({"checkInRecorded": {"goalId": ")", g, R"(", "value": )",
                             Int(0, 10), R"(, "confidence": 0.5, "period": "2026-Q)", Int(1, 4),
                             R"("}})"),
                env};
      case 8:
        return {absl::StrCat(R"({"goalMoved": {"goalId": ")", g, R"(", "newParentId": ")",
                             Goal(state), R"("}})"),
                env};
      case 9:
        return {absl::StrCat(R"({")", Chance(0.5) ? "goalArchived" : "goalRestored",
                             R"(": {"goalId": ")", g, R"("}})"),
                env};
      case 10:
        return {absl::StrCat(R"({"changeRequestOpened": {"changeRequestId": "cr)", Int(0, 9),
                             R"(", "goalId": ")", g, R"(", "periodTargets": [{"period": "2026-Q4", "target": )",
                             Int(0, 20), R"(}], "reason": "r"}})"),
                env};
      case 11: {
        const std::string cr = absl::StrCat("cr", Int(0, 9));
        auto it = state.change_requests().find(cr);
        const std::string goal = it == state.change_requests().end() ? g : it->second.goal_id();
        const bool approve = Chance(0.7);
        return {absl::StrCat(R"({")", approve ? "changeRequestApproved" : "changeRequestRejected",
                             R"(": {"changeRequestId": ")", cr, R"(", "goalId": ")", goal,
                             approve ? R"(", "note": "ok"}})" : R"(", "reason": "r"}})"),
                env};
      }
      case 12: {
        if (state.conflicts_size() == 0) return Next(state);
        const auto& c = state.conflicts(Int(0, state.conflicts_size() - 1));
        return {absl::StrCat(R"({"conflictResolved": {"conflictId": ")", c.id(), R"(", "goalId": ")",
                             c.goal_id(), R"(", "resolution": "ok", "keepLosingValue": )",
                             Chance(0.5) ? "true" : "false", "}}"),
                env};
      }
      default:
        return {absl::StrCat(R"({"peopleAllocated": {"goalId": ")", g, R"(", "person": "li", "fte": 0.5, "period": "2026-Q)",
                             Int(1, 4), R"("}})"),
                env};
    }
  }

 private:
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  std::string Pick(std::initializer_list<const char*> options) {
    return *(options.begin() + Int(0, static_cast<int>(options.size()) - 1));
  }
  std::string Goal(const PlanState& state) {
    return state.goals_size() == 0 ? "g0" : absl::StrCat("g", Int(0, state.goals_size() - 1));
  }

  std::mt19937 rng_;
};

// A random log the kernel accepts, of about `n` events.
std::vector<Event> RandomLog(uint32_t seed, int n) {
  Generator gen(seed);
  PlanState state;
  std::vector<Event> log;
  for (int attempt = 0; attempt < n * 4 && static_cast<int>(log.size()) < n; ++attempt) {
    auto [json, env] = gen.Next(state);
    Event e = testing::MakeEvent(state.seq() + 1, json, env);
    if (Apply(e, &state).ok()) log.push_back(std::move(e));
  }
  return log;
}

PlanState Replay(const std::vector<Event>& log, size_t from = 0, PlanState state = {}) {
  for (size_t i = from; i < log.size(); ++i) {
    absl::Status s = Apply(log[i], &state);
    EXPECT_TRUE(s.ok()) << "replay refused seq " << log[i].seq() << ": " << s;
  }
  return state;
}

TEST(KernelPropertyTest, ReplayIsDeterministicAndSnapshotPlusTailEqualsFullReplay) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    const std::vector<Event> log = RandomLog(seed, 400);
    ASSERT_GT(log.size(), 200u) << "the generator should mostly propose valid events";
    const PlanState full = Replay(log);
    EXPECT_EQ(SerializeState(Replay(log)), SerializeState(full)) << "replay is not deterministic";

    for (size_t cut : {size_t{1}, log.size() / 3, log.size() / 2, log.size() - 1}) {
      PlanState snapshot;
      ASSERT_TRUE(snapshot.ParseFromString(SerializeState(Replay({log.begin(), log.begin() + cut}))));
      EXPECT_EQ(SerializeState(Replay(log, cut, snapshot)), SerializeState(full))
          << "snapshot at " << cut << " + tail differs from full replay";
    }

    PlanState parsed;
    ASSERT_TRUE(parsed.ParseFromString(SerializeState(full)));
    EXPECT_EQ(SerializeState(parsed), SerializeState(full)) << "serialization does not round-trip";
  }
}

TEST(KernelPropertyTest, RandomLogsExerciseConflictsAndEveryGroupOfEvents) {
  PlanState state = Replay(RandomLog(7, 600));
  EXPECT_GT(state.goals_size(), 3);
  EXPECT_GT(state.conflicts_size(), 0) << "offline edits should race sometimes";
  EXPECT_GT(state.change_requests_size(), 0);
}

}  // namespace
}  // namespace goalsync::core
