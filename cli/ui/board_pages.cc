#include "cli/ui/board_pages.h"

#include <algorithm>
#include <set>
#include <vector>

#include "core/envelope.h"
#include "core/plan/history.h"
#include "core/plan/progress.h"
#include "core/plan/queries.h"
#include "core/plan/queries_views.h"
#include "core/timestamps.h"

namespace goalsync::cli::ui {
namespace {

std::string Day(absl::CivilDay d) { return absl::FormatCivilTime(d); }

std::string StatusWord(v1::TaskStatus s) {
  return s == v1::TASK_STATUS_UNSPECIFIED ? "todo" : Word(v1::TaskStatus_descriptor(), s);
}

}  // namespace

absl::StatusOr<Json> GanttPage(const client::Replica& replica, absl::CivilDay today) {
  const v1::PlanState state = replica.State();
  absl::StatusOr<std::vector<core::GanttBar>> bars = core::GanttBars(state, "", today);
  if (!bars.ok()) return bars.status();
  Json out = Json::array();
  for (const core::GanttBar& b : *bars) {
    Json deps = Json::array();
    for (const v1::TaskRef& d : b.depends_on) deps.push_back(d.goal_id() + "/" + d.task_id());
    out.push_back({{"key", b.goal_id + "/" + b.task_id},
                   {"goal", b.goal_id},
                   {"task", b.task_id},
                   {"title", b.title},
                   {"status", StatusWord(b.status)},
                   {"start", Day(b.start)},
                   {"due", Day(b.due)},
                   {"milestone", b.milestone},
                   {"late", b.late},
                   {"ahead", b.ahead},
                   {"dependsOn", deps}});
  }
  return Json{{"today", Day(today)}, {"bars", out}};
}

absl::StatusOr<Json> KanbanPage(const client::Replica& replica) {
  const v1::PlanState state = replica.State();
  absl::StatusOr<std::vector<const v1::Goal*>> goals = core::GoalsInTreeOrder(state, "");
  if (!goals.ok()) return goals.status();
  Json columns = {{"todo", Json::array()}, {"doing", Json::array()}, {"done", Json::array()},
                  {"blocked", Json::array()}};
  for (const v1::Goal* g : *goals) {
    for (const v1::Task* t : core::TasksByDue(*g)) {
      columns[StatusWord(t->status())].push_back({{"goal", g->id()},
                                                  {"task", t->id()},
                                                  {"title", t->title()},
                                                  {"due", t->due_date()},
                                                  {"owners", core::TaskOwners(*t)}});
    }
  }
  return Json{{"columns", columns}};
}

absl::StatusOr<Json> RaciPage(const client::Replica& replica) {
  const v1::PlanState state = replica.State();
  absl::StatusOr<std::vector<core::RaciRow>> rows = core::RaciMatrix(state, "");
  if (!rows.ok()) return rows.status();
  std::set<std::string> people;
  Json out = Json::array();
  for (const core::RaciRow& r : *rows) {
    for (const auto& [p, l] : r.roles) people.insert(p);
    out.push_back({{"goal", r.goal_id}, {"task", r.task_id}, {"roles", r.roles},
                   {"flag", r.flag}});
  }
  return Json{{"people", people}, {"rows", out}};
}

absl::StatusOr<Json> DashboardPage(const client::Replica& replica, const std::string& goal_arg,
                                   absl::CivilDay today) {
  const v1::PlanState state = replica.State();
  absl::StatusOr<std::vector<const v1::Goal*>> all = core::GoalsInTreeOrder(state, "");
  if (!all.ok()) return all.status();
  if (all->empty()) return absl::FailedPreconditionError("the plan has no goals yet");
  const std::string goal = goal_arg.empty() ? all->front()->id() : goal_arg;
  v1::GetProgressRequest req;
  req.set_goal_id(goal);
  req.set_subtree(true);
  absl::StatusOr<v1::GetProgressResponse> p = core::ProgressReport(state, req);
  if (!p.ok()) return p.status();
  absl::StatusOr<core::TaskCompletion> done = core::CompletionBy(state, goal, today);
  if (!done.ok()) return done.status();
  Json goals = Json::array(), progress = Json::array(), periods = Json::array(),
       checks = Json::array(), over = Json::array();
  for (const v1::Goal* g : *all) goals.push_back({{"id", g->id()}, {"statement", g->statement()}});
  for (const auto& gp : p->progress()) {
    Json j{{"goal", gp.goal_id()}, {"actual", gp.has_actual() ? Json(gp.actual()) : Json(nullptr)},
           {"band", gp.band()}, {"source", gp.source()}, {"targets", TargetsJson(gp.targets())}};
    if (gp.has_fraction()) j["fraction"] = gp.fraction();
    progress.push_back(j);
  }
  for (const auto& v : p->variance()) {
    periods.push_back({{"period", v.period()}, {"plan", v.plan()}, {"actual", v.actual()},
                       {"variance", v.variance()}});
  }
  for (const auto& c : p->checks()) {
    checks.push_back({{"goal", c.goal_id()}, {"what", c.what()}, {"expected", c.expected()},
                      {"actual", c.actual()}, {"ok", c.ok()}});
  }
  Json risks = Json::array();
  absl::StatusOr<std::vector<core::AtRisk>> at_risk = core::GoalsAtRiskToDate(state, goal, today);
  if (!at_risk.ok()) return at_risk.status();
  for (const core::AtRisk& a : *at_risk) {  // year to date, as goalctl dashboard
    Json r{{"goal", a.goal_id}, {"band", a.band}, {"owner", a.owner}};
    if (a.fraction) r["fraction"] = *a.fraction;
    if (a.confidence) r["confidence"] = *a.confidence;
    risks.push_back(r);
  }
  for (const auto& o : p->overallocations()) {
    over.push_back({{"person", o.person()}, {"period", o.period()}, {"fte", o.fte()}});
  }
  return Json{{"goal", goal},
              {"statement", state.goals().at(goal).statement()},
              {"today", Day(today)},
              {"goals", goals},
              {"progress", progress},
              {"periods", periods},
              {"tasksDue", done->due},
              {"tasksDone", done->done},
              {"completionRate", done->rate()},
              {"checks", checks},
              {"atRisk", risks},
              {"overallocations", over}};
}

absl::StatusOr<Json> ReviewsPage(const client::Replica& replica) {
  const v1::PlanState state = replica.State();
  std::vector<const v1::Review*> reviews;
  for (const auto& [id, r] : state.reviews()) reviews.push_back(&r);
  std::sort(reviews.begin(), reviews.end(), [](const v1::Review* a, const v1::Review* b) {
    return std::tie(a->period(), a->goal_id(), a->id()) < std::tie(b->period(), b->goal_id(), b->id());
  });
  Json out = Json::array();
  for (const v1::Review* r : reviews) {
    Json j{{"id", r->id()},
           {"goal", r->goal_id()},
           {"kind", Word(v1::ReviewKind_descriptor(), r->kind())},
           {"period", r->period()},
           {"tasksDue", r->tasks_due()},
           {"tasksDone", r->tasks_done()},
           {"completionRate", r->completion_rate()},
           {"deviationCause", Word(v1::DeviationCause_descriptor(), r->deviation_cause())},
           {"deviation", r->deviation_note()},
           {"decision", Word(v1::ReviewDecision_descriptor(), r->decision())},
           {"changeRequests", r->change_request_ids()},
           {"notes", r->notes()},
           {"recorded", ChangeJson(r->recorded())}};
    v1::GetProgressRequest req;
    req.set_goal_id(r->goal_id());
    req.set_period(r->period());
    if (absl::StatusOr<v1::GetProgressResponse> p = core::ProgressReport(state, req);
        p.ok() && p->progress_size() > 0) {
      const auto& gp = p->progress(0);
      j["band"] = gp.band();
      if (gp.has_actual()) j["actual"] = gp.actual();
      if (gp.has_fraction()) j["fraction"] = gp.fraction();
    }
    out.push_back(j);
  }
  return Json{{"reviews", out}};
}

absl::StatusOr<Json> ChangeRequestsPage(const client::Replica& replica) {
  const v1::PlanState state = replica.State();
  std::vector<const v1::ChangeRequest*> crs;
  for (const auto& [id, cr] : state.change_requests()) crs.push_back(&cr);
  std::sort(crs.begin(), crs.end(), [](const v1::ChangeRequest* a, const v1::ChangeRequest* b) {
    const bool ao = a->status() == v1::CHANGE_REQUEST_STATUS_OPEN;
    const bool bo = b->status() == v1::CHANGE_REQUEST_STATUS_OPEN;
    return ao != bo ? ao : a->id() < b->id();
  });
  Json out = Json::array();
  for (const v1::ChangeRequest* cr : crs) out.push_back(ChangeRequestJson(*cr));
  return Json{{"changeRequests", out}};
}

absl::StatusOr<Json> ConflictsPage(const client::Replica& replica) {
  std::vector<v1::Conflict> conflicts = replica.Conflicts(/*include_resolved=*/true);
  std::stable_sort(conflicts.begin(), conflicts.end(),
                   [](const v1::Conflict& a, const v1::Conflict& b) {
                     return !a.resolved() && b.resolved();
                   });
  Json out = Json::array();
  for (const v1::Conflict& c : conflicts) {
    Json j{{"id", c.id()},
           {"kind", Word(v1::ConflictKind_descriptor(), c.kind())},
           {"goal", c.goal_id()},
           {"field", c.field()},
           {"losingValue", c.losing_value()},
           {"winningValue", c.winning_value()},
           {"loser", ChangeJson(c.loser())},
           {"winner", ChangeJson(c.winner())},
           {"resolved", c.resolved()},
           {"resolution", c.resolution()}};
    if (c.resolved()) j["resolvedBy"] = ChangeJson(c.resolved_by());
    out.push_back(j);
  }
  return Json{{"conflicts", out}};
}

Json StatusJson(const client::Replica& replica) {
  const client::ReplicaStatus st = replica.Status();
  Json pending = Json::array(), rejected = Json::array(), stale = Json::array();
  for (const v1::Event& e : replica.Outbox()) {
    pending.push_back({{"eventId", e.event_id()}, {"type", core::PayloadType(e.payload())},
                       {"goal", std::string(core::GoalIdOf(e.payload()))},
                       {"made", HlcText(e.hlc())}});
  }
  for (const v1::RejectedEdit& r : replica.Rejected()) {
    rejected.push_back({{"eventId", r.event().event_id()},
                        {"type", core::PayloadType(r.event().payload())},
                        {"goal", std::string(core::GoalIdOf(r.event().payload()))},
                        {"reason", r.reason()},
                        {"rejectedAt", TimeText(r.rejected_at())},
                        {"payload", PayloadJson(r.event().payload())}});
  }
  for (const auto& [id, reason] : st.stale) stale.push_back({{"eventId", id}, {"reason", reason}});
  return Json{{"workspace", st.workspace},
              {"confirmedSeq", st.confirmed_seq},
              {"logFrom", st.log_from},
              {"pending", pending},
              {"rejected", rejected},
              {"stale", stale},
              {"lastSync", st.last_sync ? Json(absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                                                                *st.last_sync, absl::UTCTimeZone()))
                                        : Json(nullptr)}};
}

}  // namespace goalsync::cli::ui
