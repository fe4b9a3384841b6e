#include "core/plan/queries.h"

#include <algorithm>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/envelope.h"
#include "core/plan/history.h"
#include "core/plan/period.h"
#include "core/plan/progress.h"
#include "core/plan/queries_views.h"
#include "core/plan/tree.h"

namespace goalsync::core {
namespace {

using namespace goalsync::v1;  // NOLINT: the generated messages

const Goal* Lookup(const PlanState& state, const std::string& id) {
  auto it = state.goals().find(id);
  return it == state.goals().end() ? nullptr : &it->second;
}

absl::Status NoSuchGoal(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("goal ", id, " does not exist"));
}

GoalProgress ToProto(const core::Progress& p) {
  GoalProgress out;
  out.set_goal_id(p.goal_id);
  out.set_actual(p.actual);
  out.set_has_actual(p.has_actual);
  *out.mutable_targets() = p.targets;
  if (p.fraction.has_value()) out.set_fraction(*p.fraction);
  out.set_band(p.band);
  out.set_source(p.source);
  return out;
}

}  // namespace

absl::StatusOr<Goal> FindGoal(const PlanState& state, const std::string& goal_id) {
  const Goal* g = Lookup(state, goal_id);
  if (g == nullptr) return NoSuchGoal(goal_id);
  return *g;
}

ListGoalsResponse ListGoals(const PlanState& state, const ListGoalsRequest& r) {
  std::vector<const Goal*> goals;
  for (const auto& [id, g] : state.goals()) goals.push_back(&g);
  std::sort(goals.begin(), goals.end(), [](const Goal* a, const Goal* b) { return a->id() < b->id(); });
  ListGoalsResponse out;
  for (const Goal* g : goals) {
    const bool orphan = g->level() != GOAL_LEVEL_COMPANY && g->parent_id().empty();
    if (g->archived() && !r.include_archived()) continue;
    if (r.level() != GOAL_LEVEL_UNSPECIFIED && g->level() != r.level()) continue;
    if (!r.parent_id().empty() && g->parent_id() != r.parent_id()) continue;
    if (!r.owner().empty() && g->owner() != r.owner()) continue;
    if (r.orphans_only() && !orphan) continue;
    GoalSummary* s = out.add_goals();
    s->set_id(g->id());
    s->set_level(g->level());
    s->set_parent_id(g->parent_id());
    s->set_statement(g->statement());
    s->set_owner(g->owner());
    s->set_archived(g->archived());
    s->set_orphan(orphan);
    *s->mutable_targets() = g->targets();
    s->set_kind(g->details().kind());
  }
  return out;
}

absl::StatusOr<GetProgressResponse> ProgressReport(const PlanState& state, const GetProgressRequest& r) {
  if (Lookup(state, r.goal_id()) == nullptr) return NoSuchGoal(r.goal_id());
  std::vector<std::string> goals = {r.goal_id()};
  if (r.subtree()) {
    goals.clear();
    for (const Goal* g : Subtree(state, r.goal_id())) goals.push_back(g->id());
  }
  GetProgressResponse out;
  for (const std::string& id : goals) {
    absl::StatusOr<core::Progress> p = ComputeProgress(
        state, id, r.period(),
        r.original_targets() ? Scoring::kOriginalTargets : Scoring::kCurrentTargets);
    if (!p.ok()) return p.status();
    GoalProgress* gp = out.add_progress();
    *gp = ToProto(*p);
    if (!r.as_of().empty()) {
      absl::StatusOr<goalsync::v1::ToDate> to_date = ToDateProto(state, id, r.as_of());
      if (!to_date.ok()) return to_date.status();
      *gp->mutable_to_date() = *to_date;
    }
  }
  absl::StatusOr<std::vector<core::PeriodVariance>> variance = ComputeVariance(state, r.goal_id());
  if (!variance.ok()) return variance.status();
  for (const auto& v : *variance) {
    goalsync::v1::PeriodVariance* pv = out.add_variance();
    pv->set_period(v.period);
    pv->set_plan(v.plan);
    pv->set_actual(v.actual);
    pv->set_variance(v.variance);
  }
  for (const core::BreakdownCheck& c : CheckBreakdown(state)) {
    if (std::find(goals.begin(), goals.end(), c.goal_id) == goals.end()) continue;
    goalsync::v1::BreakdownCheck* bc = out.add_checks();
    bc->set_goal_id(c.goal_id);
    bc->set_what(c.what);
    bc->set_expected(c.expected);
    bc->set_actual(c.actual);
    bc->set_ok(c.ok);
  }
  for (const core::Overallocation& o : FindOverallocations(state)) {
    goalsync::v1::Overallocation* po = out.add_overallocations();
    po->set_person(o.person);
    po->set_period(o.period);
    po->set_fte(o.fte);
  }
  return out;
}

bool HistoryMatches(const Event& e, const GetHistoryRequest& r, const PlanState& state) {
  if (!r.goal_id().empty() && GoalIdOf(e.payload()) != r.goal_id()) return false;
  if (!r.actor().empty() && e.actor() != r.actor()) return false;
  if (r.has_since() && TimestampNanos(e.server_time()) < TimestampNanos(r.since())) return false;
  if (r.has_until() && TimestampNanos(e.server_time()) > TimestampNanos(r.until())) return false;
  if (!r.types().empty() &&
      std::find(r.types().begin(), r.types().end(), PayloadType(e.payload())) == r.types().end()) {
    return false;
  }
  return r.field().empty() || TouchesField(e, r.field(), state);
}

absl::StatusOr<BlameResponse> Blame(const PlanState& state, const std::string& goal_id) {
  const Goal* g = Lookup(state, goal_id);
  if (g == nullptr) return NoSuchGoal(goal_id);
  std::vector<std::string> fields;
  for (const auto& [field, change] : g->blame()) fields.push_back(field);
  std::sort(fields.begin(), fields.end());
  BlameResponse out;
  for (const std::string& field : fields) {
    BlameLine* line = out.add_lines();
    line->set_field(field);
    line->set_value(BlameValue(*g, field));
    *line->mutable_change() = g->blame().at(field);
    const std::string& cr = line->change().change_request_id();
    if (auto it = state.change_requests().find(cr); !cr.empty() && it != state.change_requests().end()) {
      *line->mutable_change_request() = it->second;
    }
  }
  return out;
}

// --- The views' numbers -----------------------------------------------------------------

absl::StatusOr<std::vector<const Goal*>> GoalsInTreeOrder(const PlanState& state,
                                                          const std::string& root) {
  std::vector<const Goal*> out;
  if (!root.empty()) {
    if (Lookup(state, root) == nullptr) return NoSuchGoal(root);
    for (const Goal* g : Subtree(state, root)) {
      if (!g->archived()) out.push_back(g);
    }
    return out;
  }
  std::vector<std::string> roots;
  for (const auto& [id, g] : state.goals()) {
    if (g.parent_id().empty() || !state.goals().contains(g.parent_id())) roots.push_back(id);
  }
  std::sort(roots.begin(), roots.end());
  for (const std::string& r : roots) {
    for (const Goal* g : Subtree(state, r)) {
      if (!g->archived()) out.push_back(g);
    }
  }
  return out;
}

std::vector<const Task*> TasksByDue(const Goal& goal) {
  std::vector<const Task*> out;
  for (const auto& [id, t] : goal.tasks()) out.push_back(&t);
  std::sort(out.begin(), out.end(), [](const Task* a, const Task* b) {
    return std::tie(a->due_date(), a->id()) < std::tie(b->due_date(), b->id());
  });
  return out;
}

std::vector<std::string> TaskOwners(const Task& task) {
  std::vector<std::string> r, a;
  for (const RaciEntry& e : task.raci()) {
    if (e.role() == RACI_ROLE_RESPONSIBLE) r.push_back(e.person());
    if (e.role() == RACI_ROLE_ACCOUNTABLE) a.push_back(e.person());
  }
  return r.empty() ? a : r;
}

absl::StatusOr<std::vector<GanttBar>> GanttBars(const PlanState& state, const std::string& root,
                                                absl::CivilDay today) {
  absl::StatusOr<std::vector<const Goal*>> goals = GoalsInTreeOrder(state, root);
  if (!goals.ok()) return goals.status();
  std::vector<GanttBar> bars;
  for (const Goal* g : *goals) {
    for (const Task* t : TasksByDue(*g)) {
      absl::StatusOr<absl::CivilDay> due = ParseDate(t->due_date());
      if (t->due_date().empty() || !due.ok()) continue;
      GanttBar b{.goal_id = g->id(), .task_id = t->id(), .title = t->title(),
                 .status = t->status(), .start = *due, .due = *due};
      if (absl::StatusOr<absl::CivilDay> start = ParseDate(t->start_date()); start.ok()) {
        b.start = std::min(*start, *due);
      } else {
        b.milestone = true;
      }
      const bool done = t->status() == TASK_STATUS_DONE;
      b.late = !done && b.due < today;
      if (done && t->done().has_hlc()) {
        const absl::CivilDay finished = absl::ToCivilDay(
            absl::FromUnixMicros(static_cast<int64_t>(t->done().hlc().physical_micros())),
            absl::UTCTimeZone());
        b.ahead = finished < b.due;
      }
      for (TaskRef dep : t->depends_on()) {
        if (dep.goal_id().empty()) dep.set_goal_id(g->id());
        b.depends_on.push_back(dep);
      }
      bars.push_back(std::move(b));
    }
  }
  return bars;
}

absl::StatusOr<TaskCompletion> CompletionBy(const PlanState& state, const std::string& root,
                                            absl::CivilDay today) {
  absl::StatusOr<std::vector<const Goal*>> goals = GoalsInTreeOrder(state, root);
  if (!goals.ok()) return goals.status();
  TaskCompletion c;
  for (const Goal* g : *goals) {
    for (const auto& [id, t] : g->tasks()) {
      absl::StatusOr<absl::CivilDay> d = ParseDate(t.due_date());
      if (!d.ok() || *d > today) continue;
      ++c.due;
      c.done += t.status() == TASK_STATUS_DONE;
    }
  }
  return c;
}

namespace {

char RoleLetter(RaciRole r) {
  switch (r) {
    case RACI_ROLE_RESPONSIBLE: return 'R';
    case RACI_ROLE_ACCOUNTABLE: return 'A';
    case RACI_ROLE_CONSULTED: return 'C';
    case RACI_ROLE_INFORMED: return 'I';
    default: return '?';
  }
}

RaciRow MakeRaciRow(const std::string& goal_id, const std::string& task_id,
                    const google::protobuf::RepeatedPtrField<RaciEntry>& raci) {
  RaciRow row{.goal_id = goal_id, .task_id = task_id};
  for (const RaciEntry& e : raci) {
    row.roles[e.person()] += RoleLetter(e.role());
    row.accountable += e.role() == RACI_ROLE_ACCOUNTABLE;
  }
  // A task always needs its A; a goal only once someone has a role on it.
  if (row.accountable == 0 && (!task_id.empty() || !raci.empty())) row.flag = "no A";
  if (row.accountable > 1) row.flag = absl::StrCat(row.accountable, " A: exactly one");
  return row;
}

}  // namespace

absl::StatusOr<std::vector<RaciRow>> RaciMatrix(const PlanState& state, const std::string& root) {
  absl::StatusOr<std::vector<const Goal*>> goals = GoalsInTreeOrder(state, root);
  if (!goals.ok()) return goals.status();
  std::vector<RaciRow> rows;
  for (const Goal* g : *goals) {
    rows.push_back(MakeRaciRow(g->id(), "", g->raci()));
    for (const Task* t : TasksByDue(*g)) rows.push_back(MakeRaciRow(g->id(), t->id(), t->raci()));
  }
  return rows;
}

std::vector<AtRisk> GoalsAtRisk(const PlanState& state, const GetProgressResponse& progress) {
  std::vector<AtRisk> out;
  for (const GoalProgress& gp : progress.progress()) {
    const Goal* g = Lookup(state, gp.goal_id());
    if (g == nullptr) continue;
    std::optional<double> confidence;
    if (g->check_in_count() > 0) confidence = g->last_check_in().confidence();
    const bool below_floor = gp.band() == "below floor";
    const bool unsure = gp.band() == "below base" && confidence.has_value() && *confidence < 0.5;
    if (!below_floor && !unsure) continue;
    AtRisk r{.goal_id = g->id(), .band = gp.band(), .owner = g->owner(), .confidence = confidence};
    if (gp.has_fraction()) r.fraction = gp.fraction();
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace goalsync::core
