// The scalar fields of a goal that GoalFieldSet may set, by name, with a parser each.
// Pure.
#ifndef GOALSYNC_CORE_PLAN_GOAL_FIELDS_H_
#define GOALSYNC_CORE_PLAN_GOAL_FIELDS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "goalsync/v1/state.pb.h"

namespace goalsync::core {

// Sets `field` of `goal` from its text form. On error (unknown field, bad value)
// INVALID_ARGUMENT saying what is accepted, and `goal` is unchanged.
absl::Status SetGoalField(absl::string_view field, absl::string_view value,
                          goalsync::v1::Goal* goal);

// The text form of `field` of `goal` (what SetGoalField would take to restore it).
std::string GetGoalField(absl::string_view field, const goalsync::v1::Goal& goal);

// Every settable field name, in a fixed order.
const std::vector<std::string>& GoalFieldNames();

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_PLAN_GOAL_FIELDS_H_
