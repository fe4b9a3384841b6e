// goalctl's views of the plan, drawn from the local replica: kanban, raci, gantt (--svg),
// dashboard (--svg), review --week|--month|--quarter, state --as-of, diff.
#include "cli/commands/view_commands.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "cli/replica_session.h"
#include "core/enum_names.h"
#include "core/plan/period.h"
#include "core/plan/queries.h"
#include "core/plan/queries_views.h"
#include "cli/output/plan_json.h"
#include "cli/output/plan_text.h"
#include "cli/output/svg.h"
#include "cli/output/table.h"
#include "nlohmann/json.hpp"

namespace goalsync::cli {
namespace {

using client::Replica;
using Json = nlohmann::ordered_json;

// --- shared bits ------------------------------------------------------------------------

std::string StatusWord(v1::TaskStatus s) {
  switch (s) {
    case v1::TASK_STATUS_DOING: return "doing";
    case v1::TASK_STATUS_DONE: return "done";
    case v1::TASK_STATUS_BLOCKED: return "blocked";
    default: return "todo";
  }
}

absl::StatusOr<absl::CivilDay> Today(const std::string& today) {
  if (today.empty()) return absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  return core::ParseDate(today);
}

// --- kanban -----------------------------------------------------------------------------

absl::Status RunKanban(const CliContext& ctx, const std::string& goal, const std::string& owner) {
  absl::StatusOr<std::unique_ptr<Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  const v1::PlanState state = (*replica)->State();
  absl::StatusOr<std::vector<const v1::Goal*>> goals = core::GoalsInTreeOrder(state, goal);
  if (!goals.ok()) return goals.status();
  const std::vector<std::string> columns = {"todo", "doing", "done", "blocked"};
  std::map<std::string, std::vector<Json>> cards;
  for (const v1::Goal* g : *goals) {
    for (const v1::Task* t : core::TasksByDue(*g)) {
      const std::vector<std::string> owners = core::TaskOwners(*t);
      if (!owner.empty() && std::find(owners.begin(), owners.end(), owner) == owners.end()) continue;
      cards[StatusWord(t->status())].push_back(Json{{"goal", g->id()},
                                                   {"task", t->id()},
                                                   {"title", t->title()},
                                                   {"due", t->due_date()},
                                                   {"owners", owners}});
    }
  }
  if (ctx.output_format() == Output::kJson) {
    Json j = Json::object();
    for (const auto& c : columns) j[c] = cards.contains(c) ? Json(cards[c]) : Json::array();
    std::cout << j.dump() << "\n";
    return absl::OkStatus();
  }
  std::vector<std::string> shown = {"todo", "doing", "done"};
  if (cards.contains("blocked")) shown.push_back("blocked");
  constexpr size_t kWidth = 40;
  size_t rows = 0;
  for (const auto& c : shown) rows = std::max(rows, cards[c].size());
  std::string header, rule;
  for (const auto& c : shown) {
    header += Fit(absl::StrCat(Upper(c), " (", cards[c].size(), ")"), kWidth);
    rule += Fit(std::string(kWidth - 2, '-'), kWidth);
  }
  std::cout << TrimRight(header) << "\n" << TrimRight(rule) << "\n";
  // Each card: its title wrapped to the column (never cut), then goal/task and due date.
  for (size_t r = 0; r < rows; ++r) {
    std::vector<std::vector<std::string>> cells;
    std::vector<size_t> widths;
    for (const auto& c : shown) {
      std::vector<std::string> lines;
      if (r < cards[c].size()) {
        const Json& card = cards[c][r];
        lines = Wrap(card["title"].get<std::string>(), kWidth - 2);
        for (const std::string& l : Wrap(absl::StrCat(card["goal"].get<std::string>(), "/",
                                                      card["task"].get<std::string>(),
                                                      card["due"].get<std::string>().empty() ? "" : " due ",
                                                      card["due"].get<std::string>()),
                                         kWidth - 4)) {
          lines.push_back("  " + l);
        }
      }
      cells.push_back(std::move(lines));
      widths.push_back(kWidth);
    }
    std::cout << SideBySide(cells, widths);
  }
  return absl::OkStatus();
}

// --- raci -------------------------------------------------------------------------------

absl::Status RunRaci(const CliContext& ctx, const std::string& goal) {
  absl::StatusOr<std::unique_ptr<Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  const v1::PlanState state = (*replica)->State();
  absl::StatusOr<std::vector<core::RaciRow>> matrix = core::RaciMatrix(state, goal);
  if (!matrix.ok()) return matrix.status();
  struct Row {
    std::string what;
    std::map<std::string, std::string> roles;  // person -> letters
    std::string flag;
  };
  std::vector<Row> rows;
  std::set<std::string> people;
  for (const core::RaciRow& r : *matrix) {
    rows.push_back({r.task_id.empty() ? r.goal_id : absl::StrCat(r.goal_id, "/", r.task_id), r.roles, r.flag});
    for (const auto& [person, letters] : r.roles) people.insert(person);
  }
  if (ctx.output_format() == Output::kJson) {
    Json j = Json::array();
    for (const Row& r : rows) {
      Json roles = Json::object();
      for (const auto& [p, l] : r.roles) roles[p] = l;
      j.push_back({{"item", r.what}, {"roles", roles}, {"flag", r.flag}});
    }
    std::cout << j.dump() << "\n";
    return absl::OkStatus();
  }
  size_t label = 12;
  for (const Row& r : rows) label = std::max(label, r.what.size() + 2);
  label = std::min<size_t>(label, 44);
  size_t cell = 4;
  for (const auto& p : people) cell = std::max(cell, p.size() + 2);
  std::string header = Fit("", label);
  for (const auto& p : people) header += Fit(p, cell);
  std::cout << TrimRight(header) << "\n";
  for (const Row& r : rows) {
    std::string line = Fit(r.what, label);
    for (const auto& p : people) line += Fit(r.roles.contains(p) ? r.roles.at(p) : ".", cell);
    if (!r.flag.empty()) line += "<- " + r.flag;
    std::cout << TrimRight(line) << "\n";
  }
  return absl::OkStatus();
}

// --- gantt ------------------------------------------------------------------------------

absl::StatusOr<std::vector<GanttRow>> GanttRows(const v1::PlanState& state, const std::string& goal,
                                      absl::CivilDay today) {
  absl::StatusOr<std::vector<core::GanttBar>> computed = core::GanttBars(state, goal, today);
  if (!computed.ok()) return computed.status();
  std::vector<GanttRow> bars;
  for (const core::GanttBar& g : *computed) {
    bars.push_back(GanttRow{g.goal_id, g.task_id, g.title, StatusWord(g.status), g.start, g.due,
                       g.milestone, g.late, g.ahead});
  }
  return bars;
}

absl::Status RunGantt(const CliContext& ctx, const std::string& goal, const std::string& svg,
                      const std::string& today_text) {
  absl::StatusOr<absl::CivilDay> today = Today(today_text);
  if (!today.ok()) return today.status();
  absl::StatusOr<std::unique_ptr<Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  absl::StatusOr<std::vector<GanttRow>> bars = GanttRows((*replica)->State(), goal, *today);
  if (!bars.ok()) return bars.status();
  if (bars->empty()) {
    std::cout << "no tasks with due dates" << (goal.empty() ? "" : " under " + goal) << "\n";
    return absl::OkStatus();
  }
  absl::CivilDay first = bars->front().start, last = bars->front().due;
  for (const GanttRow& b : *bars) {
    first = std::min(first, b.start);
    last = std::max(last, b.due);
  }
  if (!svg.empty()) {
    if (absl::Status s = WriteFile(svg, GanttSvg(*bars, first, last, *today)); !s.ok()) return s;
  }
  if (ctx.output_format() == Output::kJson) {
    Json j = Json::array();
    for (const GanttRow& b : *bars) {
      j.push_back({{"goal", b.goal}, {"task", b.task}, {"title", b.title},
                   {"start", absl::FormatCivilTime(b.start)}, {"due", absl::FormatCivilTime(b.due)},
                   {"status", b.status}, {"milestone", b.milestone}, {"late", b.late}, {"ahead", b.ahead}});
    }
    std::cout << j.dump() << "\n";
    return absl::OkStatus();
  }
  constexpr int kAxis = 48;
  const double days = std::max<double>(1, last - first + 1);
  auto col = [&](absl::CivilDay d) {
    return std::min(kAxis - 1, static_cast<int>(kAxis * ((d - first) / days)));
  };
  size_t label = 10;
  for (const GanttRow& b : *bars) label = std::max(label, b.goal.size() + b.task.size() + 1);
  label = std::min<size_t>(label, 36);
  std::string axis(kAxis, ' ');
  for (absl::CivilMonth m(first); absl::CivilDay(m) <= last; ++m) {
    const int c = col(std::max(absl::CivilDay(m), first));
    const std::string name = absl::FormatCivilTime(m).substr(5, 2);
    if (c + 2 <= kAxis && axis[c] == ' ') axis.replace(c, 2, name);
  }
  std::cout << Fit("", label + 1) << "|" << axis << "|\n";
  for (const GanttRow& b : *bars) {
    std::string line(kAxis, ' ');
    if (b.milestone) {
      line[col(b.due)] = '*';
    } else {
      for (int c = col(b.start); c <= col(b.due); ++c) line[c] = b.status == "done" ? '#' : '=';
    }
    if (*today >= first && *today <= last && line[col(*today)] == ' ') line[col(*today)] = ':';
    std::cout << Fit(b.goal + "/" + b.task, label + 1) << "|" << line << "| "
              << absl::FormatCivilTime(b.due) << " " << Mark(b) << "\n";
  }
  std::cout << Fit("", label + 1) << " " << absl::FormatCivilTime(first) << " .. "
            << absl::FormatCivilTime(last) << "   = planned  # done  * milestone  : today\n";
  return absl::OkStatus();
}

// --- dashboard --------------------------------------------------------------------------

absl::Status RunDashboard(const CliContext& ctx, const std::string& goal_arg, const std::string& svg,
                          const std::string& today_text) {
  absl::StatusOr<absl::CivilDay> today = Today(today_text);
  if (!today.ok()) return today.status();
  absl::StatusOr<std::unique_ptr<Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  const v1::PlanState state = (*replica)->State();
  std::string goal = goal_arg;
  if (goal.empty()) {
    absl::StatusOr<std::vector<const v1::Goal*>> all = core::GoalsInTreeOrder(state, "");
    if (!all.ok()) return all.status();
    if (all->empty()) return absl::FailedPreconditionError("the plan has no goals yet");
    goal = all->front()->id();
  }
  v1::GetProgressRequest req;
  req.set_goal_id(goal);
  req.set_subtree(true);
  absl::StatusOr<v1::GetProgressResponse> p = (*replica)->Progress(req);
  if (!p.ok()) return p.status();
  // Completion rate: tasks of the subtree that are due by today and done.
  absl::StatusOr<core::TaskCompletion> completion = core::CompletionBy(state, goal, *today);
  if (!completion.ok()) return completion.status();
  const int due = completion->due, done = completion->done;
  // Year to date as of today: the plan to date against the actual to date (core/plan/progress).
  absl::StatusOr<core::YearToDate> ytd = core::ComputeYearToDate(state, goal, *today);
  if (!ytd.ok()) return ytd.status();
  absl::StatusOr<std::vector<core::AtRisk>> at_risk = core::GoalsAtRiskToDate(state, goal, *today);
  if (!at_risk.ok()) return at_risk.status();
  std::vector<Json> risks;
  for (const core::AtRisk& a : *at_risk) {
    Json r{{"goal", a.goal_id}, {"band", a.band}, {"owner", a.owner}};
    if (a.fraction) r["fraction"] = *a.fraction;
    if (a.confidence) r["confidence"] = *a.confidence;
    risks.push_back(r);
  }
  if (!svg.empty()) {
    std::vector<v1::PeriodVariance> periods(p->variance().begin(), p->variance().end());
    if (absl::Status s = WriteFile(svg, BurnUpSvg(goal, periods)); !s.ok()) return s;
  }
  if (ctx.output_format() == Output::kJson) {
    Json j{{"goal", goal}, {"toDate", YearToDateJson(*ytd)}, {"periods", Json::array()},
           {"tasksDue", due}, {"tasksDone", done},
           {"completionRate", due == 0 ? 1.0 : static_cast<double>(done) / due}, {"atRisk", risks}};
    for (const auto& v : p->variance()) {
      j["periods"].push_back({{"period", v.period()}, {"plan", v.plan()}, {"actual", v.actual()},
                              {"variance", v.variance()}});
    }
    std::cout << j.dump() << "\n";
    return absl::OkStatus();
  }
  const v1::GoalProgress& top = p->progress(0);
  std::cout << goal << ": " << state.goals().at(goal).statement() << "\n"
            << "  to date     " << ToDateText(*ytd) << "\n"
            << "  whole goal  " << (top.has_actual() ? absl::StrFormat("%g", top.actual()) : "-");
  if (top.has_fraction()) std::cout << absl::StrFormat(" (%.0f%%)", 100 * top.fraction());
  std::cout << ", " << top.band() << "\n\n";
  if (!p->variance().empty()) {
    std::cout << "  period      plan   actual   variance\n";
    for (const auto& v : p->variance()) {
      std::cout << absl::StrFormat("  %-9s %6g %8g %+10g\n", v.period(), v.plan(), v.actual(), v.variance());
    }
    std::cout << "\n";
  }
  std::cout << absl::StrFormat("  tasks due by today: %d, done: %d, completion rate %.0f%%\n", due, done,
                               due == 0 ? 100.0 : 100.0 * done / due);
  std::cout << "  at risk to date:" << (risks.empty() ? " none" : "") << "\n";
  for (const Json& r : risks) {
    std::cout << "    " << r["goal"].get<std::string>() << " (" << r["band"].get<std::string>()
              << (r.contains("confidence") ? absl::StrFormat(", confidence %.0f%%", 100 * r["confidence"].get<double>()) : "")
              << ", owner " << r["owner"].get<std::string>() << ")\n";
  }
  return absl::OkStatus();
}

// --- review report ----------------------------------------------------------------------

absl::Status RunReviewReport(const CliContext& ctx, v1::ReviewKind kind, const std::string& period,
                             const std::string& goal) {
  if (absl::StatusOr<core::Period> p = core::ParsePeriod(period); !p.ok()) return p.status();
  absl::StatusOr<std::unique_ptr<Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  const v1::PlanState state = (*replica)->State();
  std::vector<const v1::Review*> reviews;
  for (const auto& [id, r] : state.reviews()) {
    if (r.kind() == kind && r.period() == period && (goal.empty() || r.goal_id() == goal)) {
      reviews.push_back(&r);
    }
  }
  std::sort(reviews.begin(), reviews.end(), [](auto* a, auto* b) { return a->goal_id() < b->goal_id(); });
  const std::string kind_name = core::EnumWord(v1::ReviewKind_descriptor(), kind);
  Json out{{"kind", kind_name}, {"period", period}, {"reviews", Json::array()}};
  for (const v1::Review* r : reviews) {
    Json j{{"id", r->id()},
           {"goal", r->goal_id()},
           {"tasksDue", r->tasks_due()},
           {"tasksDone", r->tasks_done()},
           {"completionRate", r->completion_rate()},
           {"deviationCause", r->deviation_cause() == 0 ? "" : core::EnumWord(v1::DeviationCause_descriptor(), r->deviation_cause())},
           {"deviation", r->deviation_note()},
           {"decision", r->decision() == 0 ? "" : core::EnumWord(v1::ReviewDecision_descriptor(), r->decision())},
           {"changeRequests", r->change_request_ids()},
           {"notes", r->notes()},
           {"by", r->recorded().actor()}};
    v1::GetProgressRequest req;
    req.set_goal_id(r->goal_id());
    req.set_period(period);
    if (absl::StatusOr<v1::GetProgressResponse> p = (*replica)->Progress(req); p.ok() && p->progress_size() > 0) {
      const auto& gp = p->progress(0);
      if (gp.has_actual()) j["actual"] = gp.actual();
      if (gp.has_fraction()) j["fraction"] = gp.fraction();
      j["band"] = gp.band();
    }
    out["reviews"].push_back(j);
  }
  if (ctx.output_format() == Output::kJson) {
    std::cout << out.dump() << "\n";
    return absl::OkStatus();
  }
  std::cout << kind_name << " review " << period << (goal.empty() ? "" : " of " + goal) << ": "
            << reviews.size() << " recorded\n";
  for (const Json& j : out["reviews"]) {
    std::cout << "\n" << j["goal"].get<std::string>() << " (by " << j["by"].get<std::string>() << ")\n"
              << absl::StrFormat("  completion  %.0f%% (%d of %d tasks due)\n",
                                 100 * j["completionRate"].get<double>(), j["tasksDone"].get<int>(),
                                 j["tasksDue"].get<int>());
    if (j.contains("actual")) {
      std::cout << "  progress    " << absl::StrFormat("%g", j["actual"].get<double>())
                << (j.contains("fraction") ? absl::StrFormat(" (%.0f%%)", 100 * j["fraction"].get<double>()) : "")
                << ", " << j["band"].get<std::string>() << "\n";
    }
    if (!j["deviationCause"].get<std::string>().empty() || !j["deviation"].get<std::string>().empty()) {
      std::cout << "  deviation   " << j["deviationCause"].get<std::string>()
                << (j["deviation"].get<std::string>().empty() ? "" : ": " + j["deviation"].get<std::string>()) << "\n";
    }
    if (!j["decision"].get<std::string>().empty()) std::cout << "  decision    " << j["decision"].get<std::string>() << "\n";
    if (!j["changeRequests"].empty()) {
      std::cout << "  changes     " << absl::StrJoin(j["changeRequests"].get<std::vector<std::string>>(), ", ") << "\n";
    }
    if (!j["notes"].get<std::string>().empty()) std::cout << "  notes       " << j["notes"].get<std::string>() << "\n";
  }
  return absl::OkStatus();
}

// --- state --as-of, diff ----------------------------------------------------------------

// SEQ (digits) or DATE (YYYY-MM-DD: the end of that day, UTC) or RFC 3339: the seq of the
// plan the user means.
absl::StatusOr<uint64_t> ResolveSeq(Replica& replica, const std::string& when) {
  uint64_t seq = 0;
  if (absl::SimpleAtoi(when, &seq)) return seq;
  absl::Time t;
  std::string err;
  if (absl::ParseTime("%Y-%m-%d", when, absl::UTCTimeZone(), &t, &err)) {
    t += absl::Hours(24) - absl::Nanoseconds(1);
  } else if (!absl::ParseTime(absl::RFC3339_full, when, &t, &err)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", when, "\" is neither a seq, a date (YYYY-MM-DD) nor a time (RFC 3339)"));
  }
  return replica.SeqAt(t);
}

Json GoalSummary(const v1::Goal& g) {
  Json j{{"id", g.id()}, {"parent", g.parent_id()}, {"statement", g.statement()},
         {"owner", g.owner()}, {"archived", g.archived()}};
  if (g.targets().has_floor()) j["floor"] = g.targets().floor();
  if (g.targets().has_base()) j["base"] = g.targets().base();
  if (g.targets().has_stretch()) j["stretch"] = g.targets().stretch();
  std::map<std::string, double> periods(g.period_targets().begin(), g.period_targets().end());
  j["periodTargets"] = periods;
  j["checkIns"] = g.check_in_count();
  std::map<std::string, std::string> tasks;
  for (const auto& [id, t] : g.tasks()) tasks[id] = StatusWord(t.status());
  j["tasks"] = tasks;
  return j;
}

absl::Status RunState(const CliContext& ctx, const std::string& as_of) {
  absl::StatusOr<std::unique_ptr<Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  absl::StatusOr<uint64_t> seq = ResolveSeq(**replica, as_of);
  if (!seq.ok()) return seq.status();
  absl::StatusOr<v1::PlanState> state = (*replica)->StateAsOf(*seq);
  if (!state.ok()) return state.status();
  std::map<std::string, const v1::Goal*> goals;
  for (const auto& [id, g] : state->goals()) goals[id] = &g;
  if (ctx.output_format() == Output::kJson) {
    Json j{{"seq", *seq}, {"goals", Json::array()}};
    for (const auto& [id, g] : goals) j["goals"].push_back(GoalSummary(*g));
    std::cout << j.dump() << "\n";
    return absl::OkStatus();
  }
  std::cout << "plan of " << ctx.workspace << " as of seq " << *seq << ": " << goals.size() << " goals\n";
  for (const auto& [id, g] : goals) {
    const Json j = GoalSummary(*g);
    std::cout << "  " << id << (g->archived() ? " (archived)" : "") << "  " << g->statement() << "\n"
              << "      owner " << (g->owner().empty() ? "-" : g->owner());
    for (const char* t : {"floor", "base", "stretch"}) {
      if (j.contains(t)) std::cout << " | " << t << " " << j[t].get<double>();
    }
    for (const auto& [p, v] : j["periodTargets"].items()) std::cout << " | " << p << " " << v.get<double>();
    std::cout << " | " << g->check_in_count() << " check-ins, " << g->tasks_size() << " tasks\n";
  }
  return absl::OkStatus();
}

absl::Status RunDiff(const CliContext& ctx, const std::string& from, const std::string& to) {
  absl::StatusOr<std::unique_ptr<Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  absl::StatusOr<uint64_t> a = ResolveSeq(**replica, from);
  if (!a.ok()) return a.status();
  absl::StatusOr<uint64_t> b = ResolveSeq(**replica, to);
  if (!b.ok()) return b.status();
  absl::StatusOr<v1::PlanState> before = (*replica)->StateAsOf(*a);
  if (!before.ok()) return before.status();
  absl::StatusOr<v1::PlanState> after = (*replica)->StateAsOf(*b);
  if (!after.ok()) return after.status();
  std::set<std::string> ids;
  for (const auto& [id, g] : before->goals()) ids.insert(id);
  for (const auto& [id, g] : after->goals()) ids.insert(id);
  Json changes = Json::array();
  for (const std::string& id : ids) {
    const bool was = before->goals().contains(id), is = after->goals().contains(id);
    if (!was) {
      changes.push_back({{"goal", id}, {"change", "added"}, {"to", after->goals().at(id).statement()}});
      continue;
    }
    if (!is) {
      changes.push_back({{"goal", id}, {"change", "removed"}});
      continue;
    }
    const Json x = GoalSummary(before->goals().at(id)), y = GoalSummary(after->goals().at(id));
    for (const auto& [key, value] : y.items()) {
      const Json old = x.contains(key) ? x[key] : Json(nullptr);
      if (key == "periodTargets" || key == "tasks") {
        std::set<std::string> keys;
        for (const auto& [k, v] : old.items()) keys.insert(k);
        for (const auto& [k, v] : value.items()) keys.insert(k);
        for (const std::string& k : keys) {
          const Json o = old.contains(k) ? old[k] : Json(nullptr), n = value.contains(k) ? value[k] : Json(nullptr);
          if (o != n) changes.push_back({{"goal", id}, {"change", (key == "tasks" ? "task " : "period ") + k}, {"from", o}, {"to", n}});
        }
      } else if (old != value) {
        changes.push_back({{"goal", id}, {"change", key}, {"from", old}, {"to", value}});
      }
    }
    for (const char* t : {"floor", "base", "stretch"}) {
      if (x.contains(t) && !y.contains(t)) changes.push_back({{"goal", id}, {"change", t}, {"from", x[t]}, {"to", nullptr}});
    }
  }
  if (ctx.output_format() == Output::kJson) {
    std::cout << Json{{"fromSeq", *a}, {"toSeq", *b}, {"changes", changes}}.dump() << "\n";
    return absl::OkStatus();
  }
  std::cout << "plan changes from seq " << *a << " to seq " << *b << ": " << changes.size() << "\n";
  auto text = [](const Json& v) { return v.is_null() ? std::string("-") : v.is_string() ? v.get<std::string>() : v.dump(); };
  for (const Json& c : changes) {
    std::cout << "  " << c["goal"].get<std::string>() << "  " << c["change"].get<std::string>();
    if (c.contains("from")) std::cout << ": " << text(c["from"]) << " -> " << text(c["to"]);
    else if (c.contains("to")) std::cout << ": " << text(c["to"]);
    std::cout << "\n";
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterViewCommands(CLI::App& app, CliContext& ctx) {
  auto report = [&ctx](absl::Status s) { ctx.exit_code = ReportError(ctx, s); };
  {
    auto goal = std::make_shared<std::string>();
    auto owner = std::make_shared<std::string>();
    CLI::App* kanban = app.add_subcommand("kanban", "Tasks in todo / doing / done columns");
    kanban->add_option("--goal", *goal, "Only this goal's subtree");
    kanban->add_option("--owner", *owner, "Only tasks this person is R (or A) on");
    kanban->callback([&ctx, report, goal, owner] { report(RunKanban(ctx, *goal, *owner)); });
  }
  {
    auto goal = std::make_shared<std::string>();
    CLI::App* raci = app.get_subcommand("raci");
    CLI::App* matrix = raci->add_subcommand("matrix", "The RACI matrix; a missing or second A is flagged");
    matrix->add_option("GOAL", *goal, "Only this goal's subtree");
    matrix->callback([&ctx, report, goal] { report(RunRaci(ctx, *goal)); });
    // `goalctl raci` alone shows the matrix.
    raci->require_subcommand(0, 1);
    raci->add_option("GOAL", *goal, "Only this goal's subtree (for the matrix)");
    raci->callback([&ctx, report, goal, raci] {
      if (raci->get_subcommands().empty()) report(RunRaci(ctx, *goal));
    });
  }
  {
    auto goal = std::make_shared<std::string>();
    auto svg = std::make_shared<std::string>();
    auto today = std::make_shared<std::string>();
    CLI::App* gantt = app.add_subcommand("gantt", "Tasks and milestones on a time axis; late and ahead marked");
    gantt->add_option("GOAL", *goal, "Only this goal's subtree");
    gantt->add_option("--svg", *svg, "Also write the chart as SVG to this file");
    gantt->add_option("--today", *today, "Judge lateness as of this date (default: today)");
    gantt->callback([&ctx, report, goal, svg, today] { report(RunGantt(ctx, *goal, *svg, *today)); });
  }
  {
    auto goal = std::make_shared<std::string>();
    auto svg = std::make_shared<std::string>();
    auto today = std::make_shared<std::string>();
    CLI::App* dash = app.add_subcommand(
        "dashboard", "Plan against actual per period, completion rate, goals at risk");
    dash->add_option("GOAL", *goal, "The goal (default: the first company goal)");
    dash->add_option("--svg", *svg, "Also write a burn-up chart as SVG to this file");
    dash->add_option("--today", *today,
                     "Judge year to date and count tasks due as of this day, YYYY-MM-DD "
                     "(default: today, UTC)");
    dash->footer("To date: the plan to --today (quarterly, else monthly, else the year's targets "
                 "of ended periods, plus the share of the period under way; without period "
                 "targets, the share of the year of the goal's target) against the check-ins of "
                 "periods begun by then. At risk: below floor to date, or below base to date with "
                 "the last check-in's confidence under 50%; never without a check-in.");
    dash->callback([&ctx, report, goal, svg, today] { report(RunDashboard(ctx, *goal, *svg, *today)); });
  }
  {
    CLI::App* review = app.get_subcommand("review");
    auto week = std::make_shared<std::string>();
    auto month = std::make_shared<std::string>();
    auto quarter = std::make_shared<std::string>();
    auto goal = std::make_shared<std::string>();
    auto* w = review->add_option("--week", *week, "The weekly review report of PERIOD (2026-W05)");
    auto* m = review->add_option("--month", *month, "The monthly review report of PERIOD (2026-02)");
    auto* q = review->add_option("--quarter", *quarter, "The quarterly review report of PERIOD (2026-Q1)");
    w->excludes(m)->excludes(q);
    m->excludes(q);
    review->add_option("--goal", *goal, "Only this goal's reviews");
    review->require_subcommand(0, 1);
    review->callback([&ctx, report, review, week, month, quarter, goal] {
      if (!review->get_subcommands().empty()) return;
      if (!week->empty()) return report(RunReviewReport(ctx, v1::REVIEW_KIND_WEEKLY, *week, *goal));
      if (!month->empty()) return report(RunReviewReport(ctx, v1::REVIEW_KIND_MONTHLY, *month, *goal));
      if (!quarter->empty()) return report(RunReviewReport(ctx, v1::REVIEW_KIND_QUARTERLY, *quarter, *goal));
      std::cerr << "goalctl: review needs --week, --month or --quarter PERIOD (or: review add)\n";
      ctx.exit_code = kExitUsage;
    });
  }
  {
    auto as_of = std::make_shared<std::string>();
    CLI::App* state = app.add_subcommand("state", "The plan as it was at a seq or date");
    state->add_option("--as-of", *as_of, "SEQ, DATE (YYYY-MM-DD, end of day UTC) or RFC 3339 time")
        ->required();
    state->callback([&ctx, report, as_of] { report(RunState(ctx, *as_of)); });
  }
  {
    auto from = std::make_shared<std::string>();
    auto to = std::make_shared<std::string>();
    CLI::App* diff = app.add_subcommand("diff", "What changed in the plan between two dates (or seqs)");
    diff->add_option("--from", *from, "SEQ, DATE or RFC 3339 time")->required();
    diff->add_option("--to", *to, "SEQ, DATE or RFC 3339 time")->required();
    diff->callback([&ctx, report, from, to] { report(RunDiff(ctx, *from, *to)); });
  }
}

}  // namespace goalsync::cli
