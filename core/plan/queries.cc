#include "core/plan/queries.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/envelope.h"
#include "core/plan/history.h"
#include "core/plan/progress.h"
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
    *out.add_progress() = ToProto(*p);
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

}  // namespace goalsync::core
