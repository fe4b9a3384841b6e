#include "cli/commands/raci_command.h"

#include <iostream>
#include <map>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/commands/number_flag.h"
#include "cli/output/plan_text.h"
#include "cli/replica_session.h"
#include "core/enum_names.h"
#include "nlohmann/json.hpp"

namespace goalsync::cli {
namespace {

using client::Replica;
using Json = nlohmann::ordered_json;

}  // namespace

void RegisterRaciCommands(CLI::App& app, CliContext& ctx) {
  auto report = [&ctx](absl::Status s) { ctx.exit_code = ReportError(ctx, s); };

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

}

}  // namespace goalsync::cli
