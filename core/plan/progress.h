// What the plan says about itself: progress against floor/base/stretch with roll-ups, plan
// against actual per period, and whether the breakdown adds up. Pure functions of a
// PlanState.
#ifndef GOALSYNC_CORE_PLAN_PROGRESS_H_
#define GOALSYNC_CORE_PLAN_PROGRESS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
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
  // children for WEIGHTED_AVERAGE and MIN roll-ups; nullopt without a target and without an
  // actual (nothing measured is never "met"). INCREASE: actual / reference; DECREASE:
  // reference / actual; STAY_WITHIN: 1 inside [floor, stretch], else the bound over the
  // actual (above) or the actual over the bound (below).
  std::optional<double> fraction;
  // INCREASE and DECREASE: "stretch met", "base met", "floor met", "below floor" (a floor is
  // set) or "below base"; STAY_WITHIN: "within range", "below range", "above range"; and
  // "no target", or "no check-ins" (a target but no actual).
  std::string band;
  // Where `actual`/`fraction` come from: "check-ins", "sum of children", ...
  std::string source;
  // Where the period target comes from when it is not set for the period itself: "sum of
  // monthly targets", "sum of quarterly targets", "last monthly target" (LEVEL goals); ""
  // otherwise.
  std::string target_source;
};

// The band of `actual` against `t` for a goal of `direction` (see Progress::band; never
// "no check-ins": the caller knows whether there is an actual).
std::string BandOf(goalsync::v1::Direction direction, const goalsync::v1::Targets& t, double actual);

// The fraction of `actual` against `t` (see Progress::fraction); nullopt without a target.
std::optional<double> FractionOf(goalsync::v1::Direction direction, const goalsync::v1::Targets& t,
                                 double actual);

// Which targets progress is scored against: the current ones, or the first ones ever set
// (before any approved change request).
enum class Scoring { kCurrentTargets, kOriginalTargets };

// Progress of `goal_id` over `period` ("" for the whole goal; then period targets are not
// used). For a period, the targets are the goal's target for that period (as base), if any;
// else, for a year or a quarter, the goal's quarterly (years) or monthly targets when they
// cover the whole period (summed; the last one for LEVEL goals). NOT_FOUND for an unknown
// goal; INVALID_ARGUMENT for a bad period.
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

// Year to date as of a day: the plan to that day against the actual to that day.
struct YearToDate {
  std::string goal_id;
  absl::CivilDay as_of;
  // The plan to `as_of`: the goal's period targets of as_of's year (quarters, else months,
  // else the year's own target) of the periods ended by as_of, plus the share of the period
  // under way by days elapsed (as_of counted); without period targets, the reference target
  // (base, else floor, else stretch) by the share of the year elapsed. LEVEL goals: the
  // target of the period under way (no share). has_plan is false without any target.
  double plan = 0;
  bool has_plan = false;
  // "quarterly targets", "monthly targets", "year target", "share of the goal's target",
  // "the goal's target" (LEVEL goals without period targets).
  std::string plan_source;
  // Check-ins of periods that began by as_of (and check-ins without a period); the same
  // roll-ups as ComputeProgress.
  double actual = 0;
  bool has_actual = false;
  // The goal's floor/base/stretch scaled to date: each times plan / the goal's reference
  // target, so that the reference target to date is the plan (base = plan without targets).
  goalsync::v1::Targets targets;
  std::optional<double> fraction;  // as Progress::fraction, against `targets`
  std::string band;                // as Progress::band, against `targets`
};

// NOT_FOUND for an unknown goal.
absl::StatusOr<YearToDate> ComputeYearToDate(const goalsync::v1::PlanState& state,
                                             const std::string& goal_id, absl::CivilDay as_of);

// The at-risk rule of the dashboard: below floor to date, or below base to date with the
// last check-in's confidence under 0.5. Never at risk without an actual.
bool AtRiskToDate(const YearToDate& ytd, const goalsync::v1::Goal& goal);

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

// For each allocation's (person, period) over the live goals: the FTE of all that person's
// allocations whose periods overlap it. Sorted by person, then period text.
std::vector<Overallocation> PersonLoads(const goalsync::v1::PlanState& state);

// PersonLoads above 1 (full time).
std::vector<Overallocation> FindOverallocations(const goalsync::v1::PlanState& state);

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_PLAN_PROGRESS_H_
