// Controlled change (change requests) and conflict resolution.
#include <algorithm>

#include "core/envelope.h"
#include "core/plan/goal_fields.h"
#include "core/plan/rules.h"

namespace goalsync::core::rules {
namespace {

using namespace goalsync::v1;  // NOLINT: the generated messages

absl::Status Opened(Context& ctx, const ChangeRequestOpened& e) {
  if (absl::Status s = ValidateId("change_request_id", e.change_request_id()); !s.ok()) return s;
  if (ctx.state.change_requests().contains(e.change_request_id())) {
    return Precondition("change request ", e.change_request_id(), " already exists");
  }
  absl::StatusOr<Goal*> goal = FindLiveGoal(ctx, e.goal_id());
  if (!goal.ok()) return goal.status();
  const bool has_targets =
      e.targets().has_floor() || e.targets().has_base() || e.targets().has_stretch();
  if (!has_targets && e.period_targets().empty()) {
    return Invalid("change request ", e.change_request_id(),
                   ": propose new targets or period targets");
  }
  if (e.reason().empty()) {
    return Invalid("change request ", e.change_request_id(), ": reason is required");
  }
  if (has_targets) {
    Targets merged = (*goal)->targets();
    MergeTargets(e.targets(), &merged);
    if (absl::Status s = CheckTargets(**goal, merged); !s.ok()) return s;
  }
  for (const PeriodTargetChange& p : e.period_targets()) {
    if (absl::Status s = CheckPeriodTarget(**goal, p); !s.ok()) return s;
  }
  ChangeRequest& cr = (*ctx.state.mutable_change_requests())[e.change_request_id()];
  cr.set_id(e.change_request_id());
  cr.set_goal_id(e.goal_id());
  *cr.mutable_targets() = e.targets();
  *cr.mutable_period_targets() = e.period_targets();
  cr.set_reason(e.reason());
  *cr.mutable_evidence() = e.evidence();
  cr.set_status(CHANGE_REQUEST_STATUS_OPEN);
  *cr.mutable_opened() = ctx.stamp;
  return absl::OkStatus();
}

absl::StatusOr<ChangeRequest*> OpenRequest(Context& ctx, const std::string& id,
                                           const std::string& goal_id) {
  auto it = ctx.state.mutable_change_requests()->find(id);
  if (it == ctx.state.mutable_change_requests()->end()) {
    return NotFound("change request ", id, " does not exist");
  }
  ChangeRequest& cr = it->second;
  if (cr.goal_id() != goal_id) {
    return Invalid("change request ", id, " is about goal ", cr.goal_id(), ", not ", goal_id);
  }
  if (cr.status() != CHANGE_REQUEST_STATUS_OPEN) {
    return Precondition("change request ", id, " was already ",
                        cr.status() == CHANGE_REQUEST_STATUS_APPROVED ? "approved" : "rejected");
  }
  return &cr;
}

absl::Status Approved(Context& ctx, const ChangeRequestApproved& e) {
  absl::StatusOr<ChangeRequest*> cr = OpenRequest(ctx, e.change_request_id(), e.goal_id());
  if (!cr.ok()) return cr.status();
  absl::StatusOr<Goal*> goal = FindLiveGoal(ctx, e.goal_id());
  if (!goal.ok()) return goal.status();
  Goal& g = **goal;
  // Re-check against the goal as it is now: it may have changed since the request opened.
  Targets merged = g.targets();
  MergeTargets((*cr)->targets(), &merged);
  const bool has_targets = (*cr)->targets().has_floor() || (*cr)->targets().has_base() ||
                           (*cr)->targets().has_stretch();
  if (has_targets) {
    if (absl::Status s = CheckTargets(g, merged); !s.ok()) return s;
  }
  Change stamp = ctx.stamp;
  stamp.set_change_request_id(e.change_request_id());
  *(*cr)->mutable_targets_before() = g.targets();
  for (const PeriodTargetChange& p : (*cr)->period_targets()) {
    PeriodTargetChange* before = (*cr)->add_period_targets_before();
    before->set_period(p.period());
    auto it = g.period_targets().find(p.period());
    before->set_target(it == g.period_targets().end() ? 0 : it->second);
    (*g.mutable_period_targets())[p.period()] = p.target();
    g.mutable_original_period_targets()->insert({p.period(), p.target()});
    (*g.mutable_blame())["period." + p.period()] = stamp;
  }
  if (has_targets) {
    *g.mutable_targets() = merged;
    (*g.mutable_blame())["targets"] = stamp;
  }
  (*cr)->set_status(CHANGE_REQUEST_STATUS_APPROVED);
  *(*cr)->mutable_decided() = ctx.stamp;
  (*cr)->set_decision_note(e.note());
  return absl::OkStatus();
}

absl::Status Rejected(Context& ctx, const ChangeRequestRejected& e) {
  absl::StatusOr<ChangeRequest*> cr = OpenRequest(ctx, e.change_request_id(), e.goal_id());
  if (!cr.ok()) return cr.status();
  if (e.reason().empty()) {
    return Invalid("rejecting change request ", e.change_request_id(), ": reason is required");
  }
  (*cr)->set_status(CHANGE_REQUEST_STATUS_REJECTED);
  *(*cr)->mutable_decided() = ctx.stamp;
  (*cr)->set_decision_note(e.reason());
  return absl::OkStatus();
}

absl::Status Resolved(Context& ctx, const ConflictResolved& e) {
  Conflict* conflict = nullptr;
  for (Conflict& c : *ctx.state.mutable_conflicts()) {
    if (c.id() == e.conflict_id()) conflict = &c;
  }
  if (conflict == nullptr) return NotFound("conflict ", e.conflict_id(), " does not exist");
  if (conflict->goal_id() != e.goal_id()) {
    return Invalid("conflict ", e.conflict_id(), " is about goal ", conflict->goal_id(),
                   ", not ", e.goal_id());
  }
  if (conflict->resolved()) return Precondition("conflict ", e.conflict_id(), " is already resolved");
  if (e.resolution().empty()) return Invalid("conflict ", e.conflict_id(), ": say how it was resolved");
  if (e.keep_losing_value()) {
    // Only a losing goal field can be re-applied; targets and periods go through their own
    // events (and change requests).
    const auto& names = GoalFieldNames();
    if (conflict->kind() != CONFLICT_KIND_SAME_FIELD ||
        std::find(names.begin(), names.end(), conflict->field()) == names.end()) {
      return Invalid("conflict ", e.conflict_id(), ": the losing value of ", conflict->field(),
                     " cannot be re-applied here; set it with its own event");
    }
    absl::StatusOr<Goal*> goal = FindLiveGoal(ctx, conflict->goal_id());
    if (!goal.ok()) return goal.status();
    if (absl::Status s = SetGoalField(conflict->field(), conflict->losing_value(), *goal); !s.ok()) {
      return s;
    }
    (*(*goal)->mutable_blame())[conflict->field()] = ctx.stamp;
  }
  conflict->set_resolved(true);
  conflict->set_resolution(e.resolution());
  *conflict->mutable_resolved_by() = ctx.stamp;
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyChangeRequestEvent(Context& ctx) {
  const Payload& p = ctx.event.payload();
  switch (p.body_case()) {
    case Payload::kChangeRequestOpened: return Opened(ctx, p.change_request_opened());
    case Payload::kChangeRequestApproved: return Approved(ctx, p.change_request_approved());
    case Payload::kChangeRequestRejected: return Rejected(ctx, p.change_request_rejected());
    case Payload::kConflictResolved: return Resolved(ctx, p.conflict_resolved());
    default: return absl::InternalError("not a change event");
  }
}

}  // namespace goalsync::core::rules
