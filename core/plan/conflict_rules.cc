// Conflict resolution: closing a conflict record and, if asked, re-applying the value that
// lost, for every kind of field the merge rule covers (docs/merge.md).
#include <algorithm>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "core/plan/goal_fields.h"
#include "core/plan/merge.h"
#include "core/plan/rules.h"

namespace goalsync::core::rules {
namespace {

using namespace goalsync::v1;  // NOLINT: the generated messages

// "floor=1 base=2 stretch=3" (FormatTargets) back into Targets.
absl::StatusOr<Targets> ParseTargets(const std::string& text) {
  Targets t;
  if (text == "-") return t;
  for (absl::string_view part : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(part, absl::MaxSplits('=', 1));
    double v = 0;
    if (!absl::SimpleAtod(kv.second, &v)) return Invalid("targets \"", text, "\" do not parse");
    if (kv.first == "floor") t.set_floor(v);
    else if (kv.first == "base") t.set_base(v);
    else if (kv.first == "stretch") t.set_stretch(v);
    else return Invalid("targets \"", text, "\" do not parse");
  }
  return t;
}

// Re-applies a RACI element ("raci/<ROLE>/<person>": present or absent) or who is
// accountable ("raci/accountable": a person) on `list`.
absl::Status ReapplyRaci(google::protobuf::RepeatedPtrField<RaciEntry>* list,
                         const std::string& field, const std::string& value) {
  auto remove = [&](RaciRole role, const std::string& person) {
    for (int i = 0; i < list->size(); ++i) {
      if (list->Get(i).role() == role && (person.empty() || list->Get(i).person() == person)) {
        list->DeleteSubrange(i--, 1);
      }
    }
  };
  auto add = [&](RaciRole role, const std::string& person) {
    RaciEntry* e = list->Add();
    e->set_person(person);
    e->set_role(role);
  };
  if (field == kAccountableField) {
    remove(RACI_ROLE_ACCOUNTABLE, "");
    add(RACI_ROLE_ACCOUNTABLE, value);
    return absl::OkStatus();
  }
  std::vector<std::string> parts = absl::StrSplit(field, absl::MaxSplits('/', 2));
  RaciRole role;
  if (parts.size() != 3 || !RaciRole_Parse(parts[1], &role)) {
    return Invalid("conflict field ", field, " is not a RACI entry");
  }
  remove(role, parts[2]);
  if (value == kPresent) {
    if (role == RACI_ROLE_ACCOUNTABLE) remove(RACI_ROLE_ACCOUNTABLE, "");
    add(role, parts[2]);
  }
  return absl::OkStatus();
}

// The value a RACI field has now, in the conflict's terms: who is accountable, or whether
// one entry is present.
std::string RaciValue(const google::protobuf::RepeatedPtrField<RaciEntry>& list,
                      const std::string& field) {
  if (field == kAccountableField) {
    for (const RaciEntry& e : list) {
      if (e.role() == RACI_ROLE_ACCOUNTABLE) return e.person();
    }
    return "";
  }
  for (const RaciEntry& e : list) {
    if (RaciKey(e.role(), e.person()) == field) return kPresent;
  }
  return kAbsent;
}

std::string TaskValue(const Task& t, const std::string& field) {
  if (absl::StartsWith(field, "raci/")) return RaciValue(t.raci(), field);
  if (absl::StartsWith(field, "depends_on/")) {
    for (const TaskRef& d : t.depends_on()) {
      if (DependencyKey(d.goal_id(), d.task_id()) == field) return kPresent;
    }
    return kAbsent;
  }
  return GetTaskField(t, field);
}

std::string GoalValue(const Goal& g, const std::string& field) {
  if (field == "parent") return g.parent_id();
  if (field == "targets") return FormatTargets(g.targets());
  if (field == "archived") return g.archived() ? "archived" : "live";
  if (absl::StartsWith(field, "raci/")) return RaciValue(g.raci(), field);
  if (absl::StartsWith(field, "period.")) {
    auto it = g.period_targets().find(field.substr(7));
    return it == g.period_targets().end() ? "" : absl::StrCat(it->second);
  }
  return GetGoalField(field, g);
}

absl::Status ReapplyTaskField(Context& ctx, Goal& goal, const Conflict& c) {
  auto it = goal.mutable_tasks()->find(c.task_id());
  if (it == goal.mutable_tasks()->end()) {
    return NotFound("goal ", goal.id(), " has no task ", c.task_id());
  }
  Task probe = it->second;
  const std::string& f = c.field();
  if (absl::StartsWith(f, "raci/")) {
    if (absl::Status s = ReapplyRaci(probe.mutable_raci(), f, c.losing_value()); !s.ok()) return s;
  } else if (absl::StartsWith(f, "depends_on/")) {
    std::vector<std::string> parts = absl::StrSplit(f, absl::MaxSplits('/', 2));
    if (parts.size() != 3) return Invalid("conflict field ", f, " is not a dependency");
    auto* deps = probe.mutable_depends_on();
    for (int i = 0; i < deps->size(); ++i) {
      if (deps->Get(i).goal_id() == parts[1] && deps->Get(i).task_id() == parts[2]) {
        deps->DeleteSubrange(i--, 1);
      }
    }
    if (c.losing_value() == kPresent) {
      TaskRef* d = probe.add_depends_on();
      d->set_goal_id(parts[1]);
      d->set_task_id(parts[2]);
    }
  } else if (absl::Status s = SetTaskField(ctx, goal, probe, f, c.losing_value()); !s.ok()) {
    return s;
  }
  // Keeping the loser is an edit of the field: it merges with a concurrent edit of it.
  const FieldRef ref{goal.id(), c.task_id(), "", f};
  if (!MergeBlamed(ctx, it->second.blame(), ref, c.losing_value(), TaskValue(it->second, f))) {
    return absl::OkStatus();
  }
  (*probe.mutable_blame())[f] = ctx.stamp;
  it->second = std::move(probe);
  return absl::OkStatus();
}

absl::Status ReapplyGoalField(Context& ctx, Goal& g, const Conflict& c) {
  const std::string& f = c.field();
  const std::string& v = c.losing_value();
  Goal probe = g;  // every branch validates on the probe: a refusal changes nothing
  if (const auto& names = GoalFieldNames(); std::find(names.begin(), names.end(), f) != names.end()) {
    if (absl::Status s = SetGoalField(f, v, &probe); !s.ok()) return s;
  } else if (f == "parent") {
    if (!v.empty() && !ctx.state.goals().contains(v)) return NotFound("goal ", v, " does not exist");
    std::string up = v;  // bounded by the number of goals
    for (size_t steps = 0; !up.empty() && steps <= ctx.state.goals().size(); ++steps) {
      if (up == g.id()) return Invalid("moving goal ", g.id(), " under ", v, " would make a cycle");
      up = ctx.state.goals().at(up).parent_id();
    }
    probe.set_parent_id(v);
  } else if (f == "targets") {
    absl::StatusOr<Targets> t = ParseTargets(v);
    if (!t.ok()) return t.status();
    MergeTargets(*t, probe.mutable_targets());
    if (absl::Status s = CheckTargets(probe, probe.targets()); !s.ok()) return s;
  } else if (absl::StartsWith(f, "period.")) {
    const std::string period = f.substr(7);
    if (v.empty()) {
      probe.mutable_period_targets()->erase(period);
    } else {
      PeriodTargetChange change;
      change.set_period(period);
      double target = 0;
      if (!absl::SimpleAtod(v, &target)) return Invalid("period target \"", v, "\" is not a number");
      change.set_target(target);
      if (absl::Status s = CheckPeriodTarget(probe, change); !s.ok()) return s;
      (*probe.mutable_period_targets())[period] = target;
      probe.mutable_original_period_targets()->insert({period, target});
    }
  } else if (absl::StartsWith(f, "raci/")) {
    if (absl::Status s = ReapplyRaci(probe.mutable_raci(), f, v); !s.ok()) return s;
  } else if (f == "archived") {
    probe.set_archived(v == "archived");
  } else {
    return Invalid("conflict field ", f, " cannot be re-applied");
  }
  if (!MergeBlamed(ctx, g.blame(), FieldRef{g.id(), "", "", f}, v, GoalValue(g, f))) {
    return absl::OkStatus();
  }
  (*probe.mutable_blame())[f] = ctx.stamp;
  g = std::move(probe);
  return absl::OkStatus();
}

absl::Status ReapplyLosing(Context& ctx, const Conflict& c) {
  if (!c.change_request_id().empty()) {
    return ReapplyDecision(ctx, c.change_request_id(), c.goal_id(), c.losing_value());
  }
  // An archive that lost may be kept on a live goal, a restore that lost on an archived one;
  // every other field needs the goal live.
  const bool archived_field = c.task_id().empty() && c.field() == "archived";
  absl::StatusOr<Goal*> goal =
      archived_field ? FindGoal(ctx, c.goal_id()) : FindLiveGoal(ctx, c.goal_id());
  if (!goal.ok()) return goal.status();
  if (!c.task_id().empty()) return ReapplyTaskField(ctx, **goal, c);
  return ReapplyGoalField(ctx, **goal, c);
}

}  // namespace

// Resolving closes the record; keep_losing_value re-applies the loser's value (validated as
// any edit of that field would be, and stamped as this event's change), for every kind of
// conflict: a field that lost, an edit parked on an archived goal (restore it first), a move
// that made a cycle (refused if it still would).
absl::Status ResolveConflict(Context& ctx, const ConflictResolved& e) {
  Conflict* conflict = nullptr;
  for (Conflict& c : *ctx.state.mutable_conflicts()) {
    if (c.id() == e.conflict_id()) conflict = &c;
  }
  if (conflict == nullptr) return NotFound("conflict ", e.conflict_id(), " does not exist");
  if (conflict->goal_id() != e.goal_id() || conflict->task_id() != e.task_id() ||
      conflict->change_request_id() != e.change_request_id()) {
    return Invalid("conflict ", e.conflict_id(), " is about goal ", conflict->goal_id(),
                   conflict->task_id().empty() ? "" : " task " + conflict->task_id(),
                   conflict->change_request_id().empty()
                       ? ""
                       : " change request " + conflict->change_request_id(),
                   ": name those in goal_id, task_id and change_request_id");
  }
  if (conflict->resolved()) return Precondition("conflict ", e.conflict_id(), " is already resolved");
  if (e.resolution().empty()) return Invalid("conflict ", e.conflict_id(), ": say how it was resolved");
  if (e.keep_losing_value()) {
    if (absl::Status s = ReapplyLosing(ctx, *conflict); !s.ok()) return s;
  }
  conflict->set_resolved(true);
  conflict->set_resolution(e.resolution());
  *conflict->mutable_resolved_by() = ctx.stamp;
  return absl::OkStatus();
}

}  // namespace goalsync::core::rules
