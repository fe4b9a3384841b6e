#include "cli/ui/plan_pages.h"

#include <algorithm>
#include <set>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "core/envelope.h"
#include "core/plan/progress.h"
#include "core/plan/queries.h"
#include "core/plan/tree.h"

namespace goalsync::cli::ui {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

Json ProgressJson(const v1::GoalProgress& p) {
  Json j{{"actual", p.has_actual() ? Json(p.actual()) : Json(nullptr)},
         {"band", p.band()},
         {"source", p.source()},
         {"targets", TargetsJson(p.targets())}};
  if (p.has_fraction()) j["fraction"] = p.fraction();
  return j;
}

// Failed breakdown checks, by goal.
std::map<std::string, Json> FailedChecks(const v1::PlanState& state) {
  std::map<std::string, Json> out;
  for (const core::BreakdownCheck& c : core::CheckBreakdown(state)) {
    if (c.ok) continue;
    if (!out.contains(c.goal_id)) out[c.goal_id] = Json::array();
    out[c.goal_id].push_back({{"what", c.what}, {"expected", c.expected}, {"actual", c.actual}});
  }
  return out;
}

Json DetailsJson(const v1::Goal& g) {
  const v1::GoalDetails& d = g.details();
  Json j{{"kind", Word(v1::GoalKind_descriptor(), d.kind())},
         {"metric", {{"name", d.metric().name()}, {"unit", d.metric().unit()},
                     {"definition", d.metric().definition()}}},
         {"baseline", d.has_baseline() ? Json(d.baseline()) : Json(nullptr)},
         {"reference", d.reference()},
         {"direction", Word(v1::Direction_descriptor(), d.direction())},
         {"aggregation", Word(v1::Aggregation_descriptor(), d.aggregation())},
         {"certainty", Word(v1::Certainty_descriptor(), d.certainty())},
         {"start", d.start_date()},
         {"due", d.due_date()},
         {"rollup", Word(v1::RollupRule_descriptor(), d.rollup())},
         {"rollupReason", d.rollup_reason()},
         {"weight", d.has_weight() ? Json(d.weight()) : Json(nullptr)}};
  return j;
}

Json CheckInJson(const v1::Event& e, bool pending) {
  const v1::CheckInRecorded& c = e.payload().check_in_recorded();
  return Json{{"value", c.value()},       {"period", c.period()},
              {"confidence", c.confidence()}, {"note", c.note()},
              {"by", e.actor()},          {"made", HlcText(e.hlc())},
              {"seq", e.seq()},           {"eventId", e.event_id()},
              {"status", pending ? "pending" : "synced"}};
}

// Check-ins of the goal: confirmed ones from the replica's log (the plan keeps only their
// aggregates), then the pending ones from the outbox.
absl::StatusOr<Json> CheckIns(const client::Replica& r, const std::string& goal_id) {
  v1::GetHistoryRequest req;
  req.set_goal_id(goal_id);
  req.add_types("check_in_recorded");
  absl::StatusOr<v1::GetHistoryResponse> h = r.History(req);
  if (!h.ok()) return h.status();
  Json out = Json::array();
  for (const v1::Event& e : h->events()) out.push_back(CheckInJson(e, false));
  for (const v1::Event& e : r.Outbox()) {
    if (e.payload().has_check_in_recorded() && e.payload().check_in_recorded().goal_id() == goal_id) {
      out.push_back(CheckInJson(e, true));
    }
  }
  return out;
}

// The goal's events, newest first (at most 200), pending edits on top.
absl::StatusOr<Json> HistoryOf(const client::Replica& r, const std::string& goal_id) {
  v1::GetHistoryRequest req;
  req.set_goal_id(goal_id);
  absl::StatusOr<v1::GetHistoryResponse> h = r.History(req);
  if (!h.ok()) return h.status();
  Json out = Json::array();
  for (const v1::Event& e : r.Outbox()) {
    if (core::GoalIdOf(e.payload()) != goal_id) continue;
    Json j = EventJson(e);
    j["status"] = "pending";
    out.push_back(j);
  }
  const int n = h->events_size();
  for (int i = n - 1; i >= 0 && n - i <= 200; --i) {
    Json j = EventJson(h->events(i));
    j["status"] = "synced";
    out.push_back(j);
  }
  return out;
}

absl::StatusOr<Json> BlameOf(const client::Replica& r, const std::string& goal_id) {
  absl::StatusOr<v1::BlameResponse> b = r.Blame(goal_id);
  if (!b.ok()) return b.status();
  Json out = Json::array();
  for (const v1::BlameLine& l : b->lines()) {
    Json j{{"field", l.field()}, {"value", l.value()}, {"change", ChangeJson(l.change())}};
    if (l.has_change_request()) j["changeRequest"] = ChangeRequestJson(l.change_request());
    out.push_back(j);
  }
  return out;
}

Json RaciJson(const google::protobuf::RepeatedPtrField<v1::RaciEntry>& raci) {
  Json out = Json::array();
  for (const v1::RaciEntry& e : raci) {
    out.push_back({{"person", e.person()}, {"role", Word(v1::RaciRole_descriptor(), e.role())}});
  }
  return out;
}

Json TasksJson(const v1::Goal& g) {
  Json out = Json::array();
  for (const v1::Task* t : core::TasksByDue(g)) {
    Json deps = Json::array();
    for (const v1::TaskRef& d : t->depends_on()) {
      deps.push_back({{"goal", d.goal_id().empty() ? g.id() : d.goal_id()}, {"task", d.task_id()}});
    }
    out.push_back({{"id", t->id()},
                   {"parentTask", t->parent_task_id()},
                   {"title", t->title()},
                   {"deliverable", t->deliverable()},
                   {"acceptance", t->acceptance()},
                   {"start", t->start_date()},
                   {"due", t->due_date()},
                   {"estimateDays", t->estimate_days()},
                   {"status", Word(v1::TaskStatus_descriptor(), t->status())},
                   {"owners", core::TaskOwners(*t)},
                   {"dependsOn", deps},
                   {"raci", RaciJson(t->raci())}});
  }
  return out;
}

Json ResourcesJson(const v1::Goal& g) {
  Json people = Json::array(), budgets = Json::array(), blocks = Json::array();
  for (const auto& a : g.allocations()) {
    people.push_back({{"task", a.task_id()}, {"person", a.person()}, {"fte", a.fte()},
                      {"period", a.period()}, {"skills", a.skills()}});
  }
  for (const auto& b : g.budgets()) {
    budgets.push_back({{"task", b.task_id()}, {"amount", b.amount()}, {"currency", b.currency()},
                       {"category", b.category()}});
  }
  for (const auto& t : g.time_blocks()) {
    blocks.push_back({{"task", t.task_id()}, {"person", t.person()}, {"weekday", t.weekday()},
                      {"start", t.start_time()}, {"end", t.end_time()}, {"purpose", t.purpose()}});
  }
  return Json{{"people", people}, {"budgets", budgets}, {"timeBlocks", blocks}};
}

Json PeriodsJson(const v1::Goal& g, const v1::GetProgressResponse& p) {
  Json out = Json::array();
  for (const v1::PeriodVariance& v : p.variance()) {
    Json j{{"period", v.period()}, {"plan", v.plan()}, {"actual", v.actual()},
           {"variance", v.variance()}};
    if (auto it = g.original_period_targets().find(v.period());
        it != g.original_period_targets().end() && it->second != v.plan()) {
      j["original"] = it->second;
    }
    out.push_back(j);
  }
  return out;
}

// --- as of ------------------------------------------------------------------------------

std::string ScalarText(const Message& m, const FieldDescriptor* f, int index) {
  const auto* r = m.GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrFormat("%g", rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrFormat("%g", rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f));
    case FieldDescriptor::CPPTYPE_BOOL:
      return (rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int v = rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f);
      return EnumText(f->enum_type(), v);
    }
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f));
    default:
      return "";
  }
}

// Derived records the kernel keeps for queries (blame, check-in aggregates): not the plan's
// fields, and they would bury the plan's changes.
bool IsBookkeeping(const std::string& name) {
  return name == "blame" || name == "actuals" || name == "last_check_in";
}

void Flatten(const Message& m, const std::string& prefix, std::map<std::string, std::string>* out);

void FlattenMap(const Message& m, const FieldDescriptor* f, const std::string& name,
                std::map<std::string, std::string>* out) {
  const auto* r = m.GetReflection();
  for (int i = 0; i < r->FieldSize(m, f); ++i) {
    const Message& entry = r->GetRepeatedMessage(m, f, i);
    const FieldDescriptor* key = entry.GetDescriptor()->map_key();
    const FieldDescriptor* value = entry.GetDescriptor()->map_value();
    const std::string path = absl::StrCat(name, ".", ScalarText(entry, key, 0));
    if (value->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      Flatten(entry.GetReflection()->GetMessage(entry, value), path, out);
    } else {
      (*out)[path] = ScalarText(entry, value, 0);
    }
  }
}

void Flatten(const Message& m, const std::string& prefix, std::map<std::string, std::string>* out) {
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->message_type() == v1::Change::descriptor() || IsBookkeeping(f->name())) continue;
    const std::string name = prefix.empty() ? f->name() : absl::StrCat(prefix, ".", f->name());
    if (f->is_map()) {
      FlattenMap(m, f, name, out);
    } else if (f->is_repeated()) {
      for (int k = 0; k < r->FieldSize(m, f); ++k) {
        // Keyed by content, so that removing one entry does not shift the others.
        const std::string text = f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE
                                     ? r->GetRepeatedMessage(m, f, k).ShortDebugString()
                                     : ScalarText(m, f, k);
        (*out)[absl::StrCat(name, "[", text, "]")] = "yes";
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      if (r->HasField(m, f)) Flatten(r->GetMessage(m, f), name, out);
    } else if (r->HasField(m, f)) {  // proto3 scalars without presence: not the default
      (*out)[name] = ScalarText(m, f, 0);
    }
  }
}

absl::StatusOr<uint64_t> ResolveSeq(const client::Replica& r, const std::string& at) {
  uint64_t seq = 0;
  if (absl::SimpleAtoi(at, &seq)) return seq;
  absl::Time t;
  std::string err;
  if (!absl::ParseTime("%Y-%m-%d", at, absl::UTCTimeZone(), &t, &err)) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", at, "\" is neither a seq nor a date (YYYY-MM-DD)"));
  }
  return r.SeqAt(t + absl::Hours(24) - absl::Nanoseconds(1));
}

template <typename Map>
void CompareItems(const std::string& kind, const Map& then, const Map& now, Json* items) {
  std::set<std::string> ids;
  for (const auto& [id, x] : then) ids.insert(id);
  for (const auto& [id, x] : now) ids.insert(id);
  for (const std::string& id : ids) {
    std::map<std::string, std::string> a, b;
    if (auto it = then.find(id); it != then.end()) a = FlattenFields(it->second);
    if (auto it = now.find(id); it != now.end()) b = FlattenFields(it->second);
    std::set<std::string> fields;
    for (const auto& [k, v] : a) fields.insert(k);
    for (const auto& [k, v] : b) fields.insert(k);
    Json rows = Json::array();
    int changed = 0;
    for (const std::string& f : fields) {
      const bool in_a = a.contains(f), in_b = b.contains(f);
      const bool differs = in_a != in_b || (in_a && a[f] != b[f]);
      changed += differs;
      rows.push_back({{"field", f},
                      {"then", in_a ? Json(a[f]) : Json(nullptr)},
                      {"now", in_b ? Json(b[f]) : Json(nullptr)},
                      {"changed", differs}});
    }
    const bool was = then.find(id) != then.end(), is = now.find(id) != now.end();
    items->push_back({{"kind", kind},
                      {"id", id},
                      {"status", !was ? "added" : !is ? "removed" : changed ? "changed" : "same"},
                      {"changedFields", changed},
                      {"fields", rows}});
  }
}

}  // namespace

std::map<std::string, std::string> FlattenFields(const Message& message) {
  std::map<std::string, std::string> out;
  Flatten(message, "", &out);
  return out;
}

absl::StatusOr<Json> TreePage(const client::Replica& replica, const std::string& period) {
  const v1::PlanState state = replica.State();
  absl::StatusOr<std::vector<const v1::Goal*>> goals = core::GoalsInTreeOrder(state, "");
  if (!goals.ok()) return goals.status();
  std::map<std::string, Json> failed = FailedChecks(state);
  std::map<std::string, int> depth;
  Json out = Json::array();
  for (const v1::Goal* g : *goals) {
    const auto parent = depth.find(g->parent_id());
    const int d = parent == depth.end() ? 0 : parent->second + 1;
    depth[g->id()] = d;
    v1::GetProgressRequest req;
    req.set_goal_id(g->id());
    req.set_period(period);
    absl::StatusOr<v1::GetProgressResponse> p = core::ProgressReport(state, req);
    if (!p.ok()) return p.status();
    out.push_back({{"id", g->id()},
                   {"depth", d},
                   {"parent", g->parent_id()},
                   {"level", Word(v1::GoalLevel_descriptor(), g->level())},
                   {"statement", g->statement()},
                   {"owner", g->owner()},
                   {"unit", g->details().metric().unit()},
                   {"progress", ProgressJson(p->progress(0))},
                   {"failedChecks", failed.contains(g->id()) ? failed[g->id()] : Json::array()}});
  }
  return Json{{"period", period}, {"goals", out}};
}

absl::StatusOr<Json> GoalPage(const client::Replica& replica, const std::string& goal_id) {
  const v1::PlanState state = replica.State();
  absl::StatusOr<v1::Goal> g = core::FindGoal(state, goal_id);
  if (!g.ok()) return g.status();
  v1::GetProgressRequest req;
  req.set_goal_id(goal_id);
  absl::StatusOr<v1::GetProgressResponse> p = core::ProgressReport(state, req);
  if (!p.ok()) return p.status();
  absl::StatusOr<Json> check_ins = CheckIns(replica, goal_id);
  if (!check_ins.ok()) return check_ins.status();
  absl::StatusOr<Json> history = HistoryOf(replica, goal_id);
  if (!history.ok()) return history.status();
  absl::StatusOr<Json> blame = BlameOf(replica, goal_id);
  if (!blame.ok()) return blame.status();
  Json children = Json::array();
  for (const v1::Goal* c : core::Children(state, goal_id)) {
    children.push_back({{"id", c->id()}, {"statement", c->statement()}});
  }
  Json crs = Json::array();
  for (const auto& [id, cr] : state.change_requests()) {
    if (cr.goal_id() == goal_id) crs.push_back(ChangeRequestJson(cr));
  }
  std::map<std::string, Json> failed = FailedChecks(state);
  return Json{{"id", g->id()},
              {"statement", g->statement()},
              {"why", g->why()},
              {"owner", g->owner()},
              {"level", Word(v1::GoalLevel_descriptor(), g->level())},
              {"parent", g->parent_id()},
              {"archived", g->archived()},
              {"details", DetailsJson(*g)},
              {"targets", TargetsJson(g->targets())},
              {"originalTargets", TargetsJson(g->original_targets())},
              {"progress", ProgressJson(p->progress(0))},
              {"periods", PeriodsJson(*g, *p)},
              {"failedChecks", failed.contains(goal_id) ? failed[goal_id] : Json::array()},
              {"checkIns", *check_ins},
              {"tasks", TasksJson(*g)},
              {"raci", RaciJson(g->raci())},
              {"resources", ResourcesJson(*g)},
              {"children", children},
              {"changeRequests", crs},
              {"blame", *blame},
              {"history", *history}};
}

absl::StatusOr<Json> AsOfPage(const client::Replica& replica, const std::string& at) {
  absl::StatusOr<uint64_t> seq = ResolveSeq(replica, at);
  if (!seq.ok()) return seq.status();
  absl::StatusOr<v1::PlanState> then = replica.StateAsOf(*seq);
  if (!then.ok()) return then.status();
  const v1::PlanState now = replica.State();
  Json items = Json::array();
  CompareItems("goal", then->goals(), now.goals(), &items);
  CompareItems("change request", then->change_requests(), now.change_requests(), &items);
  CompareItems("review", then->reviews(), now.reviews(), &items);
  return Json{{"at", at}, {"seq", *seq}, {"nowSeq", now.seq()}, {"items", items}};
}

}  // namespace goalsync::cli::ui
