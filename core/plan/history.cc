#include "core/plan/history.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/plan/goal_fields.h"
#include "core/plan/rules.h"

namespace goalsync::core {

using goalsync::v1::Payload;

std::string PayloadType(const Payload& payload) {
  const auto* field = Payload::descriptor()->FindFieldByNumber(payload.body_case());
  return field == nullptr ? "" : field->name();
}

bool TouchesField(const goalsync::v1::Event& event, const std::string& field,
                  const goalsync::v1::PlanState& state) {
  const Payload& p = event.payload();
  switch (p.body_case()) {
    case Payload::kGoalCreated: return true;  // every field starts here
    case Payload::kGoalFieldSet: return p.goal_field_set().field() == field;
    case Payload::kTargetsSet: return field == "targets";
    case Payload::kGoalMoved: return field == "parent";
    case Payload::kGoalArchived:
    case Payload::kGoalRestored: return field == "archived";
    case Payload::kPeriodTargetSet: return field == "period." + p.period_target_set().target().period();
    case Payload::kPeriodTargetRemoved: return field == "period." + p.period_target_removed().period();
    case Payload::kChangeRequestApproved: {
      auto it = state.change_requests().find(p.change_request_approved().change_request_id());
      if (it == state.change_requests().end()) return false;
      const auto& cr = it->second;
      if (field == "targets") {
        return cr.targets().has_floor() || cr.targets().has_base() || cr.targets().has_stretch();
      }
      for (const auto& pt : cr.period_targets()) {
        if (field == "period." + pt.period()) return true;
      }
      return false;
    }
    case Payload::kConflictResolved: return p.conflict_resolved().keep_losing_value();
    default: return false;
  }
}

std::string BlameValue(const goalsync::v1::Goal& goal, const std::string& field) {
  if (field == "targets") return rules::FormatTargets(goal.targets());
  if (field == "parent") return goal.parent_id();
  if (field == "archived") return goal.archived() ? "true" : "false";
  if (absl::StartsWith(field, "period.")) {
    auto it = goal.period_targets().find(field.substr(7));
    return it == goal.period_targets().end() ? "-" : absl::StrCat(it->second);
  }
  return GetGoalField(field, goal);
}

}  // namespace goalsync::core
