#include "core/envelope.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/refusal.h"
#include "core/schema.h"

namespace goalsync::core {
namespace {

using goalsync::v1::Payload;

bool IsIdChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
         c == '-' || c == ':';
}

absl::Status ValidatePayload(const Payload& payload) {
  switch (payload.body_case()) {
    case Payload::BODY_NOT_SET:
      return absl::InvalidArgumentError(
          "payload is empty: set one event type, e.g. {\"goalCreated\": {...}}");
    case Payload::kGoalFieldSet:
      if (payload.goal_field_set().field().empty()) {
        return absl::InvalidArgumentError("goal_field_set.field is empty: name the field to set");
      }
      break;
    default:
      break;
  }
  return ValidateId("payload goal_id", GoalIdOf(payload));
}

}  // namespace

absl::Status ValidateWorkspaceName(absl::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("workspace is empty: name a workspace");
  if (name.size() > kMaxWorkspaceNameLength) {
    return absl::InvalidArgumentError(absl::StrCat("workspace name is ", name.size(),
                                                   " characters; at most ",
                                                   kMaxWorkspaceNameLength, " are allowed"));
  }
  if (!absl::ascii_isalnum(static_cast<unsigned char>(name[0]))) {
    return absl::InvalidArgumentError(
        absl::StrCat("workspace \"", name, "\" must start with a letter or digit"));
  }
  for (char c : name) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' &&
        c != '-') {
      return absl::InvalidArgumentError(
          absl::StrCat("workspace \"", absl::CHexEscape(name),
                       "\" may hold only letters, digits, '.', '_' and '-'"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateId(absl::string_view what, absl::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(what, " is missing"));
  if (id.size() > kMaxIdLength) {
    return absl::InvalidArgumentError(absl::StrCat(what, " is ", id.size(),
                                                   " characters; at most ", kMaxIdLength));
  }
  for (char c : id) {
    if (!IsIdChar(c)) {
      return absl::InvalidArgumentError(
          absl::StrCat(what, " \"", absl::CHexEscape(id),
                       "\" may hold only letters, digits, '.', '_', ':' and '-'"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateSubmittedEvent(const goalsync::v1::Event& event,
                                    absl::string_view workspace) {
  if (absl::Status s = ValidateId("event_id", event.event_id()); !s.ok()) return s;
  if (!event.workspace().empty() && event.workspace() != workspace) {
    return absl::InvalidArgumentError(absl::StrCat("event workspace \"", event.workspace(),
                                                   "\" differs from the request's \"",
                                                   workspace, "\""));
  }
  if (event.seq() != 0 || !event.prev_hash().empty() || !event.hash().empty() ||
      event.has_server_time()) {
    return absl::InvalidArgumentError(
        "seq, prev_hash, hash and server_time are assigned by the server: leave them unset");
  }
  if (event.schema_version() > kSchemaVersion) {
    return absl::InvalidArgumentError(
        absl::StrCat("schema_version ", event.schema_version(), " is newer than this server's ",
                     kSchemaVersion, ": upgrade goalsyncd"));
  }
  if (!event.has_payload()) {
    return WithField(
        absl::InvalidArgumentError("payload is missing: an event must say what changed"),
        "payload");
  }
  if (absl::Status s = CheckSchema(event); !s.ok()) return s;
  return ValidatePayload(event.payload());
}

absl::string_view GoalIdOf(const goalsync::v1::Payload& payload) {
  using P = goalsync::v1::Payload;
  switch (payload.body_case()) {
    case P::kGoalCreated: return payload.goal_created().goal_id();
    case P::kGoalFieldSet: return payload.goal_field_set().goal_id();
    case P::kGoalArchived: return payload.goal_archived().goal_id();
    case P::kGoalRestored: return payload.goal_restored().goal_id();
    case P::kGoalMoved: return payload.goal_moved().goal_id();
    case P::kTargetsSet: return payload.targets_set().goal_id();
    case P::kPeriodTargetSet: return payload.period_target_set().goal_id();
    case P::kPeriodTargetRemoved: return payload.period_target_removed().goal_id();
    case P::kTaskAdded: return payload.task_added().goal_id();
    case P::kTaskFieldSet: return payload.task_field_set().goal_id();
    case P::kTaskStatusSet: return payload.task_status_set().goal_id();
    case P::kTaskDependencyAdded: return payload.task_dependency_added().goal_id();
    case P::kTaskDependencyRemoved: return payload.task_dependency_removed().goal_id();
    case P::kRaciAssigned: return payload.raci_assigned().goal_id();
    case P::kRaciUnassigned: return payload.raci_unassigned().goal_id();
    case P::kPeopleAllocated: return payload.people_allocated().goal_id();
    case P::kBudgetAllocated: return payload.budget_allocated().goal_id();
    case P::kTimeBlockReserved: return payload.time_block_reserved().goal_id();
    case P::kCheckInRecorded: return payload.check_in_recorded().goal_id();
    case P::kReviewRecorded: return payload.review_recorded().goal_id();
    case P::kChangeRequestOpened: return payload.change_request_opened().goal_id();
    case P::kChangeRequestApproved: return payload.change_request_approved().goal_id();
    case P::kChangeRequestRejected: return payload.change_request_rejected().goal_id();
    case P::kConflictResolved: return payload.conflict_resolved().goal_id();
    case P::BODY_NOT_SET: break;
  }
  return {};
}

}  // namespace goalsync::core
