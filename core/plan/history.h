// Which events touch which field of a goal, for history filters. Pure.
#ifndef GOALSYNC_CORE_PLAN_HISTORY_H_
#define GOALSYNC_CORE_PLAN_HISTORY_H_

#include <string>

#include "goalsync/v1/event.pb.h"
#include "goalsync/v1/state.pb.h"

namespace goalsync::core {

// Whether `event` set `field` ("owner", "targets", "parent", "archived", "period.2026-Q4")
// of its goal, or is a step of a change request proposing to set it (opened, approved,
// rejected). `state` resolves what a decided change request proposed.
bool TouchesField(const goalsync::v1::Event& event, const std::string& field,
                  const goalsync::v1::PlanState& state);

// The payload's type name as in Payload: "goal_field_set".
std::string PayloadType(const goalsync::v1::Payload& payload);

// The current text of a blame field of `goal` (see TouchesField for the names).
std::string BlameValue(const goalsync::v1::Goal& goal, const std::string& field);

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_PLAN_HISTORY_H_
