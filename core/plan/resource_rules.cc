// People, budget and time blocks allocated to goals and tasks.
#include <cmath>

#include "absl/strings/ascii.h"
#include "core/plan/period.h"
#include "core/plan/rules.h"

namespace goalsync::core::rules {
namespace {

using namespace goalsync::v1;  // NOLINT: the generated messages

// The goal, checking that task_id (if any) is one of its tasks.
absl::StatusOr<Goal*> Target(Context& ctx, const std::string& goal_id, const std::string& task_id) {
  absl::StatusOr<Goal*> goal = FindLiveGoal(ctx, goal_id);
  if (!goal.ok()) return goal;
  if (!task_id.empty() && !(*goal)->tasks().contains(task_id)) {
    return NotFound("goal ", goal_id, " has no task ", task_id);
  }
  return goal;
}

bool ParseClock(const std::string& hhmm, int* minutes) {
  if (hhmm.size() != 5 || hhmm[2] != ':' || !absl::ascii_isdigit(hhmm[0]) ||
      !absl::ascii_isdigit(hhmm[1]) || !absl::ascii_isdigit(hhmm[3]) ||
      !absl::ascii_isdigit(hhmm[4])) {
    return false;
  }
  const int h = (hhmm[0] - '0') * 10 + (hhmm[1] - '0');
  const int m = (hhmm[3] - '0') * 10 + (hhmm[4] - '0');
  *minutes = h * 60 + m;
  return h < 24 && m < 60;
}

absl::Status People(Context& ctx, const PeopleAllocated& e) {
  absl::StatusOr<Goal*> goal = Target(ctx, e.goal_id(), e.task_id());
  if (!goal.ok()) return goal.status();
  if (e.person().empty()) return Invalid("allocation: person is required");
  if (!(e.fte() > 0 && e.fte() <= 1)) {
    return Invalid("allocation of ", e.person(), ": fte ", e.fte(),
                   " must be a fraction of full time in (0, 1]");
  }
  if (absl::StatusOr<Period> p = ParsePeriod(e.period()); !p.ok()) {
    return Invalid("allocation of ", e.person(), ": ", p.status().message());
  }
  Allocation* a = (*goal)->add_allocations();
  a->set_task_id(e.task_id());
  a->set_person(e.person());
  a->set_fte(e.fte());
  a->set_period(e.period());
  a->set_skills(e.skills());
  return absl::OkStatus();
}

absl::Status BudgetRule(Context& ctx, const BudgetAllocated& e) {
  absl::StatusOr<Goal*> goal = Target(ctx, e.goal_id(), e.task_id());
  if (!goal.ok()) return goal.status();
  if (!(e.amount() >= 0) || !std::isfinite(e.amount())) {
    return Invalid("budget: amount must be a number >= 0");
  }
  if (e.currency().size() != 3 || !absl::ascii_isupper(e.currency()[0]) ||
      !absl::ascii_isupper(e.currency()[1]) || !absl::ascii_isupper(e.currency()[2])) {
    return Invalid("budget: currency \"", e.currency(), "\" is not an ISO 4217 code like EUR");
  }
  if (e.category().empty()) return Invalid("budget: category is required (travel, servers...)");
  Budget* b = (*goal)->add_budgets();
  b->set_task_id(e.task_id());
  b->set_amount(e.amount());
  b->set_currency(e.currency());
  b->set_category(e.category());
  return absl::OkStatus();
}

absl::Status TimeBlockRule(Context& ctx, const TimeBlockReserved& e) {
  absl::StatusOr<Goal*> goal = Target(ctx, e.goal_id(), e.task_id());
  if (!goal.ok()) return goal.status();
  if (e.weekday() < 1 || e.weekday() > 7) {
    return Invalid("time block: weekday ", e.weekday(), " must be 1 (Monday) to 7 (Sunday)");
  }
  int start = 0, end = 0;
  if (!ParseClock(e.start_time(), &start) || !ParseClock(e.end_time(), &end)) {
    return Invalid("time block: times must be HH:MM, got ", e.start_time(), "-", e.end_time());
  }
  if (end <= start) {
    return Invalid("time block: ", e.start_time(), "-", e.end_time(), " ends before it starts");
  }
  TimeBlock* t = (*goal)->add_time_blocks();
  t->set_task_id(e.task_id());
  t->set_person(e.person());
  t->set_weekday(e.weekday());
  t->set_start_time(e.start_time());
  t->set_end_time(e.end_time());
  t->set_purpose(e.purpose());
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyResourceEvent(Context& ctx) {
  const Payload& p = ctx.event.payload();
  switch (p.body_case()) {
    case Payload::kPeopleAllocated: return People(ctx, p.people_allocated());
    case Payload::kBudgetAllocated: return BudgetRule(ctx, p.budget_allocated());
    case Payload::kTimeBlockReserved: return TimeBlockRule(ctx, p.time_block_reserved());
    default: return absl::InternalError("not a resource event");
  }
}

}  // namespace goalsync::core::rules
