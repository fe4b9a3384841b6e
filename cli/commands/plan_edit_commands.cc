// goalctl's planning edits, all through the local replica (they work offline):
//   target set, cr list|show|approve|reject, task add|set|status|depends, raci set|unset,
//   alloc people|budget|time, review add.
#include "cli/commands/plan_edit_commands.h"

#include <cctype>
#include <iostream>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/output/plan_text.h"
#include "cli/replica_session.h"
#include "core/enum_names.h"
#include "nlohmann/json.hpp"

namespace goalsync::cli {

namespace {

using client::Replica;
using Json = nlohmann::ordered_json;

// A double option stored into a proto setter.
template <typename Setter>
CLI::Option* AddNumber(CLI::App* cmd, const std::string& name, Setter set,
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

// "cr-<goal>-<6 hex>": short enough to type, random enough not to collide within a goal.
std::string NewRequestId(const std::string& goal) {
  return absl::StrCat("cr-", goal, "-", client::NewEventId().substr(0, 6));
}

struct TargetArgs {
  std::string goal;
  v1::Targets targets;
  std::vector<std::string> periods;  // PERIOD=VALUE
  std::string reason;
  std::vector<std::string> evidence;
  std::string request_id;
  bool direct = false;
};

absl::Status RunTargetSet(const CliContext& ctx, const TargetArgs& a) {
  std::vector<v1::PeriodTargetChange> periods;
  for (const std::string& p : a.periods) {
    std::pair<std::string, std::string> kv = absl::StrSplit(p, absl::MaxSplits('=', 1));
    v1::PeriodTargetChange c;
    double value = 0;
    if (kv.first.empty() || !absl::SimpleAtod(kv.second, &value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--period ", p, ": write it as PERIOD=VALUE, e.g. 2026-Q4=12"));
    }
    c.set_period(kv.first);
    c.set_target(value);
    periods.push_back(c);
  }
  const bool whole = a.targets.has_floor() || a.targets.has_base() || a.targets.has_stretch();
  if (!whole && periods.empty()) {
    return absl::InvalidArgumentError("nothing to set: give --floor, --base, --stretch or --period");
  }
  std::string what;
  absl::Status s = Edit(ctx, "targets of " + a.goal, [&](Replica& r) -> absl::Status {
    absl::StatusOr<v1::Goal> goal = r.GetGoal(a.goal);
    if (!goal.ok()) return goal.status();
    // Setting a target for the first time is planning; changing one is a controlled change.
    bool changes = (whole && (goal->targets().has_floor() || goal->targets().has_base() ||
                              goal->targets().has_stretch()));
    for (const auto& p : periods) changes |= goal->period_targets().contains(p.period());
    if (changes && !a.direct) {
      if (a.reason.empty()) {
        return absl::InvalidArgumentError(
            "changing a target that is set needs --reason (it becomes a change request a "
            "manager approves); --direct sets it at once");
      }
      v1::ChangeRequestOpened cr;
      cr.set_change_request_id(a.request_id.empty() ? NewRequestId(a.goal) : a.request_id);
      cr.set_goal_id(a.goal);
      if (whole) *cr.mutable_targets() = a.targets;
      for (const auto& p : periods) *cr.add_period_targets() = p;
      cr.set_reason(a.reason);
      for (const auto& e : a.evidence) cr.add_evidence(e);
      std::cout << "change request " << cr.change_request_id() << " opened; approve with: goalctl cr approve "
                << cr.change_request_id() << "\n";
      return r.OpenChangeRequest(cr);
    }
    if (whole) {
      v1::TargetsSet t;
      t.set_goal_id(a.goal);
      *t.mutable_targets() = a.targets;
      if (absl::Status st = r.SetTargets(t); !st.ok()) return st;
    }
    for (const auto& p : periods) {
      v1::PeriodTargetSet t;
      t.set_goal_id(a.goal);
      *t.mutable_target() = p;
      if (absl::Status st = r.Record(t); !st.ok()) return st;
    }
    return absl::OkStatus();
  });
  return s;
}

// --- cr ---------------------------------------------------------------------------------

std::string StatusName(v1::ChangeRequestStatus s) {
  return core::EnumWord(v1::ChangeRequestStatus_descriptor(), s);
}

// What a change request proposes or replaced, "-" for nothing.
std::string RequestTargets(const v1::Targets& t,
                           const google::protobuf::RepeatedPtrField<v1::PeriodTargetChange>& p) {
  const std::string text = TargetsText(t, p);
  return text.empty() ? "-" : text;
}

Json CrJson(const v1::ChangeRequest& cr) {
  Json j{{"id", cr.id()},
         {"goal", cr.goal_id()},
         {"status", StatusName(cr.status())},
         {"proposed", RequestTargets(cr.targets(), cr.period_targets())},
         {"reason", cr.reason()},
         {"evidence", cr.evidence()},
         {"openedBy", cr.opened().actor()}};
  if (cr.has_decided()) {
    j["decidedBy"] = cr.decided().actor();
    j["decisionNote"] = cr.decision_note();
    j["replaced"] = RequestTargets(cr.targets_before(), cr.period_targets_before());
  }
  return j;
}

absl::Status RunCrList(const CliContext& ctx, const std::string& status) {
  absl::StatusOr<std::unique_ptr<Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  const v1::PlanState state = (*replica)->State();
  std::vector<const v1::ChangeRequest*> crs;
  for (const auto& [id, cr] : state.change_requests()) {
    if (status.empty() || StatusName(cr.status()) == status) crs.push_back(&cr);
  }
  std::sort(crs.begin(), crs.end(), [](auto* a, auto* b) { return a->id() < b->id(); });
  if (ctx.output_format() == Output::kJson) {
    Json j = Json::array();
    for (auto* cr : crs) j.push_back(CrJson(*cr));
    std::cout << j.dump() << "\n";
    return absl::OkStatus();
  }
  if (crs.empty()) std::cout << "no change requests" << (status.empty() ? "" : " " + status) << "\n";
  for (auto* cr : crs) {
    std::cout << cr->id() << "  " << StatusName(cr->status()) << "  " << cr->goal_id() << ": "
              << RequestTargets(cr->targets(), cr->period_targets()) << "  (by "
              << cr->opened().actor() << ": " << cr->reason() << ")\n";
  }
  return absl::OkStatus();
}

absl::Status RunCrShow(const CliContext& ctx, const std::string& id) {
  absl::StatusOr<std::unique_ptr<Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  const v1::PlanState state = (*replica)->State();
  auto it = state.change_requests().find(id);
  if (it == state.change_requests().end()) {
    return absl::NotFoundError(absl::StrCat("change request ", id, " does not exist (goalctl cr list)"));
  }
  const Json j = CrJson(it->second);
  if (ctx.output_format() == Output::kJson) {
    std::cout << j.dump() << "\n";
    return absl::OkStatus();
  }
  for (const auto& [k, v] : j.items()) {
    std::cout << k << std::string(k.size() < 14 ? 14 - k.size() : 1, ' ')
              << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterPlanEditCommands(CLI::App& app, CliContext& ctx) {
  auto report = [&ctx](absl::Status s) { ctx.exit_code = ReportError(ctx, s); };

  {  // target set
    CLI::App* target = app.add_subcommand("target", "Set a goal's targets");
    target->require_subcommand(1);
    auto a = std::make_shared<TargetArgs>();
    CLI::App* set = target->add_subcommand(
        "set", "Set floor/base/stretch or period targets; changing a target already set opens "
               "a change request (unless --direct)");
    set->add_option("GOAL", a->goal)->required();
    AddNumber(set, "--floor", [a](double d) { a->targets.set_floor(d); }, "The floor");
    AddNumber(set, "--base", [a](double d) { a->targets.set_base(d); }, "The base target");
    AddNumber(set, "--stretch", [a](double d) { a->targets.set_stretch(d); }, "The stretch target");
    set->add_option("--period", a->periods, "PERIOD=VALUE, e.g. 2026-Q4=12 (repeatable)");
    set->add_option("--reason", a->reason, "Why the target changes (for the change request)");
    set->add_option("--evidence", a->evidence, "Evidence for the change (repeatable)");
    set->add_option("--cr", a->request_id, "Id of the change request (default: made up)");
    set->add_flag("--direct", a->direct, "Set it at once, without a change request (managers)");
    set->callback([&ctx, report, a] { report(RunTargetSet(ctx, *a)); });
  }

  {  // cr
    CLI::App* cr = app.add_subcommand("cr", "Change requests: proposed target changes");
    cr->require_subcommand(1);
    auto status = std::make_shared<std::string>();
    CLI::App* list = cr->add_subcommand("list", "Change requests, by id");
    list->add_option("--status", *status, "open, approved or rejected")
        ->check(CLI::IsMember({"open", "approved", "rejected"}));
    list->callback([&ctx, report, status] { report(RunCrList(ctx, *status)); });
    auto id = std::make_shared<std::string>();
    CLI::App* show = cr->add_subcommand("show", "One change request, whole");
    show->add_option("ID", *id)->required();
    show->callback([&ctx, report, id] { report(RunCrShow(ctx, *id)); });
    auto approve = std::make_shared<v1::ChangeRequestApproved>();
    CLI::App* ap = cr->add_subcommand("approve", "Approve: the proposed targets apply now");
    ap->add_option("ID", *approve->mutable_change_request_id())->required();
    ap->add_option("--note", *approve->mutable_note());
    ap->callback([&ctx, report, approve] {
      report(Edit(ctx, "change request " + approve->change_request_id() + " approved",
                  [approve](Replica& r) {
                    const v1::PlanState s = r.State();
                    if (auto it = s.change_requests().find(approve->change_request_id());
                        it != s.change_requests().end()) {
                      approve->set_goal_id(it->second.goal_id());
                    }
                    return r.ApproveChangeRequest(*approve);
                  }));
    });
    auto reject = std::make_shared<v1::ChangeRequestRejected>();
    CLI::App* rj = cr->add_subcommand("reject", "Reject, with the reason");
    rj->add_option("ID", *reject->mutable_change_request_id())->required();
    rj->add_option("--reason", *reject->mutable_reason())->required();
    rj->callback([&ctx, report, reject] {
      report(Edit(ctx, "change request " + reject->change_request_id() + " rejected",
                  [reject](Replica& r) {
                    const v1::PlanState s = r.State();
                    if (auto it = s.change_requests().find(reject->change_request_id());
                        it != s.change_requests().end()) {
                      reject->set_goal_id(it->second.goal_id());
                    }
                    return r.Record(*reject);
                  }));
    });
  }

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
    CLI::App* set = task->add_subcommand("set", "Set one field of a task (title, due_date, ...)");
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
    CLI::App* stc = task->add_subcommand("status", "Move a task: todo, doing, done, blocked");
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
  }

  {  // raci set | unset
    CLI::App* raci = app.add_subcommand("raci", "Who is Responsible, Accountable, Consulted, Informed");
    for (const bool set : {true, false}) {
      auto goal = std::make_shared<std::string>();
      auto person = std::make_shared<std::string>();
      auto role = std::make_shared<std::string>();
      auto task = std::make_shared<std::string>();
      CLI::App* cmd = raci->add_subcommand(set ? "set" : "unset",
                                           set ? "Give a person a role" : "Take a role back");
      cmd->add_option("GOAL", *goal)->required();
      cmd->add_option("PERSON", *person)->required();
      cmd->add_option("ROLE", *role, "r, a, c, i (or responsible, accountable, ...)")->required();
      cmd->add_option("--task", *task, "On a task of the goal (default: the goal itself)");
      cmd->callback([&ctx, report, set, goal, person, role, task] {
        std::string name = *role;
        static const std::map<std::string, std::string> kShort = {
            {"r", "responsible"}, {"a", "accountable"}, {"c", "consulted"}, {"i", "informed"}};
        if (auto it = kShort.find(name); it != kShort.end()) name = it->second;
        absl::StatusOr<int> r = core::ParseEnum(v1::RaciRole_descriptor(), name);
        if (!r.ok()) return report(r.status());
        const std::string what = absl::StrCat(*person, " ", set ? "is" : "is no longer", " ",
                                              name, " on ", task->empty() ? *goal : *task);
        report(Edit(ctx, what, [&](Replica& rep) {
          if (set) {
            v1::RaciAssigned a;
            a.set_goal_id(*goal);
            a.set_task_id(*task);
            a.set_person(*person);
            a.set_role(static_cast<v1::RaciRole>(*r));
            return rep.SetRaci(a);
          }
          v1::RaciUnassigned u;
          u.set_goal_id(*goal);
          u.set_task_id(*task);
          u.set_person(*person);
          u.set_role(static_cast<v1::RaciRole>(*r));
          return rep.Record(u);
        }));
      });
    }
  }

  {  // alloc people | budget | time
    CLI::App* alloc = app.add_subcommand("alloc", "Resources: people (FTE), budget, time blocks");
    alloc->require_subcommand(1);
    auto p = std::make_shared<v1::PeopleAllocated>();
    CLI::App* people = alloc->add_subcommand("people", "A person's share of time on a goal");
    people->add_option("GOAL", *p->mutable_goal_id())->required();
    people->add_option("PERSON", *p->mutable_person())->required();
    AddNumber(people, "FTE", [p](double d) { p->set_fte(d); }, "0-1 of a full-time person")
        ->required();
    people->add_option("--period", *p->mutable_period())->required();
    people->add_option("--task", *p->mutable_task_id());
    people->add_option("--skills", *p->mutable_skills());
    people->callback([&ctx, report, p] {
      report(Edit(ctx, absl::StrCat(p->person(), " allocated ", p->fte(), " FTE to ", p->goal_id()),
                  [p](Replica& r) { return r.Record(*p); }));
    });
    auto b = std::make_shared<v1::BudgetAllocated>();
    CLI::App* budget = alloc->add_subcommand("budget", "Money for a goal or task");
    budget->add_option("GOAL", *b->mutable_goal_id())->required();
    AddNumber(budget, "AMOUNT", [b](double d) { b->set_amount(d); }, "How much")->required();
    budget->add_option("--currency", *b->mutable_currency())->required();
    budget->add_option("--category", *b->mutable_category());
    budget->add_option("--task", *b->mutable_task_id());
    budget->callback([&ctx, report, b] {
      report(Edit(ctx, absl::StrCat("budget ", b->amount(), " ", b->currency(), " for ", b->goal_id()),
                  [b](Replica& r) { return r.Record(*b); }));
    });
    auto t = std::make_shared<v1::TimeBlockReserved>();
    CLI::App* time = alloc->add_subcommand("time", "A weekly time block for a goal");
    time->add_option("GOAL", *t->mutable_goal_id())->required();
    time->add_option("PERSON", *t->mutable_person())->required();
    time->add_option("--weekday", [t](const std::vector<std::string>& v) {
      int d = 0;
      if (!absl::SimpleAtoi(v[0], &d)) return false;
      t->set_weekday(d);
      return true;
    }, "1 (Monday) to 7")->required();
    time->add_option("--start", *t->mutable_start_time(), "HH:MM")->required();
    time->add_option("--end", *t->mutable_end_time(), "HH:MM")->required();
    time->add_option("--purpose", *t->mutable_purpose());
    time->add_option("--task", *t->mutable_task_id());
    time->callback([&ctx, report, t] {
      report(Edit(ctx, "time block for " + t->person() + " on " + t->goal_id(),
                  [t](Replica& r) { return r.Record(*t); }));
    });
  }

  {  // review add
    CLI::App* review = app.add_subcommand("review", "Reviews: record one, or see the report");
    auto rv = std::make_shared<v1::ReviewRecorded>();
    auto kind = std::make_shared<std::string>();
    auto cause = std::make_shared<std::string>();
    auto decision = std::make_shared<std::string>();
    CLI::App* add = review->add_subcommand("add", "Record a weekly, monthly or quarterly review");
    add->add_option("GOAL", *rv->mutable_goal_id())->required();
    add->add_option("--kind", *kind, "weekly, monthly or quarterly")->required();
    add->add_option("--period", *rv->mutable_period(), "The period reviewed")->required();
    add->add_option("--id", *rv->mutable_review_id(), "Review id (default: made up)");
    add->add_option("--cause", *cause, "Deviation cause: execution, unreasonable-target, resources, external");
    add->add_option("--deviation", *rv->mutable_deviation_note());
    add->add_option("--decision", *decision, "keep, adjust or escalate");
    add->add_option("--cr", [rv](const std::vector<std::string>& v) {
      for (const auto& id : v) rv->add_change_request_ids(id);
      return true;
    }, "Change requests the review led to (repeatable)");
    add->add_option("--notes", *rv->mutable_notes());
    add->callback([&ctx, report, rv, kind, cause, decision] {
      absl::StatusOr<int> k = core::ParseEnum(v1::ReviewKind_descriptor(), *kind);
      if (!k.ok()) return report(k.status());
      rv->set_kind(static_cast<v1::ReviewKind>(*k));
      if (!cause->empty()) {
        absl::StatusOr<int> c = core::ParseEnum(v1::DeviationCause_descriptor(), *cause);
        if (!c.ok()) return report(c.status());
        rv->set_deviation_cause(static_cast<v1::DeviationCause>(*c));
      }
      if (!decision->empty()) {
        absl::StatusOr<int> d = core::ParseEnum(v1::ReviewDecision_descriptor(), *decision);
        if (!d.ok()) return report(d.status());
        rv->set_decision(static_cast<v1::ReviewDecision>(*d));
      }
      if (rv->review_id().empty()) {
        rv->set_review_id(absl::StrCat("rv-", rv->goal_id(), "-", rv->period(), "-", *kind));
      }
      report(Edit(ctx, "review " + rv->review_id() + " recorded",
                  [rv](Replica& r) { return r.Record(*rv); }));
    });
  }
}

}  // namespace goalsync::cli
