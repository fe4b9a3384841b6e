#include "cli/commands/goal_command.h"

#include <iostream>
#include <map>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/commands/audit_command.h"
#include "cli/commands/field_help.h"
#include "cli/output/plan_json.h"
#include "cli/output/event_printer.h"
#include "cli/output/plan_text.h"
#include "cli/output/table.h"
#include "cli/replica_session.h"
#include "core/enum_names.h"
#include "core/plan/goal_fields.h"
#include "core/plan/period.h"
#include "core/plan/queries_views.h"
#include "nlohmann/json.hpp"

namespace goalsync::cli {
namespace {

using client::Replica;
using Json = nlohmann::ordered_json;

// --- goal add ---------------------------------------------------------------------------

// Every flag of `goal add`: the goal's fields by their `goal set` names, its targets and its
// period targets.
struct GoalAddArgs {
  v1::GoalCreated created;
  std::map<std::string, std::string> fields;  // goal set FIELD -> VALUE, as given
  v1::Targets targets;
  std::vector<std::string> periods;  // PERIOD=VALUE
};

absl::Status RunGoalAdd(const CliContext& ctx, const GoalAddArgs& a) {
  // The same parsers as `goal set` (and the kernel): a bad value is refused before anything
  // is recorded, with the message naming what is accepted.
  v1::Goal probe;
  for (const auto& [field, value] : a.fields) {
    if (absl::Status s = core::SetGoalField(field, value, &probe); !s.ok()) {
      // "level \"galaxy\" is not one of company, ...": the field, then what is accepted.
      std::string why(s.message());
      const std::string prefix = absl::StrCat("goal field ", field, ": ");
      if (why.rfind(prefix, 0) == 0) why = why.substr(prefix.size());
      return absl::InvalidArgumentError(absl::StrCat(field, " ", why, " (goalctl goal add --help)"));
    }
  }
  v1::GoalCreated created = a.created;
  created.set_level(probe.level() == v1::GOAL_LEVEL_UNSPECIFIED ? v1::GOAL_LEVEL_TEAM : probe.level());
  *created.mutable_details() = probe.details();
  std::vector<v1::PeriodTargetSet> periods;
  for (const std::string& p : a.periods) {
    std::pair<std::string, std::string> kv = absl::StrSplit(p, absl::MaxSplits('=', 1));
    double value = 0;
    if (kv.first.empty() || !absl::SimpleAtod(kv.second, &value)) {
      return absl::InvalidArgumentError(absl::StrCat("--target ", p, ": write it as PERIOD=VALUE, e.g. 2026-Q4=12"));
    }
    if (absl::StatusOr<core::Period> period = core::ParsePeriod(kv.first); !period.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("--target ", p, ": ", period.status().message()));
    }
    v1::PeriodTargetSet t;
    t.set_goal_id(created.goal_id());
    t.mutable_target()->set_period(kv.first);
    t.mutable_target()->set_target(value);
    periods.push_back(t);
  }
  const bool targets = a.targets.has_floor() || a.targets.has_base() || a.targets.has_stretch();
  return Edit(ctx, "goal " + created.goal_id() + " added", [&](Replica& r) -> absl::Status {
    if (absl::Status s = r.CreateGoal(created); !s.ok()) return s;
    if (targets) {
      v1::TargetsSet t;
      t.set_goal_id(created.goal_id());
      *t.mutable_targets() = a.targets;
      if (absl::Status s = r.SetTargets(t); !s.ok()) return s;
    }
    for (const v1::PeriodTargetSet& t : periods) {
      if (absl::Status s = r.Record(t); !s.ok()) return s;
    }
    return absl::OkStatus();
  });
}

// A number flag stored into a Targets setter.
CLI::Option* AddTarget(CLI::App* cmd, const std::string& name, std::function<void(double)> set,
                       const std::string& help) {
  return cmd->add_option(
      name,
      [set](const std::vector<std::string>& v) {
        double d = 0;
        if (!absl::SimpleAtod(v[0], &d)) return false;
        set(d);
        return true;
      },
      help);
}

// --- goal show --------------------------------------------------------------------------

std::string Word(const google::protobuf::EnumDescriptor* d, int n) {
  if (n == 0) return "-";  // UNSPECIFIED
  const std::string w = core::EnumWord(d, n);
  return w.empty() ? "-" : w;
}

absl::Status RunGoalShow(const CliContext& ctx, const std::string& id, const std::string& today_text,
                         uint32_t history) {
  absl::StatusOr<absl::CivilDay> today = ParseToday(today_text);
  if (!today.ok()) return today.status();
  absl::StatusOr<std::unique_ptr<Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  const v1::PlanState state = (*replica)->State();
  absl::StatusOr<core::GoalDetail> d = core::DescribeGoal(state, id, *today);
  if (!d.ok()) return d.status();
  v1::GetHistoryRequest req;
  req.set_goal_id(id);
  absl::StatusOr<v1::GetHistoryResponse> events = LoadHistory(ctx, **replica, req);
  std::vector<v1::Event> recent;
  if (events.ok()) {
    const int n = events->events_size();
    for (int i = std::max(0, n - static_cast<int>(history)); i < n; ++i) recent.push_back(events->events(i));
  }
  const v1::Goal& g = *d->goal;
  const v1::GoalDetails& det = g.details();
  if (ctx.output_format() == Output::kJson) {
    Json j = GoalDetailJson(*d);
    Json h = Json::array();
    for (const v1::Event& e : recent) h.push_back(Json::parse(FormatEvent(e, Output::kJson)));
    j["recentHistory"] = h;
    if (!events.ok()) j["historyError"] = std::string(events.status().message());
    std::cout << j.dump() << "\n";
    return absl::OkStatus();
  }
  auto line = [](const std::string& label, const std::string& value) {
    if (!value.empty()) std::cout << "  " << Fit(label, 13) << value << "\n";
  };
  std::cout << "goal " << g.id() << (g.archived() ? " (archived)" : "") << ": " << g.statement() << "\n";
  std::vector<std::string> path = d->path;
  path.push_back(g.id());
  line("path", absl::StrJoin(path, " > "));
  line("level", Word(v1::GoalLevel_descriptor(), g.level()));
  line("owner", g.owner().empty() ? "-" : g.owner());
  line("why", g.why());
  line("kind", Word(v1::GoalKind_descriptor(), det.kind()));
  if (!det.metric().name().empty() || !det.metric().unit().empty()) {
    line("metric", absl::StrCat(det.metric().name(), det.metric().unit().empty() ? "" : " (" + det.metric().unit() + ")"));
  }
  line("definition", det.metric().definition());
  if (det.has_baseline()) line("baseline", Number(det.baseline()));
  line("reference", det.reference());
  line("direction", Word(v1::Direction_descriptor(), det.direction()));
  line("aggregation", Word(v1::Aggregation_descriptor(), det.aggregation()));
  line("certainty", Word(v1::Certainty_descriptor(), det.certainty()));
  line("dates", det.start_date().empty() && det.due_date().empty()
                    ? ""
                    : absl::StrCat(det.start_date().empty() ? "-" : det.start_date(), " to ",
                                   det.due_date().empty() ? "-" : det.due_date()));
  line("rollup", absl::StrCat(Word(v1::RollupRule_descriptor(), det.rollup()),
                              det.rollup_reason().empty() ? "" : " (" + det.rollup_reason() + ")"));
  if (det.has_weight()) line("weight", Number(det.weight()));
  line("targets", TargetsText(g.targets()).empty() ? "none" : TargetsText(g.targets()));
  if (!d->variance.empty()) {
    std::vector<std::string> parts;
    for (const auto& v : d->variance) parts.push_back(absl::StrCat(v.period, " ", Number(v.plan)));
    line("periods", absl::StrJoin(parts, ", "));
  }
  line("progress", ProgressText(d->progress));
  line("to date", ToDateText(d->to_date) + (d->at_risk ? "; AT RISK" : ""));
  line("check-ins", absl::StrCat(g.check_in_count(),
                                 g.check_in_count() == 0 ? "" : absl::StrFormat(", last %s (%s, confidence %.0f%%)",
                                     Number(g.last_check_in().value()),
                                     g.last_check_in().period().empty() ? "no period" : g.last_check_in().period(),
                                     100 * g.last_check_in().confidence())));
  if (!d->variance.empty()) {
    std::cout << "  plan against actual\n" << absl::StrFormat("    %-9s %8s %8s %9s\n", "period", "plan", "actual", "variance");
    for (const auto& v : d->variance) {
      std::cout << absl::StrFormat("    %-9s %8s %8s %+9g\n", v.period, Number(v.plan), Number(v.actual), v.variance);
    }
  }
  for (const core::BreakdownCheck& c : d->checks) {
    std::cout << "  " << (c.ok ? "ok  " : "FAIL") << " " << c.what << ": " << Number(c.actual)
              << (c.ok ? "" : absl::StrCat(", expected ", Number(c.expected))) << "\n";
  }
  line("children", absl::StrJoin(d->children, ", "));
  std::vector<std::string> raci;
  for (const auto& [person, letters] : d->raci.roles) raci.push_back(person + " " + letters);
  line("raci", raci.empty() ? "-" : absl::StrJoin(raci, ", ") + (d->raci.flag.empty() ? "" : "  <- " + d->raci.flag));
  if (!d->tasks.empty()) {
    std::cout << "  tasks\n";
    for (const v1::Task* t : d->tasks) {
      std::cout << "    " << Fit(t->id(), 14) << Fit(Word(v1::TaskStatus_descriptor(), t->status()), 9)
                << Fit(t->due_date().empty() ? "-" : t->due_date(), 12) << t->title() << "\n";
    }
  }
  for (const v1::Allocation& a : g.allocations()) {
    line("allocation", absl::StrCat(a.person(), " ", Number(a.fte()), " FTE in ", a.period(),
                                    a.task_id().empty() ? "" : " on " + a.task_id(),
                                    a.skills().empty() ? "" : " (" + a.skills() + ")"));
  }
  for (const v1::Budget& b : g.budgets()) {
    line("budget", absl::StrCat(Number(b.amount()), " ", b.currency(), b.category().empty() ? "" : " " + b.category(),
                                b.task_id().empty() ? "" : " on " + b.task_id()));
  }
  for (const v1::TimeBlock& b : g.time_blocks()) line("time block", TimeBlockText(b));
  for (const core::Overallocation& o : d->overallocated) {
    line("OVERBOOKED", absl::StrCat(o.person, " ", Number(o.fte), " FTE in ", o.period));
  }
  if (!events.ok()) {
    line("history", absl::StrCat("not available: ", events.status().message()));
  } else if (!recent.empty()) {
    std::cout << "  recent history (last " << recent.size() << ")\n";
    for (const v1::Event& e : recent) std::cout << "    " << FormatEvent(e, Output::kTable);
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterGoalCommands(CLI::App& app, CliContext& ctx) {
  auto report = [&ctx](absl::Status s) { ctx.exit_code = ReportError(ctx, s); };
  CLI::App* goal = app.add_subcommand("goal", "Create, edit and show goals (edits work offline)");
  goal->require_subcommand(1);
  {
    auto a = std::make_shared<GoalAddArgs>();
    CLI::App* add = goal->add_subcommand(
        "add", "Create a goal with its SMART+ fields and its targets, in one command");
    v1::GoalCreated& g = a->created;
    add->add_option("ID", *g.mutable_goal_id(), "Goal id: letters, digits, . _ : -")->required();
    add->add_option("--statement,-s", *g.mutable_statement(), "The outcome, as a result")->required();
    add->add_option("--parent,-p", *g.mutable_parent_id(), "The goal it supports");
    add->add_option("--owner", *g.mutable_owner(), "Person accountable");
    add->add_option("--why", *g.mutable_why(), "Which part of the parent it holds up");
    auto field = [&](const std::string& flag, const std::string& name, const std::string& help) {
      add->add_option_function<std::string>(flag, [a, name](const std::string& v) { a->fields[name] = v; }, help);
    };
    field("--level,-l", "level", "Default team; one of: " + EnumChoices(v1::GoalLevel_descriptor()));
    field("--kind", "kind", EnumChoices(v1::GoalKind_descriptor()));
    field("--metric", "metric_name", "The metric's name (signed customers)");
    field("--unit", "metric_unit", "The metric's unit (customers, CNY, %)");
    field("--definition", "metric_definition", "How the metric is measured");
    field("--baseline", "baseline", "A number: where the metric starts");
    field("--reference", "reference", "The benchmark or history behind the baseline");
    field("--direction", "direction", EnumChoices(v1::Direction_descriptor()));
    field("--aggregation", "aggregation",
          EnumChoices(v1::Aggregation_descriptor()) + " (cumulative: check-ins add up; level: the latest counts)");
    field("--certainty", "certainty", EnumChoices(v1::Certainty_descriptor()));
    field("--start", "start_date", "YYYY-MM-DD");
    field("--due", "due_date", "YYYY-MM-DD");
    field("--rollup", "rollup", EnumChoices(v1::RollupRule_descriptor()));
    field("--rollup-reason", "rollup_reason", "Why this roll-up rule");
    field("--weight", "weight", "A number >= 0: weight in the parent's weighted average (default 1)");
    AddTarget(add, "--floor", [a](double d) { a->targets.set_floor(d); }, "The least acceptable result");
    AddTarget(add, "--base", [a](double d) { a->targets.set_base(d); }, "The planned result");
    AddTarget(add, "--stretch", [a](double d) { a->targets.set_stretch(d); }, "The ambitious result");
    add->add_option("--target", a->periods,
                    "PERIOD=VALUE, a period target (2026-Q1=8, 2026-03=3, 2026-W05=1, 2026=50); "
                    "repeatable");
    add->callback([&ctx, report, a] { report(RunGoalAdd(ctx, *a)); });
  }
  {
    auto s = std::make_shared<v1::GoalFieldSet>();
    CLI::App* set = goal->add_subcommand("set", "Set one field of a goal (goalctl goal set --help lists them)");
    set->add_option("ID", *s->mutable_goal_id())->required();
    set->add_option("FIELD", *s->mutable_field(), "One of the fields below")->required();
    set->add_option("VALUE", *s->mutable_value(), "As the field accepts (below)")->required();
    set->footer(GoalFieldsHelp() +
                "Targets are not fields: goalctl target set. Enum values may also be written in "
                "full (DIRECTION_DECREASE).");
    set->callback([&ctx, report, s] {
      report(Edit(ctx, "goal " + s->goal_id() + " " + s->field() + " set",
                  [s](Replica& r) { return r.Record(*s); }));
    });
  }
  {
    auto m = std::make_shared<v1::GoalMoved>();
    CLI::App* move = goal->add_subcommand("move", "Move a goal under another parent");
    move->add_option("ID", *m->mutable_goal_id())->required();
    move->add_option("PARENT", *m->mutable_new_parent_id())->required();
    move->add_option("--why", *m->mutable_why(), "Why it moves");
    move->callback([&ctx, report, m] {
      report(Edit(ctx, "goal " + m->goal_id() + " moved under " + m->new_parent_id(),
                  [m](Replica& r) { return r.Record(*m); }));
    });
  }
  {
    auto a = std::make_shared<v1::GoalArchived>();
    CLI::App* archive = goal->add_subcommand("archive", "Archive a goal (history is kept)");
    archive->add_option("ID", *a->mutable_goal_id())->required();
    archive->add_option("--reason", *a->mutable_reason());
    archive->callback([&ctx, report, a] {
      report(Edit(ctx, "goal " + a->goal_id() + " archived",
                  [a](Replica& r) { return r.Record(*a); }));
    });
    auto r = std::make_shared<v1::GoalRestored>();
    CLI::App* restore = goal->add_subcommand("restore", "Restore an archived goal");
    restore->add_option("ID", *r->mutable_goal_id())->required();
    restore->callback([&ctx, report, r] {
      report(Edit(ctx, "goal " + r->goal_id() + " restored",
                  [r](Replica& rep) { return rep.Record(*r); }));
    });
  }
  {
    auto id = std::make_shared<std::string>();
    auto today = std::make_shared<std::string>();
    auto history = std::make_shared<uint32_t>(10);
    CLI::App* show = goal->add_subcommand(
        "show", "A goal whole: every field, its path, progress whole and to date, plan against "
                "actual, breakdown checks, RACI, tasks, allocations, recent history");
    show->add_option("ID", *id)->required();
    show->add_option("--today", *today, "Judge year to date as of this day, YYYY-MM-DD (default: today, UTC)");
    show->add_option("--history", *history, "How many of the goal's latest events to show (default 10)");
    show->callback([&ctx, report, id, today, history] { report(RunGoalShow(ctx, *id, *today, *history)); });
  }
}

}  // namespace goalsync::cli
