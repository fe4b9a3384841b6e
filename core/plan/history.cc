#include "core/plan/history.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/plan/goal_fields.h"
#include "core/plan/rules.h"

namespace goalsync::core {

using goalsync::v1::Payload;

namespace {

// Whether a change request proposing `targets` and `periods` would set `field`.
bool ProposesField(const goalsync::v1::Targets& targets,
                   const google::protobuf::RepeatedPtrField<goalsync::v1::PeriodTargetChange>& periods,
                   const std::string& field) {
  if (field == "targets") return targets.has_floor() || targets.has_base() || targets.has_stretch();
  for (const auto& pt : periods) {
    if (field == "period." + pt.period()) return true;
  }
  return false;
}

}  // namespace

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
    // The change requests behind a target: opened (the proposal, its reason and evidence),
    // then approved (the change itself) or rejected.
    case Payload::kChangeRequestOpened: {
      const auto& o = p.change_request_opened();
      return ProposesField(o.targets(), o.period_targets(), field);
    }
    case Payload::kChangeRequestApproved:
    case Payload::kChangeRequestRejected: {
      const std::string& id = p.has_change_request_approved()
                                  ? p.change_request_approved().change_request_id()
                                  : p.change_request_rejected().change_request_id();
      auto it = state.change_requests().find(id);
      if (it == state.change_requests().end()) return false;
      return ProposesField(it->second.targets(), it->second.period_targets(), field);
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
