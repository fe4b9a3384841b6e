#include "server/service/plan_queries.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/envelope.h"
#include "core/plan/history.h"
#include "core/plan/progress.h"
#include "core/plan/tree.h"

namespace goalsync::server {
namespace {

using namespace goalsync::v1;  // NOLINT: the generated messages

absl::StatusOr<Workspace*> Resolve(EventLog& log, const std::string& name) {
  if (absl::Status s = core::ValidateWorkspaceName(name); !s.ok()) return s;
  absl::StatusOr<Workspace*> ws = log.GetWorkspace(name);
  if (ws.ok() && !(*ws)->load_error.ok()) return (*ws)->load_error;
  return ws;
}

// A copy of the committed plan (queries then run without holding the workspace lock).
PlanState Snapshot(Workspace& ws) {
  absl::MutexLock lock(&ws.mu);
  return ws.state;
}

int64_t Nanos(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000000 + t.nanos();
}

// The last seq accepted at or before `t` (0 if none): server_time never decreases along the
// log, so a binary search over seqs finds it.
absl::StatusOr<uint64_t> SeqAtTime(EventLog& log, Workspace& ws, const google::protobuf::Timestamp& t) {
  uint64_t lo = 0, hi = ws.CommittedSeq();  // invariant: seq lo is at or before t (0 is)
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo + 1) / 2;
    absl::StatusOr<Event> e = log.store().ReadEvent(ws.id, mid);
    if (!e.ok()) return e.status();
    if (Nanos(e->server_time()) <= Nanos(t)) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

const Goal* FindGoal(const PlanState& state, const std::string& id) {
  auto it = state.goals().find(id);
  return it == state.goals().end() ? nullptr : &it->second;
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

bool Matches(const Event& e, const GetHistoryRequest& r, const PlanState& state) {
  if (!r.goal_id().empty() && core::GoalIdOf(e.payload()) != r.goal_id()) return false;
  if (!r.actor().empty() && e.actor() != r.actor()) return false;
  if (r.has_since() && Nanos(e.server_time()) < Nanos(r.since())) return false;
  if (r.has_until() && Nanos(e.server_time()) > Nanos(r.until())) return false;
  if (!r.types().empty() &&
      std::find(r.types().begin(), r.types().end(), core::PayloadType(e.payload())) ==
          r.types().end()) {
    return false;
  }
  return r.field().empty() || core::TouchesField(e, r.field(), state);
}

}  // namespace

absl::StatusOr<GetStateResponse> QueryState(EventLog& log, const GetStateRequest& r) {
  absl::StatusOr<Workspace*> ws = Resolve(log, r.workspace());
  if (!ws.ok()) return ws.status();
  GetStateResponse out;
  if (r.as_of_case() == GetStateRequest::AS_OF_NOT_SET) {
    *out.mutable_state() = Snapshot(**ws);
    return out;
  }
  uint64_t seq = r.seq();
  if (r.has_time()) {
    absl::StatusOr<uint64_t> at = SeqAtTime(log, **ws, r.time());
    if (!at.ok()) return at.status();
    seq = *at;
  }
  absl::StatusOr<PlanState> state = log.StateAsOf(**ws, seq);
  if (!state.ok()) return state.status();
  *out.mutable_state() = std::move(*state);
  return out;
}

absl::StatusOr<Goal> QueryGoal(EventLog& log, const GetGoalRequest& r) {
  absl::StatusOr<Workspace*> ws = Resolve(log, r.workspace());
  if (!ws.ok()) return ws.status();
  absl::MutexLock lock(&(*ws)->mu);
  const Goal* g = FindGoal((*ws)->state, r.goal_id());
  if (g == nullptr) return absl::NotFoundError(absl::StrCat("goal ", r.goal_id(), " does not exist"));
  return *g;
}

absl::StatusOr<ListGoalsResponse> QueryGoals(EventLog& log, const ListGoalsRequest& r) {
  absl::StatusOr<Workspace*> ws = Resolve(log, r.workspace());
  if (!ws.ok()) return ws.status();
  ListGoalsResponse out;
  absl::MutexLock lock(&(*ws)->mu);
  std::vector<const Goal*> goals;
  for (const auto& [id, g] : (*ws)->state.goals()) goals.push_back(&g);
  std::sort(goals.begin(), goals.end(), [](const Goal* a, const Goal* b) { return a->id() < b->id(); });
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

absl::StatusOr<GetProgressResponse> QueryProgress(EventLog& log, const GetProgressRequest& r) {
  absl::StatusOr<Workspace*> ws = Resolve(log, r.workspace());
  if (!ws.ok()) return ws.status();
  const PlanState state = Snapshot(**ws);
  if (FindGoal(state, r.goal_id()) == nullptr) {
    return absl::NotFoundError(absl::StrCat("goal ", r.goal_id(), " does not exist"));
  }
  std::vector<std::string> goals = {r.goal_id()};
  if (r.subtree()) {
    goals.clear();
    for (const Goal* g : core::Subtree(state, r.goal_id())) goals.push_back(g->id());
  }
  GetProgressResponse out;
  for (const std::string& id : goals) {
    absl::StatusOr<core::Progress> p = core::ComputeProgress(
        state, id, r.period(),
        r.original_targets() ? core::Scoring::kOriginalTargets : core::Scoring::kCurrentTargets);
    if (!p.ok()) return p.status();
    *out.add_progress() = ToProto(*p);
  }
  absl::StatusOr<std::vector<core::PeriodVariance>> variance =
      core::ComputeVariance(state, r.goal_id());
  if (!variance.ok()) return variance.status();
  for (const auto& v : *variance) {
    PeriodVariance* pv = out.add_variance();
    pv->set_period(v.period);
    pv->set_plan(v.plan);
    pv->set_actual(v.actual);
    pv->set_variance(v.variance);
  }
  for (const core::BreakdownCheck& c : core::CheckBreakdown(state)) {
    if (std::find(goals.begin(), goals.end(), c.goal_id) == goals.end()) continue;
    BreakdownCheck* bc = out.add_checks();
    bc->set_goal_id(c.goal_id);
    bc->set_what(c.what);
    bc->set_expected(c.expected);
    bc->set_actual(c.actual);
    bc->set_ok(c.ok);
  }
  for (const core::Overallocation& o : core::FindOverallocations(state)) {
    Overallocation* po = out.add_overallocations();
    po->set_person(o.person);
    po->set_period(o.period);
    po->set_fte(o.fte);
  }
  return out;
}

absl::StatusOr<GetHistoryResponse> QueryHistory(EventLog& log, const GetHistoryRequest& r) {
  absl::StatusOr<Workspace*> ws = Resolve(log, r.workspace());
  if (!ws.ok()) return ws.status();
  const PlanState state = Snapshot(**ws);
  const size_t limit = r.limit() == 0 ? 1000 : r.limit();
  GetHistoryResponse out;
  auto consider = [&](const Event& e) {
    if (Matches(e, r, state)) *out.add_events() = e;
    return static_cast<size_t>(out.events_size()) < limit;
  };
  const uint64_t head = (*ws)->CommittedSeq();
  if (!r.goal_id().empty()) {
    // The by_goal index: only this goal's events are read.
    absl::StatusOr<std::vector<uint64_t>> seqs = log.store().GoalSeqs((*ws)->id, r.goal_id());
    if (!seqs.ok()) return seqs.status();
    for (uint64_t seq : *seqs) {
      if (seq > head) break;
      absl::StatusOr<Event> e = log.store().ReadEvent((*ws)->id, seq);
      if (!e.ok()) return e.status();
      if (!consider(*e)) break;
    }
    return out;
  }
  uint64_t from = 1;
  if (r.has_since()) {
    google::protobuf::Timestamp before = r.since();
    before.set_nanos(before.nanos() - 1);  // the last event strictly before `since`
    if (before.nanos() < 0) {
      before.set_seconds(before.seconds() - 1);
      before.set_nanos(999999999);
    }
    absl::StatusOr<uint64_t> at = SeqAtTime(log, **ws, before);
    if (!at.ok()) return at.status();
    from = *at + 1;
  }
  std::vector<Event> page;
  for (uint64_t next = from; next <= head;) {
    page.clear();
    if (absl::Status s = log.ReadCommitted(**ws, next, 4096, &page); !s.ok()) return s;
    if (page.empty()) break;
    for (const Event& e : page) {
      if (r.has_until() && Nanos(e.server_time()) > Nanos(r.until())) return out;
      if (!consider(e)) return out;
    }
    next = page.back().seq() + 1;
  }
  return out;
}

absl::StatusOr<BlameResponse> QueryBlame(EventLog& log, const BlameRequest& r) {
  absl::StatusOr<Workspace*> ws = Resolve(log, r.workspace());
  if (!ws.ok()) return ws.status();
  absl::MutexLock lock(&(*ws)->mu);
  const PlanState& state = (*ws)->state;
  const Goal* g = FindGoal(state, r.goal_id());
  if (g == nullptr) return absl::NotFoundError(absl::StrCat("goal ", r.goal_id(), " does not exist"));
  std::vector<std::string> fields;
  for (const auto& [field, change] : g->blame()) fields.push_back(field);
  std::sort(fields.begin(), fields.end());
  BlameResponse out;
  for (const std::string& field : fields) {
    BlameLine* line = out.add_lines();
    line->set_field(field);
    line->set_value(core::BlameValue(*g, field));
    *line->mutable_change() = g->blame().at(field);
    const std::string& cr = line->change().change_request_id();
    if (auto it = state.change_requests().find(cr); !cr.empty() && it != state.change_requests().end()) {
      *line->mutable_change_request() = it->second;
    }
  }
  return out;
}

}  // namespace goalsync::server
