// Undo records: what Apply may change for one event, saved before it runs, so that a caller
// applying a batch all-or-nothing (goalsyncd's append path, the replica's shown state) can
// take back the events before a refused one, newest first, without copying the plan.
//
// Pure and thread-compatible, like the kernel.
#ifndef GOALSYNC_CORE_PLAN_UNDO_H_
#define GOALSYNC_CORE_PLAN_UNDO_H_

#include <optional>
#include <string>

#include "goalsync/v1/event.pb.h"
#include "goalsync/v1/state.pb.h"

namespace goalsync::core {

// The goal's append-only lists (allocations, budgets, time blocks) are saved as their
// lengths, its tasks as the one task the event is about, a check-in as the one aggregate it
// folds into; the rest of the goal, and the change request, review and conflict the event is
// about, are copied. A check-in copies no goal.
struct UndoRecord {
  uint64_t seq = 0;
  std::string goal_id;
  bool goal_existed = false;
  bool check_in = false;
  std::optional<goalsync::v1::Goal> goal;  // the goal without its lists, tasks and actuals
  int allocations = 0, budgets = 0, time_blocks = 0;
  // A check-in: the aggregate of its period before (nullopt: none yet), the goal's count and
  // last check-in before.
  std::string period;
  std::optional<goalsync::v1::CheckInAggregate> aggregate;
  uint64_t check_in_count = 0;
  std::optional<goalsync::v1::CheckIn> last_check_in;
  // The one task a task event may change (nullopt: it did not exist).
  std::string task_id;
  std::optional<goalsync::v1::Task> task;
  std::string change_request_id;
  std::optional<goalsync::v1::ChangeRequest> change_request;
  std::string review_id;
  bool review_existed = false;
  int conflicts = 0;
  int resolved_conflict = -1;  // index of a conflict the event may resolve
  std::optional<goalsync::v1::Conflict> conflict_before;
};

// What Apply(event, state) may change, as it is now.
UndoRecord Save(const goalsync::v1::Event& event, const goalsync::v1::PlanState& state);
// Puts back what `record` saved. Records must be restored newest first, each onto the state
// its event left (applied or refused: a refused event changed nothing).
void Restore(UndoRecord record, goalsync::v1::PlanState* state);

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_PLAN_UNDO_H_
