// The workload the benchmarks share: a plausible year of a 1000-goal plan.
#ifndef GOALSYNC_BENCH_WORKLOAD_H_
#define GOALSYNC_BENCH_WORKLOAD_H_

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "goalsync/v1/event.pb.h"

namespace goalsync::bench {

// The i-th event of a plausible year: 1000 goals, then mostly check-ins, with field edits,
// period targets, tasks and task status changes mixed in.
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
      auto* t = p.mutable_task_added();
      t->set_goal_id(goal);
      t->set_task_id(absl::StrCat("t", i));
      t->set_title("a task");
      t->set_due_date("2026-06-30");
      break;
    }
    default: {
      auto* c = p.mutable_check_in_recorded();
      c->set_goal_id(goal);
      c->set_value(static_cast<double>(i % 7));
      c->set_confidence(0.7);
      c->set_note("on track");
    }
  }
  return p;
}

}  // namespace goalsync::bench

#endif  // GOALSYNC_BENCH_WORKLOAD_H_
