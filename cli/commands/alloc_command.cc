#include "cli/commands/alloc_command.h"

#include <algorithm>
#include <iostream>
#include <tuple>
#include <map>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/commands/number_flag.h"
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

// The allocation view: one row per person and goal/task, one column per period (FTE), then
// each person's load per period against full time, over-bookings marked.
absl::Status RunAllocShow(const CliContext& ctx, const std::string& root, const std::string& person) {
  absl::StatusOr<std::unique_ptr<Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  const v1::PlanState state = (*replica)->State();
  absl::StatusOr<core::AllocationView> v = core::Allocations(state, root, person);
  if (!v.ok()) return v.status();
  if (ctx.output_format() == Output::kJson) {
    std::cout << AllocationViewJson(*v).dump() << "\n";
    return absl::OkStatus();
  }
  if (v->cells.empty()) {
    std::cout << "no people allocated" << (root.empty() ? "" : " under " + root) << "\n";
  } else {
    size_t label = 22;  // the header's width
    for (const auto& c : v->cells) {
      label = std::max(label, c.person.size() + c.goal_id.size() + c.task_id.size() + 4);
    }
    label = std::min<size_t>(label, 48);
    constexpr size_t kCell = 10;
    std::string header = Fit("PERSON  GOAL[/TASK]", label);
    for (const std::string& p : v->periods) header += Fit(p, kCell);
    std::cout << TrimRight(header) << "\n";
    // Rows: (person, goal, task) -> period -> FTE.
    std::map<std::tuple<std::string, std::string, std::string>, std::map<std::string, double>> rows;
    for (const auto& c : v->cells) rows[{c.person, c.goal_id, c.task_id}][c.period] += c.fte;
    for (const auto& [key, by_period] : rows) {
      const auto& [p, g, t] = key;
      std::string line = Fit(absl::StrCat(p, "  ", g, t.empty() ? "" : "/" + t), label);
      for (const std::string& period : v->periods) {
        auto it = by_period.find(period);
        line += Fit(it == by_period.end() ? "." : Number(it->second), kCell);
      }
      std::cout << TrimRight(line) << "\n";
    }
    std::cout << "\nload (FTE of every allocation overlapping the period; over 1 is over-booked)\n";
    for (const auto& l : v->loads) {
      std::cout << "  " << Fit(l.person, 12) << Fit(l.period, 10) << Number(l.fte)
                << (l.over ? "  OVERBOOKED" : "") << "\n";
    }
  }
  for (const auto& [goal, budgets] : v->budgets) {
    for (const auto& b : budgets) {
      std::cout << "budget  " << goal << (b.task_id().empty() ? "" : "/" + b.task_id()) << "  "
                << Number(b.amount()) << " " << b.currency()
                << (b.category().empty() ? "" : " (" + b.category() + ")") << "\n";
    }
  }
  for (const auto& [goal, blocks] : v->time_blocks) {
    for (const auto& b : blocks) std::cout << "time    " << goal << "  " << TimeBlockText(b) << "\n";
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterAllocCommands(CLI::App& app, CliContext& ctx) {
  auto report = [&ctx](absl::Status s) { ctx.exit_code = ReportError(ctx, s); };

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

    auto root = std::make_shared<std::string>();
    auto person = std::make_shared<std::string>();
    CLI::App* show = alloc->add_subcommand(
        "show", "The allocation view: people x goals/tasks, FTE per period, each person's load "
                "per period (over 1 FTE: OVERBOOKED), budgets and time blocks");
    show->add_option("GOAL", *root, "Only this goal's subtree (loads still count every allocation)");
    show->add_option("--person", *person, "Only this person");
    show->callback([&ctx, report, root, person] { report(RunAllocShow(ctx, *root, *person)); });
  }

}

}  // namespace goalsync::cli
