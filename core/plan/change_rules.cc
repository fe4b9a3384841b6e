// Controlled change (change requests) and conflict resolution.
#include <algorithm>

#include "core/envelope.h"
#include "absl/strings/strip.h"
#include "core/plan/goal_fields.h"
#include "core/plan/merge.h"
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

absl::StatusOr<ChangeRequest*> FindRequest(Context& ctx, const std::string& id,
                                           const std::string& goal_id) {
  auto it = ctx.state.mutable_change_requests()->find(id);
  if (it == ctx.state.mutable_change_requests()->end()) {
    return NotFound("change request ", id, " does not exist");
  }
  ChangeRequest& cr = it->second;
  if (cr.goal_id() != goal_id) {
    return Invalid("change request ", id, " is about goal ", cr.goal_id(), ", not ", goal_id);
  }
  return &cr;
}

bool HasTargets(const Targets& t) { return t.has_floor() || t.has_base() || t.has_stretch(); }

// The approval's targets, checked against the goal as it is now (it may have changed since
// the request opened).
absl::Status CheckApproval(const Goal& g, const ChangeRequest& cr) {
  if (!HasTargets(cr.targets())) return absl::OkStatus();
  Targets merged = g.targets();
  MergeTargets(cr.targets(), &merged);
  return CheckTargets(g, merged);
}

void ApplyApproval(Context& ctx, Goal& g, ChangeRequest& cr) {
  Change stamp = ctx.stamp;
  stamp.set_change_request_id(cr.id());
  *cr.mutable_targets_before() = g.targets();
  cr.clear_period_targets_before();
  // Each target the approval sets is a field like any other: an edit of it the approver had
  // not seen merges with the approval by the one rule (docs/merge.md).
  for (const PeriodTargetChange& p : cr.period_targets()) {
    PeriodTargetChange* before = cr.add_period_targets_before();
    before->set_period(p.period());
    auto it = g.period_targets().find(p.period());
    before->set_target(it == g.period_targets().end() ? 0 : it->second);
    const FieldRef ref{g.id(), "", "", "period." + p.period()};
    const std::string current = it == g.period_targets().end() ? "" : absl::StrCat(it->second);
    if (!MergeBlamed(ctx, g.blame(), ref, absl::StrCat(p.target()), current)) continue;
    (*g.mutable_period_targets())[p.period()] = p.target();
    g.mutable_original_period_targets()->insert({p.period(), p.target()});
    (*g.mutable_blame())[ref.field] = stamp;
  }
  if (HasTargets(cr.targets())) {
    Targets merged = g.targets();
    MergeTargets(cr.targets(), &merged);
    const FieldRef ref{g.id(), "", "", "targets"};
    if (MergeBlamed(ctx, g.blame(), ref, FormatTargets(cr.targets()), FormatTargets(g.targets()))) {
      *g.mutable_targets() = merged;
      (*g.mutable_blame())["targets"] = stamp;
    }
  }
}

// Takes back what an approval (made at `approval_seq`) set, where it still stands: a target
// changed since by its own event keeps that change. A period the approval added (before: 0)
// is removed again.
void RevertApproval(Context& ctx, Goal& g, const ChangeRequest& cr, uint64_t approval_seq) {
  auto still = [&](const std::string& field) {
    auto it = g.blame().find(field);
    return it != g.blame().end() && it->second.seq() == approval_seq;
  };
  if (HasTargets(cr.targets()) && still("targets")) {
    *g.mutable_targets() = cr.targets_before();
    (*g.mutable_blame())["targets"] = ctx.stamp;
  }
  for (const PeriodTargetChange& p : cr.period_targets_before()) {
    const std::string field = "period." + p.period();
    if (!still(field)) continue;
    if (p.target() == 0) {
      g.mutable_period_targets()->erase(p.period());
    } else {
      (*g.mutable_period_targets())[p.period()] = p.target();
    }
    (*g.mutable_blame())[field] = ctx.stamp;
  }
}

std::string DecisionText(bool approve, const std::string& note) {
  return absl::StrCat(approve ? "approved" : "rejected", note.empty() ? "" : ": ", note);
}

// Makes the request's decision `approve` with `note`, whatever it was: an approval applies
// its targets, a rejection of an approved request takes them back. Validated by the caller
// (CheckDecision).
void Decide(Context& ctx, Goal& g, ChangeRequest& cr, bool approve, const std::string& note) {
  const bool was_approved = cr.status() == CHANGE_REQUEST_STATUS_APPROVED;
  if (approve && !was_approved) ApplyApproval(ctx, g, cr);
  if (!approve && was_approved) RevertApproval(ctx, g, cr, cr.decided().seq());
  cr.set_status(approve ? CHANGE_REQUEST_STATUS_APPROVED : CHANGE_REQUEST_STATUS_REJECTED);
  *cr.mutable_decided() = ctx.stamp;
  cr.set_decision_note(note);
}

absl::Status CheckDecision(const Goal& g, const ChangeRequest& cr, bool approve,
                           const std::string& note) {
  if (!approve && note.empty()) {
    return Invalid("rejecting change request ", cr.id(), ": reason is required");
  }
  if (approve && cr.status() != CHANGE_REQUEST_STATUS_APPROVED) return CheckApproval(g, cr);
  return absl::OkStatus();
}

// One decision on a request. The first decides it. A second made without seeing the first
// (concurrent, docs/merge.md) merges like a field: the greater (hlc, replica) decides, the
// other is a conflict loser on the request's "decision"; a second made after seeing the
// first is refused.
absl::Status DecisionRule(Context& ctx, const std::string& id, const std::string& goal_id,
                          bool approve, const std::string& note) {
  absl::StatusOr<ChangeRequest*> cr = FindRequest(ctx, id, goal_id);
  if (!cr.ok()) return cr.status();
  absl::StatusOr<Goal*> goal = FindLiveGoal(ctx, goal_id);
  if (!goal.ok()) return goal.status();
  const bool open = (*cr)->status() == CHANGE_REQUEST_STATUS_OPEN;
  if (!open && !ConcurrentWith(ctx.event, (*cr)->decided())) {
    return Precondition("change request ", id, " was already ",
                        (*cr)->status() == CHANGE_REQUEST_STATUS_APPROVED ? "approved" : "rejected");
  }
  if (absl::Status s = CheckDecision(**goal, **cr, approve, note); !s.ok()) return s;
  if (!open) {
    const FieldRef ref{goal_id, "", id, "decision"};
    const std::string current = DecisionText(
        (*cr)->status() == CHANGE_REQUEST_STATUS_APPROVED, (*cr)->decision_note());
    const Change last = (*cr)->decided();
    if (!MergeField(ctx, &last, ref, DecisionText(approve, note), current)) {
      return absl::OkStatus();
    }
  }
  Decide(ctx, **goal, **cr, approve, note);
  return absl::OkStatus();
}

absl::Status Approved(Context& ctx, const ChangeRequestApproved& e) {
  return DecisionRule(ctx, e.change_request_id(), e.goal_id(), true, e.note());
}

absl::Status Rejected(Context& ctx, const ChangeRequestRejected& e) {
  return DecisionRule(ctx, e.change_request_id(), e.goal_id(), false, e.reason());
}

}  // namespace

absl::Status ReapplyDecision(Context& ctx, const std::string& id, const std::string& goal_id,
                             const std::string& losing_value) {
  absl::StatusOr<ChangeRequest*> cr = FindRequest(ctx, id, goal_id);
  if (!cr.ok()) return cr.status();
  absl::StatusOr<Goal*> goal = FindLiveGoal(ctx, goal_id);
  if (!goal.ok()) return goal.status();
  absl::string_view v = losing_value;
  const bool approve = absl::ConsumePrefix(&v, "approved");
  if (!approve && !absl::ConsumePrefix(&v, "rejected")) {
    return Invalid("change request ", id, ": \"", losing_value, "\" is not a decision");
  }
  absl::ConsumePrefix(&v, ": ");
  const std::string note(v);
  if (absl::Status s = CheckDecision(**goal, **cr, approve, note); !s.ok()) return s;
  // Keeping the losing decision is a decision: it merges with a concurrent one.
  const Change last = (*cr)->decided();
  const std::string current = DecisionText(
      (*cr)->status() == CHANGE_REQUEST_STATUS_APPROVED, (*cr)->decision_note());
  if (!MergeField(ctx, &last, FieldRef{goal_id, "", id, "decision"}, DecisionText(approve, note),
                  current)) {
    return absl::OkStatus();
  }
  Decide(ctx, **goal, **cr, approve, note);
  return absl::OkStatus();
}

namespace {

}  // namespace

absl::Status ApplyChangeRequestEvent(Context& ctx) {
  const Payload& p = ctx.event.payload();
  switch (p.body_case()) {
    case Payload::kChangeRequestOpened: return Opened(ctx, p.change_request_opened());
    case Payload::kChangeRequestApproved: return Approved(ctx, p.change_request_approved());
    case Payload::kChangeRequestRejected: return Rejected(ctx, p.change_request_rejected());
    case Payload::kConflictResolved: return ResolveConflict(ctx, p.conflict_resolved());
    default: return absl::InternalError("not a change event");
  }
}

}  // namespace goalsync::core::rules
