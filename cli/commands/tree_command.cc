#include "cli/commands/tree_command.h"

#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "cli/output/plan_json.h"
#include "cli/output/plan_text.h"
#include "cli/output/table.h"
#include "cli/replica_session.h"
#include "core/plan/queries_views.h"

namespace goalsync::cli {
namespace {

absl::Status RunTree(const CliContext& ctx, const std::string& root, const std::string& period) {
  absl::StatusOr<std::unique_ptr<client::Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  const v1::PlanState state = (*replica)->State();
  absl::StatusOr<std::vector<core::TreeRow>> rows = core::TreeRows(state, root, period);
  if (!rows.ok()) return rows.status();
  if (ctx.output_format() == Output::kJson) {
    OrderedJson out = OrderedJson::array();
    for (const core::TreeRow& r : *rows) {
      OrderedJson j{{"id", r.goal->id()}, {"depth", r.depth}, {"parent", r.goal->parent_id()},
                    {"statement", r.goal->statement()}, {"owner", r.goal->owner()}};
      j.update(ProgressJson(r.progress));
      j["failedChecks"] = OrderedJson::array();
      for (const core::BreakdownCheck& c : r.failed_checks) j["failedChecks"].push_back(CheckJson(c));
      out.push_back(j);
    }
    std::cout << out.dump() << "\n";
    return absl::OkStatus();
  }
  for (const core::TreeRow& r : *rows) {
    const v1::Goal& g = *r.goal;
    const core::Progress& p = r.progress;
    const std::string indent(2 * r.depth, ' ');
    std::string actual = p.has_actual ? Number(p.actual) : "-";
    if (p.has_actual && p.fraction.has_value()) absl::StrAppend(&actual, " (", Percent(p.fraction), ")");
    // How the actual was made when it is a roll-up of the children.
    if (p.has_actual && !p.source.empty() && p.source != "check-ins") absl::StrAppend(&actual, ", ", p.source);
    if (!p.has_actual && p.fraction.has_value()) actual = absl::StrCat(Percent(p.fraction), ", ", p.source);
    std::cout << indent << g.id() << "  " << g.statement() << "\n"
              << indent << "    owner " << (g.owner().empty() ? "-" : g.owner()) << " | actual " << actual;
    if (const std::string t = TargetsText(p.targets); !t.empty()) {
      std::cout << " | " << t << (p.target_source.empty() ? "" : " (" + p.target_source + ")");
    }
    if (!p.band.empty()) std::cout << " | " << p.band;
    std::cout << "\n";
    for (const core::BreakdownCheck& c : r.failed_checks) {
      std::cout << indent << "    ! " << c.what << ": " << Number(c.actual) << ", expected "
                << Number(c.expected) << "\n";
    }
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterTreeCommand(CLI::App& app, CliContext& ctx) {
  auto root = std::make_shared<std::string>();
  auto period = std::make_shared<std::string>();
  CLI::App* tree = app.add_subcommand(
      "tree", "The alignment cascade, depth-first, with progress against floor/base/stretch and "
              "failed breakdown checks (! lines)");
  tree->add_option("ROOT", *root, "Show only this goal's subtree");
  tree->add_option("--period", *period,
                   "Progress for one period instead of the whole goal: YYYY, YYYY-Qn, YYYY-MM or "
                   "YYYY-Wnn (a quarter or year without its own target uses its months' or "
                   "quarters' targets)");
  tree->footer("Bands: stretch met, base met, floor met, below floor, below base (increase and "
               "decrease goals); within range, below range, above range (stay-within goals); no "
               "target; no check-ins (nothing measured is never met).");
  tree->callback([&ctx, root, period] { ctx.exit_code = ReportError(ctx, RunTree(ctx, *root, *period)); });
}

}  // namespace goalsync::cli
