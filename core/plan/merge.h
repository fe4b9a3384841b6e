// Internal to the kernel: the one merge rule every settable field follows (docs/merge.md).
#ifndef GOALSYNC_CORE_PLAN_MERGE_H_
#define GOALSYNC_CORE_PLAN_MERGE_H_

#include <string>

#include "core/plan/rules.h"

namespace goalsync::core::rules {

// Where a field lives: a goal's own field, a task's, or a change request's decision.
struct FieldRef {
  std::string goal_id;
  std::string task_id;            // empty: not a task's field
  std::string change_request_id;  // set: the request's "decision"
  std::string field;
};

// The merge rule. `last` is the field's last change (nullptr: never set). Returns true if
// the event's value is to be applied (the caller applies it and stamps the field).
//   - Not concurrent (the writer had seen `last`, or made it): apply.
//   - Concurrent, same value: apply only if the event wins, so that the greater edit is the
//     one blamed whatever the order; nothing is lost, no conflict.
//   - Concurrent, different values: the greater (hlc, replica_id) wins; a SAME_FIELD
//     conflict records both values and changes, whichever arrived first.
bool MergeField(Context& ctx, const goalsync::v1::Change* last, const FieldRef& ref,
                const std::string& incoming, const std::string& current);

// The same over a blame map (goal's or task's), keyed by ref.field.
bool MergeBlamed(Context& ctx, const google::protobuf::Map<std::string, goalsync::v1::Change>& blame,
                 const FieldRef& ref, const std::string& incoming, const std::string& current);

// Records a conflict about `ref`; returns it for the caller to fill in values and changes.
goalsync::v1::Conflict& AddConflictAt(Context& ctx, goalsync::v1::ConflictKind kind,
                                      const FieldRef& ref);

// The goal whose field `ref` an event edits. An edit of a goal archived after its author
// last synced is kept as an EDIT_ARCHIVED conflict instead of applied (*parked = true, OK);
// FAILED_PRECONDITION if the writer saw it archived; NOT_FOUND if there is no such goal.
absl::StatusOr<goalsync::v1::Goal*> GoalForEditAt(Context& ctx, const FieldRef& ref,
                                                   const std::string& value, bool* parked);

// Task fields by name, as text (what TaskFieldSet, TaskStatusSet and a conflict's
// keep-losing resolution set): title, deliverable, acceptance, start_date, due_date,
// estimate_days, status (an enum name), parent. SetTaskField validates against the goal
// (dates in order, parent a task of the goal and no cycle) before it changes anything, and
// stamps status changes with ctx.stamp.
absl::Status SetTaskField(Context& ctx, goalsync::v1::Goal& goal, goalsync::v1::Task& task,
                          const std::string& field, const std::string& value);
std::string GetTaskField(const goalsync::v1::Task& task, const std::string& field);

// Set elements as fields: "raci/<ROLE>/<person>" and "depends_on/<goal>/<task>", whose
// values are kPresent or kAbsent.
inline constexpr char kPresent[] = "present";
inline constexpr char kAbsent[] = "absent";
std::string RaciKey(goalsync::v1::RaciRole role, const std::string& person);
// "raci/accountable": who is accountable, when two concurrent assignments disagree.
inline constexpr char kAccountableField[] = "raci/accountable";
std::string DependencyKey(const std::string& goal_id, const std::string& task_id);

// Makes a change request's decision the one `losing_value` of its "decision" conflict
// describes ("approved: note", "rejected: reason"): change_rules.cc.
absl::Status ReapplyDecision(Context& ctx, const std::string& id, const std::string& goal_id,
                             const std::string& losing_value);

// ConflictResolved: conflict_rules.cc.
absl::Status ResolveConflict(Context& ctx, const goalsync::v1::ConflictResolved& e);

}  // namespace goalsync::core::rules

#endif  // GOALSYNC_CORE_PLAN_MERGE_H_
