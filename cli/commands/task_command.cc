#include "cli/commands/task_command.h"

#include <iostream>
#include <map>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/commands/audit_command.h"
#include "cli/commands/field_help.h"
#include "cli/commands/number_flag.h"
#include "cli/output/event_printer.h"
#include "cli/output/plan_json.h"
#include "cli/output/table.h"
#include "core/plan/queries_views.h"
#include "cli/output/plan_text.h"
#include "cli/replica_session.h"
#include "core/enum_names.h"
#include "nlohmann/json.hpp"

namespace goalsync::cli {
namespace {

using client::Replica;
using Json = nlohmann::ordered_json;

// The task an event names ("" if none): the task_id of its payload's body, if it has one.
std::string TaskIdOf(const v1::Payload& payload) {
  const auto* field = v1::Payload::descriptor()->FindFieldByNumber(payload.body_case());
  if (field == nullptr || field->message_type() == nullptr) return "";
  const google::protobuf::Message& body = payload.GetReflection()->GetMessage(payload, field);
  const auto* task = body.GetDescriptor()->FindFieldByName("task_id");
  if (task == nullptr || task->type() != google::protobuf::FieldDescriptor::TYPE_STRING) return "";
  return body.GetReflection()->GetString(body, task);
}

// Everything about one task: fields, WBS path, dependencies both ways, RACI, resources,
// and its recent history (events of its goal that name it).
absl::Status RunTaskShow(const CliContext& ctx, const std::string& goal, const std::string& task,
                         const std::string& today_text, uint32_t history) {
  absl::StatusOr<absl::CivilDay> today = ParseToday(today_text);
  if (!today.ok()) return today.status();
  absl::StatusOr<std::unique_ptr<Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  const v1::PlanState state = (*replica)->State();
  absl::StatusOr<core::TaskDetail> d = core::DescribeTask(state, goal, task, *today);
  if (!d.ok()) return d.status();
  v1::GetHistoryRequest req;
  req.set_goal_id(goal);
  absl::StatusOr<v1::GetHistoryResponse> events = LoadHistory(ctx, **replica, req);
  std::vector<v1::Event> recent;
  if (events.ok()) {
    for (const v1::Event& e : events->events()) {
      if (TaskIdOf(e.payload()) == task) recent.push_back(e);
    }
    if (recent.size() > history) recent.erase(recent.begin(), recent.end() - history);
  }
  const v1::Task& t = *d->task;
  if (ctx.output_format() == Output::kJson) {
    OrderedJson j = TaskDetailJson(*d);
    OrderedJson h = OrderedJson::array();
    for (const v1::Event& e : recent) h.push_back(OrderedJson::parse(FormatEvent(e, Output::kJson)));
    j["recentHistory"] = h;
    if (!events.ok()) j["historyError"] = std::string(events.status().message());
    std::cout << j.dump() << "\n";
    return absl::OkStatus();
  }
  auto line = [](const std::string& label, const std::string& value) {
    if (!value.empty()) std::cout << "  " << Fit(label, 13) << value << "\n";
  };
  auto refs = [](const std::vector<v1::TaskRef>& rs) {
    std::vector<std::string> out;
    for (const auto& r : rs) out.push_back(r.goal_id() + "/" + r.task_id());
    return absl::StrJoin(out, ", ");
  };
  std::cout << "task " << goal << "/" << t.id() << ": " << t.title() << "\n";
  line("wbs", absl::StrJoin(d->wbs_path, " > "));
  line("status", core::EnumWord(v1::TaskStatus_descriptor(), t.status()) + (d->late ? " (LATE)" : ""));
  line("deliverable", t.deliverable().empty() ? "-" : t.deliverable());
  line("acceptance", t.acceptance().empty() ? "-" : t.acceptance());
  line("dates", absl::StrCat(t.start_date().empty() ? "-" : t.start_date(), " to ",
                             t.due_date().empty() ? "-" : t.due_date()));
  if (t.estimate_days() != 0) line("estimate", absl::StrCat(Number(t.estimate_days()), " days"));
  line("subtasks", absl::StrJoin(d->subtasks, ", "));
  line("depends on", refs(d->depends_on));
  line("needed by", refs(d->dependents));
  std::vector<std::string> raci;
  for (const auto& [person, letters] : d->raci.roles) raci.push_back(person + " " + letters);
  line("raci", (raci.empty() ? "-" : absl::StrJoin(raci, ", ")) + (d->raci.flag.empty() ? "" : "  <- " + d->raci.flag));
  for (const v1::Allocation& a : d->allocations) {
    line("allocation", absl::StrCat(a.person(), " ", Number(a.fte()), " FTE in ", a.period(),
                                    a.skills().empty() ? "" : " (" + a.skills() + ")"));
  }
  for (const v1::Budget& b : d->budgets) {
    line("budget", absl::StrCat(Number(b.amount()), " ", b.currency(), b.category().empty() ? "" : " " + b.category()));
  }
  for (const v1::TimeBlock& b : d->time_blocks) line("time block", TimeBlockText(b));
  if (!events.ok()) {
    line("history", absl::StrCat("not available: ", events.status().message()));
  } else if (!recent.empty()) {
    std::cout << "  recent history (last " << recent.size() << ")\n";
    for (const v1::Event& e : recent) std::cout << "    " << FormatEvent(e, Output::kTable);
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterTaskCommands(CLI::App& app, CliContext& ctx) {
  auto report = [&ctx](absl::Status s) { ctx.exit_code = ReportError(ctx, s); };

  {  // task add | set | status | depends
    CLI::App* task = app.add_subcommand("task", "WBS tasks of a goal");
    task->require_subcommand(1);
    auto t = std::make_shared<v1::TaskAdded>();
    CLI::App* add = task->add_subcommand("add", "Add a task (a work package)");
    add->add_option("GOAL", *t->mutable_goal_id())->required();
    add->add_option("TASK", *t->mutable_task_id())->required();
    add->add_option("--title", *t->mutable_title())->required();
    add->add_option("--parent-task", *t->mutable_parent_task_id(), "The task it breaks down");
    add->add_option("--deliverable", *t->mutable_deliverable());
    add->add_option("--acceptance", *t->mutable_acceptance(), "How its completion is judged");
    add->add_option("--start", *t->mutable_start_date(), "YYYY-MM-DD");
    add->add_option("--due", *t->mutable_due_date(), "YYYY-MM-DD");
    AddNumber(add, "--estimate-days", [t](double d) { t->set_estimate_days(d); }, "Effort");
    add->callback([&ctx, report, t] {
      report(Edit(ctx, "task " + t->task_id() + " added", [t](Replica& r) { return r.AddTask(*t); }));
    });

    auto f = std::make_shared<v1::TaskFieldSet>();
    CLI::App* set = task->add_subcommand("set", "Set one field of a task (goalctl task set --help lists them)");
    set->footer(TaskFieldsHelp());
    set->add_option("GOAL", *f->mutable_goal_id())->required();
    set->add_option("TASK", *f->mutable_task_id())->required();
    set->add_option("FIELD", *f->mutable_field())->required();
    set->add_option("VALUE", *f->mutable_value())->required();
    set->callback([&ctx, report, f] {
      report(Edit(ctx, "task " + f->task_id() + " " + f->field() + " set",
                  [f](Replica& r) { return r.Record(*f); }));
    });

    auto st = std::make_shared<v1::TaskStatusSet>();
    auto status = std::make_shared<std::string>();
    CLI::App* stc = task->add_subcommand(
        "status", "Move a task: " + EnumChoices(v1::TaskStatus_descriptor()));
    stc->add_option("GOAL", *st->mutable_goal_id())->required();
    stc->add_option("TASK", *st->mutable_task_id())->required();
    stc->add_option("STATUS", *status)->required();
    stc->add_option("--note", *st->mutable_note());
    stc->callback([&ctx, report, st, status] {
      absl::StatusOr<int> s = core::ParseEnum(v1::TaskStatus_descriptor(), *status);
      if (!s.ok()) return report(s.status());
      st->set_status(static_cast<v1::TaskStatus>(*s));
      report(Edit(ctx, "task " + st->task_id() + " is " + *status,
                  [st](Replica& r) { return r.Record(*st); }));
    });

    auto d = std::make_shared<v1::TaskDependencyAdded>();
    CLI::App* dep = task->add_subcommand("depends", "TASK starts after ON_TASK finishes");
    dep->add_option("GOAL", *d->mutable_goal_id())->required();
    dep->add_option("TASK", *d->mutable_task_id())->required();
    dep->add_option("ON_GOAL", *d->mutable_depends_on_goal_id())->required();
    dep->add_option("ON_TASK", *d->mutable_depends_on_task_id())->required();
    dep->callback([&ctx, report, d] {
      report(Edit(ctx, "task " + d->task_id() + " depends on " + d->depends_on_task_id(),
                  [d](Replica& r) { return r.Record(*d); }));
    });

    auto goal = std::make_shared<std::string>();
    auto id = std::make_shared<std::string>();
    auto today = std::make_shared<std::string>();
    auto history = std::make_shared<uint32_t>(10);
    CLI::App* show = task->add_subcommand(
        "show", "A task whole: every field, WBS path, dependencies both ways, RACI, allocations, "
                "budget, time blocks, recent history");
    show->add_option("GOAL", *goal)->required();
    show->add_option("TASK", *id)->required();
    show->add_option("--today", *today, "Judge lateness as of this day, YYYY-MM-DD (default: today, UTC)");
    show->add_option("--history", *history, "How many of the task's latest events to show (default 10)");
    show->callback([&ctx, report, goal, id, today, history] {
      report(RunTaskShow(ctx, *goal, *id, *today, *history));
    });
  }

}

}  // namespace goalsync::cli
