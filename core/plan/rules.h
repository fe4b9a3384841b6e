// Internal to the kernel: the context every rule gets and helpers they share.
#ifndef GOALSYNC_CORE_PLAN_RULES_H_
#define GOALSYNC_CORE_PLAN_RULES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "goalsync/v1/event.pb.h"
#include "goalsync/v1/state.pb.h"

namespace goalsync::core::rules {

struct Context {
  const goalsync::v1::Event& event;
  goalsync::v1::PlanState& state;
  // Who, when, from where: the blame of whatever this event changes (scratch storage owned
  // by Apply; copy it to keep it).
  goalsync::v1::Change& stamp;
};

// The goal named `id`, or NOT_FOUND.
absl::StatusOr<goalsync::v1::Goal*> FindGoal(Context& ctx, const std::string& id);
// Like FindGoal, but FAILED_PRECONDITION if the goal is archived.
absl::StatusOr<goalsync::v1::Goal*> FindLiveGoal(Context& ctx, const std::string& id);

// Whether `change` happened after the event's author last synced, by someone else: the two
// are concurrent edits.
bool ConcurrentWith(const goalsync::v1::Event& event, const goalsync::v1::Change& change);
// Whether the event wins over `change` under the merge order: greater (hlc, replica_id).
bool Wins(const goalsync::v1::Event& event, const goalsync::v1::Change& change);

// Records a conflict; returns it for the caller to fill in values.
goalsync::v1::Conflict& AddConflict(Context& ctx, goalsync::v1::ConflictKind kind,
                                    const std::string& goal_id, const std::string& field);

// Checks targets against the goal's certainty and direction.
absl::Status CheckTargets(const goalsync::v1::Goal& goal, const goalsync::v1::Targets& t);
// Checks a period target against the goal's dates.
absl::Status CheckPeriodTarget(const goalsync::v1::Goal& goal,
                               const goalsync::v1::PeriodTargetChange& change);
// Checks that `period` parses and lies within the goal's dates.
absl::Status CheckPeriodInGoal(const goalsync::v1::Goal& goal, absl::string_view period);

// Merges the fields present in `update` into `targets`.
void MergeTargets(const goalsync::v1::Targets& update, goalsync::v1::Targets* targets);
std::string FormatTargets(const goalsync::v1::Targets& t);

template <typename... Args>
absl::Status Invalid(const Args&... args) {
  return absl::InvalidArgumentError(absl::StrCat(args...));
}
template <typename... Args>
absl::Status Precondition(const Args&... args) {
  return absl::FailedPreconditionError(absl::StrCat(args...));
}
template <typename... Args>
absl::Status NotFound(const Args&... args) {
  return absl::NotFoundError(absl::StrCat(args...));
}

// One function per group of payloads; each validates fully before it changes anything.
absl::Status ApplyGoalEvent(Context& ctx);
absl::Status ApplyTaskEvent(Context& ctx);
absl::Status ApplyResourceEvent(Context& ctx);
absl::Status ApplyExecutionEvent(Context& ctx);
absl::Status ApplyChangeRequestEvent(Context& ctx);

}  // namespace goalsync::core::rules

#endif  // GOALSYNC_CORE_PLAN_RULES_H_
