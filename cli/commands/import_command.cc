#include "cli/commands/import_command.h"

#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "goalsync/log_client.h"
#include "goalsync/plan_file.h"
#include "nlohmann/json.hpp"

namespace goalsync::cli {
namespace {

// Events per append request: well under goalsyncd's default --max-batch-events.
constexpr int kBatch = 500;

absl::Status RunImport(const CliContext& ctx, const std::string& path) {
  absl::StatusOr<client::PlanFile> plan = client::ReadPlanFile(path);
  if (!plan.ok()) return plan.status();
  client::LogClient client(ctx.server);
  uint64_t added = 0, already = 0, head = 0;
  for (size_t first = 0; first < plan->events.size(); first += kBatch) {
    v1::AppendRequest req;
    req.set_workspace(plan->workspace);
    const size_t end = std::min(plan->events.size(), first + kBatch);
    for (size_t i = first; i < end; ++i) *req.add_events() = plan->events[i];
    absl::StatusOr<v1::AppendResponse> r = client.Append(req);
    if (!r.ok()) {
      // events[k] in the server's message is relative to this batch.
      return absl::Status(r.status().code(),
                          absl::StrCat(path, ": events ", first + 1, "-", end, " refused (",
                                       added, " imported before them): ", r.status().message()));
    }
    for (const auto& result : r->results()) (result.duplicate() ? already : added) += 1;
    head = r->head_seq();
  }
  if (ctx.output_format() == Output::kJson) {
    nlohmann::ordered_json j = {{"workspace", plan->workspace},
                                {"imported", added},
                                {"alreadyThere", already},
                                {"headSeq", head}};
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "imported " << added << " events into workspace " << plan->workspace << " ("
              << already << " were already there); head seq " << head << "\n";
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterImportCommand(CLI::App& app, CliContext& ctx) {
  auto path = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "import", "Append a plan file's events (e.g. examples/annual-plan.yaml) to the workspace "
                "it names; importing it again appends nothing");
  cmd->add_option("FILE", *path, "The plan file (YAML)")->required();
  cmd->callback([&ctx, path] { ctx.exit_code = ReportError(ctx, RunImport(ctx, *path)); });
}

}  // namespace goalsync::cli
