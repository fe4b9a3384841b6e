#include "core/plan/queries_views.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "core/plan/history.h"
#include "core/plan/period.h"
#include "core/plan/rules.h"
#include "core/plan/tree.h"

namespace goalsync::core {
namespace {

using namespace goalsync::v1;  // NOLINT: the generated messages

absl::Status NoSuchGoal(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("goal ", id, " does not exist"));
}

RaciRow RowOf(const std::string& goal_id, const std::string& task_id, const PlanState& state) {
  absl::StatusOr<std::vector<RaciRow>> rows = RaciMatrix(state, goal_id);
  if (rows.ok()) {
    for (const RaciRow& r : *rows) {
      if (r.goal_id == goal_id && r.task_id == task_id) return r;
    }
  }
  return RaciRow{.goal_id = goal_id, .task_id = task_id};
}

}  // namespace

bool PeriodOrder(const std::string& a, const std::string& b) {
  absl::StatusOr<Period> pa = ParsePeriod(a), pb = ParsePeriod(b);
  if (pa.ok() != pb.ok()) return pa.ok();
  if (!pa.ok()) return a < b;
  if (pa->first != pb->first) return pa->first < pb->first;
  if (pa->last != pb->last) return pa->last > pb->last;
  return a < b;
}

absl::StatusOr<std::vector<TreeRow>> TreeRows(const PlanState& state, const std::string& root,
                                              const std::string& period) {
  if (!period.empty()) {
    if (absl::StatusOr<Period> p = ParsePeriod(period); !p.ok()) return p.status();
  }
  absl::StatusOr<std::vector<const Goal*>> goals = GoalsInTreeOrder(state, root);
  if (!goals.ok()) return goals.status();
  std::map<std::string, std::vector<BreakdownCheck>> failed;
  for (BreakdownCheck& c : CheckBreakdown(state)) {
    if (!c.ok) failed[c.goal_id].push_back(std::move(c));
  }
  std::map<std::string, int> depth;
  std::vector<TreeRow> rows;
  for (const Goal* g : *goals) {
    auto parent = depth.find(g->parent_id());
    const int d = parent == depth.end() ? 0 : parent->second + 1;
    depth[g->id()] = d;
    absl::StatusOr<Progress> p = ComputeProgress(state, g->id(), period);
    if (!p.ok()) return p.status();
    TreeRow row{.goal = g, .depth = d, .progress = std::move(*p)};
    if (auto it = failed.find(g->id()); it != failed.end()) row.failed_checks = it->second;
    rows.push_back(std::move(row));
  }
  return rows;
}

absl::StatusOr<GoalDetail> DescribeGoal(const PlanState& state, const std::string& goal_id,
                                        absl::CivilDay today) {
  auto it = state.goals().find(goal_id);
  if (it == state.goals().end()) return NoSuchGoal(goal_id);
  const Goal& g = it->second;
  GoalDetail d;
  d.goal = &g;
  // Ancestors, bounded by the number of goals whatever the parent links say.
  std::set<std::string> seen = {g.id()};
  for (std::string up = g.parent_id(); !up.empty() && seen.insert(up).second;) {
    auto p = state.goals().find(up);
    if (p == state.goals().end()) break;
    d.path.insert(d.path.begin(), up);
    up = p->second.parent_id();
  }
  for (const Goal* c : Children(state, g.id())) d.children.push_back(c->id());
  absl::StatusOr<Progress> p = ComputeProgress(state, g.id());
  if (!p.ok()) return p.status();
  d.progress = std::move(*p);
  absl::StatusOr<YearToDate> ytd = ComputeYearToDate(state, g.id(), today);
  if (!ytd.ok()) return ytd.status();
  d.to_date = std::move(*ytd);
  d.at_risk = AtRiskToDate(d.to_date, g);
  absl::StatusOr<std::vector<PeriodVariance>> v = ComputeVariance(state, g.id());
  if (!v.ok()) return v.status();
  d.variance = std::move(*v);
  for (BreakdownCheck& c : CheckBreakdown(state)) {
    if (c.goal_id == g.id()) d.checks.push_back(std::move(c));
  }
  d.raci = RowOf(g.id(), "", state);
  d.tasks = TasksByDue(g);
  std::set<std::string> people;
  for (const Allocation& a : g.allocations()) people.insert(a.person());
  for (const Overallocation& o : FindOverallocations(state)) {
    if (people.contains(o.person)) d.overallocated.push_back(o);
  }
  return d;
}

absl::StatusOr<TaskDetail> DescribeTask(const PlanState& state, const std::string& goal_id,
                                        const std::string& task_id, absl::CivilDay today) {
  auto git = state.goals().find(goal_id);
  if (git == state.goals().end()) return NoSuchGoal(goal_id);
  const Goal& g = git->second;
  auto tit = g.tasks().find(task_id);
  if (tit == g.tasks().end()) {
    return absl::NotFoundError(absl::StrCat("goal ", goal_id, " has no task ", task_id));
  }
  const Task& t = tit->second;
  TaskDetail d;
  d.goal = &g;
  d.task = &t;
  d.wbs_path = {t.id()};
  std::set<std::string> seen = {t.id()};
  for (std::string up = t.parent_task_id(); !up.empty() && seen.insert(up).second;) {
    auto p = g.tasks().find(up);
    if (p == g.tasks().end()) break;
    d.wbs_path.insert(d.wbs_path.begin(), up);
    up = p->second.parent_task_id();
  }
  d.wbs_path.insert(d.wbs_path.begin(), g.id());
  for (const auto& [id, other] : g.tasks()) {
    if (other.parent_task_id() == t.id()) d.subtasks.push_back(id);
  }
  std::sort(d.subtasks.begin(), d.subtasks.end());
  for (TaskRef dep : t.depends_on()) {
    if (dep.goal_id().empty()) dep.set_goal_id(g.id());
    d.depends_on.push_back(dep);
  }
  std::vector<std::string> goal_ids;
  for (const auto& [id, other] : state.goals()) goal_ids.push_back(id);
  std::sort(goal_ids.begin(), goal_ids.end());
  for (const std::string& id : goal_ids) {
    for (const Task* other : TasksByDue(state.goals().at(id))) {
      for (const TaskRef& dep : other->depends_on()) {
        const std::string& on_goal = dep.goal_id().empty() ? id : dep.goal_id();
        if (on_goal == g.id() && dep.task_id() == t.id()) {
          TaskRef r;
          r.set_goal_id(id);
          r.set_task_id(other->id());
          d.dependents.push_back(r);
        }
      }
    }
  }
  d.raci = RowOf(g.id(), t.id(), state);
  absl::StatusOr<absl::CivilDay> due = ParseDate(t.due_date());
  d.late = due.ok() && !t.due_date().empty() && *due < today && t.status() != TASK_STATUS_DONE;
  for (const Allocation& a : g.allocations()) {
    if (a.task_id() == t.id()) d.allocations.push_back(a);
  }
  for (const Budget& b : g.budgets()) {
    if (b.task_id() == t.id()) d.budgets.push_back(b);
  }
  for (const TimeBlock& b : g.time_blocks()) {
    if (b.task_id() == t.id()) d.time_blocks.push_back(b);
  }
  return d;
}

absl::StatusOr<AllocationView> Allocations(const PlanState& state, const std::string& root,
                                           const std::string& person) {
  absl::StatusOr<std::vector<const Goal*>> goals = GoalsInTreeOrder(state, root);
  if (!goals.ok()) return goals.status();
  AllocationView v;
  std::set<std::string> people, periods;
  for (const Goal* g : *goals) {
    for (const Allocation& a : g->allocations()) {
      if (!person.empty() && a.person() != person) continue;
      v.cells.push_back({a.person(), g->id(), a.task_id(), a.period(), a.fte(), a.skills()});
      people.insert(a.person());
      periods.insert(a.period());
    }
    for (const Budget& b : g->budgets()) v.budgets[g->id()].push_back(b);
    for (const TimeBlock& b : g->time_blocks()) {
      if (person.empty() || b.person() == person) v.time_blocks[g->id()].push_back(b);
    }
  }
  std::sort(v.cells.begin(), v.cells.end(), [](const AllocationCell& a, const AllocationCell& b) {
    if (std::tie(a.person, a.goal_id, a.task_id) != std::tie(b.person, b.goal_id, b.task_id)) {
      return std::tie(a.person, a.goal_id, a.task_id) < std::tie(b.person, b.goal_id, b.task_id);
    }
    return PeriodOrder(a.period, b.period);
  });
  v.people.assign(people.begin(), people.end());
  v.periods.assign(periods.begin(), periods.end());
  std::sort(v.periods.begin(), v.periods.end(), PeriodOrder);
  // Loads count every allocation of the person in the plan (a person over-booked across
  // subtrees is over-booked here too).
  for (const Overallocation& o : PersonLoads(state)) {
    if (!people.contains(o.person) || !periods.contains(o.period)) continue;
    v.loads.push_back({o.person, o.period, o.fte, o.fte > 1.0 + 1e-9});
  }
  std::sort(v.loads.begin(), v.loads.end(), [](const PersonPeriodLoad& a, const PersonPeriodLoad& b) {
    if (a.person != b.person) return a.person < b.person;
    return PeriodOrder(a.period, b.period);
  });
  return v;
}

absl::StatusOr<std::vector<AtRisk>> GoalsAtRiskToDate(const PlanState& state, const std::string& root,
                                                      absl::CivilDay today) {
  absl::StatusOr<std::vector<const Goal*>> goals = GoalsInTreeOrder(state, root);
  if (!goals.ok()) return goals.status();
  std::vector<AtRisk> out;
  for (const Goal* g : *goals) {
    absl::StatusOr<YearToDate> y = ComputeYearToDate(state, g->id(), today);
    if (!y.ok()) return y.status();
    if (!AtRiskToDate(*y, *g)) continue;
    AtRisk r{.goal_id = g->id(), .band = y->band, .owner = g->owner(), .fraction = y->fraction};
    if (g->check_in_count() > 0) r.confidence = g->last_check_in().confidence();
    out.push_back(std::move(r));
  }
  return out;
}

absl::StatusOr<ToDate> ToDateProto(const PlanState& state, const std::string& goal_id,
                                   const std::string& as_of) {
  absl::StatusOr<absl::CivilDay> day = ParseDate(as_of);
  if (!day.ok()) return absl::InvalidArgumentError(absl::StrCat("as_of: ", day.status().message()));
  auto g = state.goals().find(goal_id);
  if (g == state.goals().end()) return NoSuchGoal(goal_id);
  absl::StatusOr<YearToDate> y = ComputeYearToDate(state, goal_id, *day);
  if (!y.ok()) return y.status();
  ToDate out;
  out.set_as_of(as_of);
  if (y->has_plan) out.set_plan(y->plan);
  out.set_plan_source(y->plan_source);
  if (y->has_actual) out.set_actual(y->actual);
  *out.mutable_targets() = y->targets;
  if (y->fraction.has_value()) out.set_fraction(*y->fraction);
  out.set_band(y->band);
  out.set_at_risk(AtRiskToDate(*y, g->second));
  return out;
}

void AddPreviousValues(const std::string& goal_id,
                       const std::function<absl::StatusOr<PlanState>(uint64_t)>& state_at,
                       BlameResponse* blame) {
  for (BlameLine& line : *blame->mutable_lines()) {
    if (!line.previous_value().empty()) continue;
    if (line.has_change_request()) {
      const ChangeRequest& cr = line.change_request();
      if (line.field() == "targets" && cr.has_targets_before()) {
        line.set_previous_value(rules::FormatTargets(cr.targets_before()));
        continue;
      }
      bool found = false;
      for (const PeriodTargetChange& before : cr.period_targets_before()) {
        if (line.field() == "period." + before.period()) {
          line.set_previous_value(absl::StrCat(before.target()));
          found = true;
        }
      }
      if (found) continue;
    }
    const uint64_t seq = line.change().seq();
    if (seq == 0 || !state_at) continue;
    absl::StatusOr<PlanState> before = state_at(seq - 1);
    if (!before.ok()) continue;
    auto g = before->goals().find(goal_id);
    line.set_previous_value(g == before->goals().end() ? "-" : BlameValue(g->second, line.field()));
    if (line.previous_value().empty()) line.set_previous_value("-");
  }
}

}  // namespace goalsync::core
