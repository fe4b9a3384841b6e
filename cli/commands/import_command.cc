#include "cli/commands/import_command.h"

#include <fstream>
#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "goalsync/log_client.h"
#include "cli/replica_session.h"
#include "goalsync/plan_file.h"
#include "nlohmann/json.hpp"

namespace goalsync::cli {
namespace {

// Events per append request: well under goalsyncd's default --max-batch-events.
constexpr int kBatch = 500;

absl::Status RunImport(const CliContext& ctx, const std::string& path, const std::string& into) {
  absl::StatusOr<client::PlanFile> plan =
      client::ReadPlanFile(path, into.empty() ? ctx.workspace : into);
  if (!plan.ok()) return plan.status();
  if (!into.empty()) plan->workspace = into;
  ProgressBar bar("importing");
  absl::StatusOr<std::unique_ptr<client::LogClient>> connected = ConnectLog(ctx);
  if (!connected.ok()) return connected.status();
  client::LogClient& log_client = **connected;
  uint64_t added = 0, already = 0, head = 0;
  for (size_t first = 0; first < plan->events.size(); first += kBatch) {
    v1::AppendRequest req;
    req.set_workspace(plan->workspace);
    const size_t end = std::min(plan->events.size(), first + kBatch);
    for (size_t i = first; i < end; ++i) *req.add_events() = plan->events[i];
    absl::StatusOr<v1::AppendResponse> r = log_client.Append(req);
    if (!r.ok()) {
      // events[k] in the server's message is relative to this batch.
      return absl::Status(r.status().code(),
                          absl::StrCat(path, ": events ", first + 1, "-", end, " refused (",
                                       added, " imported before them): ", r.status().message()));
    }
    for (const auto& result : r->results()) (result.duplicate() ? already : added) += 1;
    head = r->head_seq();
    bar.Update(end, plan->events.size());
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

absl::Status RunExport(const CliContext& ctx, const std::string& format, const std::string& file) {
  absl::StatusOr<std::unique_ptr<client::Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  const client::ReplicaStatus st = (*replica)->Status();
  if (st.log_from > 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "this replica holds the log from seq ", st.log_from,
        " only (it started from a server snapshot); export from a full replica: goalctl "
        "--replica NEW_DIR sync --full"));
  }
  std::vector<v1::Event> events;
  if (absl::Status s = (*replica)->ReadLog(1, [&](const v1::Event& e) {
        events.push_back(e);
        return true;
      });
      !s.ok()) {
    return s;
  }
  const client::PlanFormat f = format == "json"  ? client::PlanFormat::kJson
                               : format == "csv" ? client::PlanFormat::kCsv
                                                 : client::PlanFormat::kYaml;
  const std::string text = client::WritePlanFile(ctx.workspace, events, f);
  if (file.empty() || file == "-") {
    std::cout << text;
    return absl::OkStatus();
  }
  std::ofstream out(file);
  out << text;
  out.close();
  if (!out) return absl::PermissionDeniedError(absl::StrCat("cannot write ", file));
  std::cerr << "exported " << events.size() << " events of workspace " << ctx.workspace
            << " (to seq " << st.confirmed_seq << ") to " << file << "\n";
  return absl::OkStatus();
}

}  // namespace

void RegisterImportCommand(CLI::App& app, CliContext& ctx) {
  auto path = std::make_shared<std::string>();
  auto into = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "import", "Append a plan file's events (e.g. examples/annual-plan.yaml) to the workspace "
                "it names; importing it again appends nothing");
  cmd->add_option("FILE", *path, "The plan file: YAML or JSON, or CSV (FILE.csv) as goalctl export writes them")
      ->required();
  cmd->add_option("--into", *into,
                  "Load it into this workspace instead of the one the file names (a CSV file "
                  "names none: default --workspace)");
  cmd->callback([&ctx, path, into] {
    ctx.exit_code = ReportError(ctx, RunImport(ctx, *path, *into));
  });

  auto format = std::make_shared<std::string>("yaml");
  auto file = std::make_shared<std::string>();
  CLI::App* exp = app.add_subcommand(
      "export", "Write the whole plan (every event, as the replica holds them) as a file "
                "goalctl import reads back");
  exp->add_option("--format", *format, "yaml, json or csv")
      ->check(CLI::IsMember({"yaml", "json", "csv"}))
      ->capture_default_str();
  exp->add_option("--file,-f", *file, "Write to this file (default: standard output)");
  exp->callback([&ctx, format, file] {
    ctx.exit_code = ReportError(ctx, RunExport(ctx, *format, *file));
  });
}

}  // namespace goalsync::cli
