// The planning kernel: folds a workspace's log into its PlanState.
//
// Pure and deterministic: no I/O, no clock, no randomness; time, actor and replica come from
// the event's envelope, so the same log gives byte-identical state everywhere. Thread-
// compatible (a PlanState is used by one thread at a time).
#ifndef GOALSYNC_CORE_PLAN_KERNEL_H_
#define GOALSYNC_CORE_PLAN_KERNEL_H_

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

// The state's bytes, serialized deterministically (map entries sorted by key): equal states
// give equal bytes on every machine. What snapshots store.
std::string SerializeState(const goalsync::v1::PlanState& state);

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_PLAN_KERNEL_H_
