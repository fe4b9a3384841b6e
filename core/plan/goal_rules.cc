// Goal lifecycle, fields, alignment, targets and period targets.
#include <cmath>

#include "core/plan/goal_fields.h"
#include "core/plan/merge.h"
#include "core/plan/period.h"
#include "core/plan/rules.h"

namespace goalsync::core::rules {
namespace {

using namespace goalsync::v1;  // NOLINT: the generated messages

absl::Status CheckDates(const GoalDetails& d) {
  absl::CivilDay start, due;
  if (!d.start_date().empty()) {
    absl::StatusOr<absl::CivilDay> s = ParseDate(d.start_date());
    if (!s.ok()) return Invalid("start_date: ", s.status().message());
    start = *s;
  }
  if (!d.due_date().empty()) {
    absl::StatusOr<absl::CivilDay> s = ParseDate(d.due_date());
    if (!s.ok()) return Invalid("due_date: ", s.status().message());
    due = *s;
    if (!d.start_date().empty() && due < start) {
      return Invalid("due_date ", d.due_date(), " is before start_date ", d.start_date());
    }
  }
  if (d.has_weight() && !(d.weight() >= 0)) return Invalid("weight must not be negative");
  if (d.rollup() == ROLLUP_MANUAL && d.rollup_reason().empty()) {
    return Invalid("rollup manual needs a rollup_reason");
  }
  return absl::OkStatus();
}

// A child sits below its parent in the cascade: company > business line > team > individual.
absl::Status CheckParent(Context& ctx, const std::string& goal_id, GoalLevel level,
                         const std::string& parent_id) {
  if (parent_id.empty()) return absl::OkStatus();
  if (parent_id == goal_id) return Invalid("goal ", goal_id, " cannot be its own parent");
  absl::StatusOr<Goal*> parent = FindLiveGoal(ctx, parent_id);
  if (!parent.ok()) return parent.status();
  if (level == GOAL_LEVEL_COMPANY) {
    return Invalid("goal ", goal_id, " is a company goal: it has no parent");
  }
  if ((*parent)->level() != GOAL_LEVEL_UNSPECIFIED && level != GOAL_LEVEL_UNSPECIFIED &&
      (*parent)->level() > level) {
    return Invalid("goal ", goal_id, " (", GoalLevel_Name(level), ") cannot support ",
                   parent_id, " (", GoalLevel_Name((*parent)->level()),
                   "): a parent sits higher in the cascade");
  }
  return absl::OkStatus();
}

absl::Status Created(Context& ctx, const GoalCreated& e) {
  if (ctx.state.goals().contains(e.goal_id())) {
    return Precondition("goal ", e.goal_id(), " already exists");
  }
  if (e.level() == GOAL_LEVEL_UNSPECIFIED) {
    return Invalid("goal ", e.goal_id(),
                   ": level is required (company, business_line, team or individual)");
  }
  if (e.statement().empty()) return Invalid("goal ", e.goal_id(), ": statement is required");
  if (absl::Status s = CheckParent(ctx, e.goal_id(), e.level(), e.parent_id()); !s.ok()) return s;
  if (absl::Status s = CheckDates(e.details()); !s.ok()) {
    return Invalid("goal ", e.goal_id(), ": ", s.message());
  }
  Goal& g = (*ctx.state.mutable_goals())[e.goal_id()];
  g.set_id(e.goal_id());
  g.set_level(e.level());
  g.set_parent_id(e.parent_id());
  g.set_statement(e.statement());
  g.set_why(e.why());
  g.set_owner(e.owner());
  *g.mutable_details() = e.details();
  *g.mutable_created() = ctx.stamp;
  return absl::OkStatus();
}

// The merge rule (core/plan/merge.h) for a goal's own field.
bool MergeField(Context& ctx, Goal& goal, const std::string& field, const std::string& incoming,
                const std::string& current) {
  return MergeBlamed(ctx, goal.blame(), FieldRef{goal.id(), "", "", field}, incoming, current);
}

absl::StatusOr<Goal*> GoalForEdit(Context& ctx, const std::string& id, const std::string& field,
                                  const std::string& value, bool* parked) {
  return GoalForEditAt(ctx, FieldRef{id, "", "", field}, value, parked);
}

absl::Status FieldSet(Context& ctx, const GoalFieldSet& e) {
  bool parked = false;
  absl::StatusOr<Goal*> goal = GoalForEdit(ctx, e.goal_id(), e.field(), e.value(), &parked);
  if (!goal.ok() || parked) return goal.status();
  Goal& g = **goal;
  Goal probe;  // validate on a scratch goal holding only what the rules look at
  *probe.mutable_details() = g.details();
  probe.set_level(g.level());
  if (absl::Status s = SetGoalField(e.field(), e.value(), &probe); !s.ok()) return s;
  if (absl::Status s = CheckDates(probe.details()); !s.ok()) {
    return Invalid("goal ", g.id(), ": ", s.message());
  }
  if (e.field() == "level") {
    if (absl::Status s = CheckParent(ctx, g.id(), probe.level(), g.parent_id()); !s.ok()) return s;
  }
  if (!MergeField(ctx, g, e.field(), e.value(), GetGoalField(e.field(), g))) return absl::OkStatus();
  (void)SetGoalField(e.field(), e.value(), &g);  // validated above
  (*g.mutable_blame())[e.field()] = ctx.stamp;
  return absl::OkStatus();
}

// Whether the goal's archived flag last changed concurrently with the event.
bool ArchivedConcurrently(Context& ctx, const Goal& goal) {
  auto it = goal.blame().find("archived");
  return it != goal.blame().end() && ConcurrentWith(ctx.event, it->second);
}

// "archived" is a field like any other ("archived" / "live"): a concurrent archive and
// restore merge by the one rule; two concurrent archives (or restores) agree. Archiving an
// archived goal, or restoring a live one, the writer had seen is refused.
absl::Status SetArchived(Context& ctx, Goal& g, bool archive) {
  if (g.archived() == archive && !ArchivedConcurrently(ctx, g)) {
    return Precondition("goal ", g.id(), archive ? " is already archived" : " is not archived");
  }
  if (!archive && g.archived() && !g.parent_id().empty() &&
      ctx.state.goals().at(g.parent_id()).archived()) {
    return Precondition("goal ", g.id(), "'s parent ", g.parent_id(),
                        " is archived: restore it first");
  }
  if (!MergeField(ctx, g, "archived", archive ? "archived" : "live",
                  g.archived() ? "archived" : "live")) {
    return absl::OkStatus();
  }
  g.set_archived(archive);
  (*g.mutable_blame())["archived"] = ctx.stamp;
  return absl::OkStatus();
}

absl::Status Archived(Context& ctx, const GoalArchived& e) {
  absl::StatusOr<Goal*> goal = FindGoal(ctx, e.goal_id());
  if (!goal.ok()) return goal.status();
  return SetArchived(ctx, **goal, true);
}

absl::Status Restored(Context& ctx, const GoalRestored& e) {
  absl::StatusOr<Goal*> goal = FindGoal(ctx, e.goal_id());
  if (!goal.ok()) return goal.status();
  return SetArchived(ctx, **goal, false);
}

bool MakesCycle(const PlanState& state, const std::string& goal_id, std::string parent_id) {
  // Walk up from the new parent; bounded by the number of goals.
  for (size_t steps = 0; !parent_id.empty() && steps <= state.goals().size(); ++steps) {
    if (parent_id == goal_id) return true;
    auto it = state.goals().find(parent_id);
    if (it == state.goals().end()) return false;
    parent_id = it->second.parent_id();
  }
  return !parent_id.empty();
}

absl::Status Moved(Context& ctx, const GoalMoved& e) {
  bool parked = false;
  absl::StatusOr<Goal*> goal = GoalForEdit(ctx, e.goal_id(), "parent", e.new_parent_id(), &parked);
  if (!goal.ok() || parked) return goal.status();
  Goal& g = **goal;
  if (e.new_parent_id() != g.id() && MakesCycle(ctx.state, g.id(), e.new_parent_id())) {
    // Online, the writer saw the tree and asked for a cycle: refuse. Offline, someone else's
    // concurrent move made it one: keep it as a conflict.
    if (ctx.event.base_seq() >= ctx.state.seq()) {
      return Invalid("moving goal ", g.id(), " under ", e.new_parent_id(),
                     " would make a cycle: ", e.new_parent_id(), " is below ", g.id());
    }
    Conflict& c = AddConflict(ctx, CONFLICT_KIND_MOVE_CYCLE, g.id(), "parent");
    c.set_losing_value(e.new_parent_id());
    c.set_winning_value(g.parent_id());
    *c.mutable_loser() = ctx.stamp;
    if (auto it = g.blame().find("parent"); it != g.blame().end()) *c.mutable_winner() = it->second;
    return absl::OkStatus();
  }
  if (absl::Status s = CheckParent(ctx, g.id(), g.level(), e.new_parent_id()); !s.ok()) return s;
  if (!MergeField(ctx, g, "parent", e.new_parent_id(), g.parent_id())) return absl::OkStatus();
  g.set_parent_id(e.new_parent_id());
  if (!e.why().empty()) g.set_why(e.why());
  (*g.mutable_blame())["parent"] = ctx.stamp;
  return absl::OkStatus();
}

absl::Status TargetsSetRule(Context& ctx, const goalsync::v1::TargetsSet& e) {
  bool parked = false;
  absl::StatusOr<Goal*> goal =
      GoalForEdit(ctx, e.goal_id(), "targets", FormatTargets(e.targets()), &parked);
  if (!goal.ok() || parked) return goal.status();
  Goal& g = **goal;
  Targets merged = g.targets();
  MergeTargets(e.targets(), &merged);
  if (absl::Status s = CheckTargets(g, merged); !s.ok()) return s;
  if (!MergeField(ctx, g, "targets", FormatTargets(e.targets()), FormatTargets(g.targets()))) {
    return absl::OkStatus();
  }
  *g.mutable_targets() = merged;
  // The first value each target ever had stays visible forever.
  Targets* original = g.mutable_original_targets();
  if (!original->has_floor() && merged.has_floor()) original->set_floor(merged.floor());
  if (!original->has_base() && merged.has_base()) original->set_base(merged.base());
  if (!original->has_stretch() && merged.has_stretch()) original->set_stretch(merged.stretch());
  (*g.mutable_blame())["targets"] = ctx.stamp;
  return absl::OkStatus();
}

absl::Status PeriodSet(Context& ctx, const PeriodTargetSet& e) {
  const std::string field = "period." + e.target().period();
  bool parked = false;
  absl::StatusOr<Goal*> goal =
      GoalForEdit(ctx, e.goal_id(), field, absl::StrCat(e.target().target()), &parked);
  if (!goal.ok() || parked) return goal.status();
  Goal& g = **goal;
  if (absl::Status s = CheckPeriodTarget(g, e.target()); !s.ok()) return s;
  auto current = g.period_targets().find(e.target().period());
  const std::string current_text =
      current == g.period_targets().end() ? "" : absl::StrCat(current->second);
  if (!MergeField(ctx, g, field, absl::StrCat(e.target().target()), current_text)) {
    return absl::OkStatus();
  }
  (*g.mutable_period_targets())[e.target().period()] = e.target().target();
  g.mutable_original_period_targets()->insert({e.target().period(), e.target().target()});
  (*g.mutable_blame())[field] = ctx.stamp;
  return absl::OkStatus();
}

absl::Status PeriodRemoved(Context& ctx, const PeriodTargetRemoved& e) {
  const std::string field = "period." + e.period();
  bool parked = false;
  absl::StatusOr<Goal*> goal = GoalForEdit(ctx, e.goal_id(), field, "", &parked);
  if (!goal.ok() || parked) return goal.status();
  Goal& g = **goal;
  auto current = g.period_targets().find(e.period());
  auto blame = g.blame().find(field);
  if (current == g.period_targets().end() &&
      (blame == g.blame().end() || !ConcurrentWith(ctx.event, blame->second))) {
    return NotFound("goal ", e.goal_id(), " has no target for period ", e.period());
  }
  const std::string current_text =
      current == g.period_targets().end() ? "" : absl::StrCat(current->second);
  if (!MergeField(ctx, g, field, "", current_text)) return absl::OkStatus();
  g.mutable_period_targets()->erase(e.period());
  (*g.mutable_blame())[field] = ctx.stamp;
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyGoalEvent(Context& ctx) {
  const Payload& p = ctx.event.payload();
  switch (p.body_case()) {
    case Payload::kGoalCreated: return Created(ctx, p.goal_created());
    case Payload::kGoalFieldSet: return FieldSet(ctx, p.goal_field_set());
    case Payload::kGoalArchived: return Archived(ctx, p.goal_archived());
    case Payload::kGoalRestored: return Restored(ctx, p.goal_restored());
    case Payload::kGoalMoved: return Moved(ctx, p.goal_moved());
    case Payload::kTargetsSet: return TargetsSetRule(ctx, p.targets_set());
    case Payload::kPeriodTargetSet: return PeriodSet(ctx, p.period_target_set());
    case Payload::kPeriodTargetRemoved: return PeriodRemoved(ctx, p.period_target_removed());
    default: return absl::InternalError("not a goal event");
  }
}

}  // namespace goalsync::core::rules
