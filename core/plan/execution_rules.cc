// Check-ins and reviews.
#include <cmath>

#include "core/plan/period.h"
#include "core/plan/rules.h"
#include "core/plan/tree.h"

namespace goalsync::core::rules {
namespace {

using namespace goalsync::v1;  // NOLINT: the generated messages

// Folds a valid check-in into the goal's aggregates: the check-in itself stays in the log.
void FoldCheckIn(const Change& stamp, const CheckInRecorded& e, Goal* goal) {
  CheckInAggregate& a = (*goal->mutable_actuals())[e.period()];
  if (a.count() == 0 || e.value() < a.min()) a.set_min(e.value());
  if (a.count() == 0 || e.value() > a.max()) a.set_max(e.value());
  a.set_count(a.count() + 1);
  a.set_sum(a.sum() + e.value());
  a.set_last_seq(stamp.seq());
  a.set_last_value(e.value());
  goal->set_check_in_count(goal->check_in_count() + 1);
  CheckIn* last = goal->mutable_last_check_in();
  *last->mutable_recorded() = stamp;
  last->set_value(e.value());
  last->set_confidence(e.confidence());
  last->set_note(e.note());
  last->set_period(e.period());
}

absl::Status CheckInRule(Context& ctx, const CheckInRecorded& e) {
  absl::StatusOr<Goal*> goal = FindLiveGoal(ctx, e.goal_id());
  if (!goal.ok()) return goal.status();
  if (!std::isfinite(e.value())) return Invalid("check-in: value must be a number");
  if (!(e.confidence() >= 0 && e.confidence() <= 1)) {
    return Invalid("check-in: confidence ", e.confidence(), " must be between 0 and 1");
  }
  if (!e.period().empty()) {
    if (absl::Status s = CheckPeriodInGoal(**goal, e.period()); !s.ok()) {
      return Invalid("check-in: ", s.message());
    }
  }
  FoldCheckIn(ctx.stamp, e, *goal);
  return absl::OkStatus();
}

PeriodKind KindFor(ReviewKind kind) {
  switch (kind) {
    case REVIEW_KIND_WEEKLY: return PeriodKind::kWeek;
    case REVIEW_KIND_MONTHLY: return PeriodKind::kMonth;
    default: return PeriodKind::kQuarter;
  }
}

// Tasks of `goal_id` and every live goal below it that are due within `period`, and how
// many of them were done when the review was recorded.
void CountDueTasks(const PlanState& state, const std::string& goal_id, const Period& period,
                   uint32_t* due, uint32_t* done) {
  for (const Goal* g : Subtree(state, goal_id)) {
    for (const auto& [id, task] : g->tasks()) {
      absl::StatusOr<absl::CivilDay> d = ParseDate(task.due_date());
      if (!d.ok() || !Contains(period, *d)) continue;
      ++*due;
      if (task.status() == TASK_STATUS_DONE) ++*done;
    }
  }
}

absl::Status ReviewRule(Context& ctx, const ReviewRecorded& e) {
  absl::StatusOr<Goal*> goal = FindLiveGoal(ctx, e.goal_id());
  if (!goal.ok()) return goal.status();
  if (e.review_id().empty()) return Invalid("review: review_id is required");
  if (ctx.state.reviews().contains(e.review_id())) {
    return Precondition("review ", e.review_id(), " already exists");
  }
  if (e.kind() == REVIEW_KIND_UNSPECIFIED) {
    return Invalid("review ", e.review_id(), ": kind is required (weekly, monthly, quarterly)");
  }
  absl::StatusOr<Period> period = ParsePeriod(e.period());
  if (!period.ok()) return Invalid("review ", e.review_id(), ": ", period.status().message());
  if (period->kind != KindFor(e.kind())) {
    return Invalid("review ", e.review_id(), ": a ", ReviewKind_Name(e.kind()),
                   " review covers a ", e.kind() == REVIEW_KIND_WEEKLY ? "week (YYYY-Wnn)"
                   : e.kind() == REVIEW_KIND_MONTHLY ? "month (YYYY-MM)" : "quarter (YYYY-Qn)",
                   ", not ", e.period());
  }
  if (e.decision() == REVIEW_DECISION_UNSPECIFIED) {
    return Invalid("review ", e.review_id(), ": decision is required (keep, adjust, escalate)");
  }
  for (const std::string& cr : e.change_request_ids()) {
    if (!ctx.state.change_requests().contains(cr)) {
      return NotFound("review ", e.review_id(), ": change request ", cr, " does not exist");
    }
  }
  Review& r = (*ctx.state.mutable_reviews())[e.review_id()];
  r.set_id(e.review_id());
  r.set_goal_id(e.goal_id());
  r.set_kind(e.kind());
  r.set_period(e.period());
  r.set_deviation_cause(e.deviation_cause());
  r.set_deviation_note(e.deviation_note());
  r.set_decision(e.decision());
  *r.mutable_change_request_ids() = e.change_request_ids();
  r.set_notes(e.notes());
  uint32_t due = 0, done = 0;
  CountDueTasks(ctx.state, e.goal_id(), *period, &due, &done);
  r.set_tasks_due(due);
  r.set_tasks_done(done);
  r.set_completion_rate(due == 0 ? 1.0 : static_cast<double>(done) / due);
  *r.mutable_recorded() = ctx.stamp;
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyExecutionEvent(Context& ctx) {
  const Payload& p = ctx.event.payload();
  switch (p.body_case()) {
    case Payload::kCheckInRecorded: return CheckInRule(ctx, p.check_in_recorded());
    case Payload::kReviewRecorded: return ReviewRule(ctx, p.review_recorded());
    default: return absl::InternalError("not an execution event");
  }
}

}  // namespace goalsync::core::rules
