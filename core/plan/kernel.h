// The planning kernel: folds a workspace's log into its PlanState.
//
// Pure and deterministic: no I/O, no clock, no randomness; time, actor and replica come from
// the event's envelope, so the same log gives byte-identical state everywhere. Thread-
// compatible (a PlanState is used by one thread at a time).
#ifndef GOALSYNC_CORE_PLAN_KERNEL_H_
#define GOALSYNC_CORE_PLAN_KERNEL_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "goalsync/v1/event.pb.h"
#include "goalsync/v1/state.pb.h"

namespace goalsync::core {

// Applies `event` (as stored: seq, envelope and payload set) to `state`.
//
// OK: `state` now includes the event and state->seq() == event.seq(). A concurrent offline
// edit that loses under the merge rules of docs/architecture.md is applied as a conflict
// record (OK, not an error). Errors leave `state` untouched:
//   INVALID_ARGUMENT     the payload breaks a rule (the message names the field and rule);
//   NOT_FOUND            it names a goal, task, change request... that does not exist;
//   FAILED_PRECONDITION  the state forbids it now (archived goal, request already decided).
absl::Status Apply(const goalsync::v1::Event& event, goalsync::v1::PlanState* state);

// What Apply may change for one event, saved before it runs, so that a caller applying a
// batch all-or-nothing can take back the events before a refused one (Restore, newest
// first). The goal's append-only lists (check-ins, allocations, budgets, time blocks) are
// saved as their lengths and its tasks as the one task the event is about; the rest of the
// goal, and the change request and conflict the event is about, are copied. Events that
// only append (check-ins...) copy nothing.
struct Checkpoint {
  uint64_t seq = 0;
  std::string goal_id;
  bool goal_existed = false;
  bool append_only = false;
  std::optional<goalsync::v1::Goal> goal;  // the goal without its lists and tasks
  int check_ins = 0, allocations = 0, budgets = 0, time_blocks = 0;
  // The one task a task event may change (nullopt: it did not exist).
  std::string task_id;
  std::optional<goalsync::v1::Task> task;
  std::string change_request_id;
  std::optional<goalsync::v1::ChangeRequest> change_request;
  std::string review_id;
  bool review_existed = false;
  int conflicts = 0;
  int resolved_conflict = -1;  // index of a conflict the event may resolve
  goalsync::v1::Conflict conflict_before;
};

Checkpoint Save(const goalsync::v1::Event& event, const goalsync::v1::PlanState& state);
void Restore(Checkpoint checkpoint, goalsync::v1::PlanState* state);

// The state's bytes, serialized deterministically (map entries sorted by key): equal states
// give equal bytes on every machine. What snapshots store.
std::string SerializeState(const goalsync::v1::PlanState& state);

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_PLAN_KERNEL_H_
