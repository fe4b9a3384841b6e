// The workload the benchmarks share: a plausible year of a 1000-goal plan.
#ifndef GOALSYNC_BENCH_WORKLOAD_H_
#define GOALSYNC_BENCH_WORKLOAD_H_

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "goalsync/v1/event.pb.h"

namespace goalsync::bench {

// The i-th event of a plausible organization: 1000 goals, then mostly weekly check-ins
// (spread over the ISO weeks of 2026), with field edits, period
// targets, and tasks (20 per goal on a tenth of the goals, then status changes of those) mixed in. The plan stays the
// size of the plan (1000 goals, 2,000 tasks, at most 52 check-in weeks per goal) however
// many events are generated.
inline goalsync::v1::Payload MakePayload(uint64_t i) {
  goalsync::v1::Payload p;
  constexpr uint64_t kGoals = 1000;
  const std::string goal = absl::StrCat("g", i % kGoals);
  if (i < kGoals) {
    auto* g = p.mutable_goal_created();
    g->set_goal_id(goal);
    g->set_level(i == 0 ? goalsync::v1::GOAL_LEVEL_COMPANY : goalsync::v1::GOAL_LEVEL_TEAM);
    if (i > 0) g->set_parent_id("g0");
    g->set_statement("a goal");
    return p;
  }
  switch (i % 10) {
    case 0: {
      auto* f = p.mutable_goal_field_set();
      f->set_goal_id(goal);
      f->set_field("owner");
      f->set_value(absl::StrCat("person", i % 37));
      break;
    }
    case 1: {
      auto* t = p.mutable_period_target_set();
      t->set_goal_id(goal);
      t->mutable_target()->set_period(absl::StrCat("2026-Q", 1 + i % 4));
      t->mutable_target()->set_target(static_cast<double>(i % 20));
      break;
    }
    case 2: {
      // The k-th task edit of this goal: the first 20 add tasks, the rest move them on.
      constexpr uint64_t kTasks = 20;
      // (the goals of these events are those with id % 10 == 2, each every kGoals events)
      const uint64_t k = i / kGoals - 1;
      const std::string task = absl::StrCat("t", k % kTasks);
      if (k < kTasks) {
        auto* t = p.mutable_task_added();
        t->set_goal_id(goal);
        t->set_task_id(task);
        t->set_title("a task");
        t->set_due_date("2026-06-30");
      } else {
        auto* t = p.mutable_task_status_set();
        t->set_goal_id(goal);
        t->set_task_id(task);
        t->set_status(k % 3 == 0 ? goalsync::v1::TASK_STATUS_DONE : goalsync::v1::TASK_STATUS_DOING);
      }
      break;
    }
    default: {
      auto* c = p.mutable_check_in_recorded();
      c->set_goal_id(goal);
      c->set_value(static_cast<double>(i % 7));
      c->set_confidence(0.7);
      c->set_note("on track");
      // The week this stretch of the log is in (the plan is one year's: 10M events wrap).
      const uint64_t week = i / 100000;
      c->set_period(absl::StrFormat("2026-W%02d", 1 + static_cast<int>(week % 52)));
    }
  }
  return p;
}

}  // namespace goalsync::bench

#endif  // GOALSYNC_BENCH_WORKLOAD_H_
