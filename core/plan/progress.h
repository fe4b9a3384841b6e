// What the plan says about itself: progress against floor/base/stretch with roll-ups, plan
// against actual per period, and whether the breakdown adds up. Pure functions of a
// PlanState.
#ifndef GOALSYNC_CORE_PLAN_PROGRESS_H_
#define GOALSYNC_CORE_PLAN_PROGRESS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "goalsync/v1/state.pb.h"

namespace goalsync::core {

struct Progress {
  std::string goal_id;
  // In the metric's unit: the sum of check-ins (CUMULATIVE), the latest one (LEVEL), or the
  // sum of the children's actuals (ROLLUP_SUM).
  double actual = 0;
  bool has_actual = false;
  goalsync::v1::Targets targets;
  // Share of the reference target (base, else floor, else stretch) achieved, from the
  // children for WEIGHTED_AVERAGE and MIN roll-ups; nullopt without a target.
  std::optional<double> fraction;
  // "stretch met", "base met", "floor met", "below floor", "below base", "no target".
  std::string band;
  // Where `actual`/`fraction` come from: "check-ins", "sum of children", ...
  std::string source;
};

// Which targets progress is scored against: the current ones, or the first ones ever set
// (before any approved change request).
enum class Scoring { kCurrentTargets, kOriginalTargets };

// Progress of `goal_id` over `period` ("" for the whole goal; then period targets are not
// used). For a period, the targets are the goal's target for that period (as base), if any.
// NOT_FOUND for an unknown goal; INVALID_ARGUMENT for a bad period.
absl::StatusOr<Progress> ComputeProgress(const goalsync::v1::PlanState& state,
                                         const std::string& goal_id,
                                         const std::string& period = "",
                                         Scoring scoring = Scoring::kCurrentTargets);

struct PeriodVariance {
  std::string period;
  double plan = 0;
  double actual = 0;
  double variance = 0;  // actual - plan
};

// Plan against actual for every period the goal has a target for, in period order.
absl::StatusOr<std::vector<PeriodVariance>> ComputeVariance(const goalsync::v1::PlanState& state,
                                                            const std::string& goal_id);

// One arithmetic check of the breakdown: "quarters of sales add up to its target".
struct BreakdownCheck {
  std::string goal_id;
  std::string what;
  double expected = 0;
  double actual = 0;
  bool ok = false;
};

// For every live CUMULATIVE goal: quarter targets against the goal's target, months against
// their quarter, and children's period targets against the parent's (ROLLUP_SUM parents).
std::vector<BreakdownCheck> CheckBreakdown(const goalsync::v1::PlanState& state);

// A person allocated more than full time in a period, across every live goal and task.
struct Overallocation {
  std::string person;
  std::string period;
  double fte = 0;  // the sum, > 1
};

// For each allocation's (person, period): the FTE of all that person's allocations whose
// periods overlap it, if above 1. Sorted by person, then period.
std::vector<Overallocation> FindOverallocations(const goalsync::v1::PlanState& state);

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_PLAN_PROGRESS_H_
