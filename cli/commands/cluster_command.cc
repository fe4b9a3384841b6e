#include "cli/commands/cluster_command.h"

#include <cstdio>

#include "goalsync/cluster_client.h"
#include "nlohmann/json.hpp"

namespace goalsync::cli {
namespace {

int RunStatus(const CliContext& ctx) {
  absl::StatusOr<goalsync::v1::ClusterStatusResponse> status = client::ClusterStatus(
      ctx.server, {.token = ctx.token, .tls_ca_file = ctx.tls_ca});
  if (!status.ok()) return ReportError(ctx, status.status());
  if (ctx.output_format() == Output::kJson) {
    nlohmann::json out = {{"cluster", status->cluster_name()},
                          {"leader", status->leader()},
                          {"leader_address", status->leader_address()},
                          {"epoch", status->epoch()},
                          {"acks_needed", status->acks_needed()},
                          {"members", nlohmann::json::array()}};
    for (const auto& m : status->members()) {
      out["members"].push_back({{"node_id", m.node_id()},
                                {"address", m.address()},
                                {"role", m.role()},
                                {"committed_seq", m.committed_seq()},
                                {"lag", m.lag()},
                                {"last_epoch", m.last_epoch()}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  std::printf("cluster %s: leader %s (%s), epoch %llu, acks need %u copies\n",
              status->cluster_name().c_str(),
              status->leader().empty() ? "-" : status->leader().c_str(),
              status->leader_address().c_str(),
              static_cast<unsigned long long>(status->epoch()), status->acks_needed());
  std::printf("%-12s %-22s %-10s %14s %10s\n", "NODE", "ADDRESS", "ROLE", "COMMITTED_SEQ", "LAG");
  for (const auto& m : status->members()) {
    std::printf("%-12s %-22s %-10s %14llu %10llu\n", m.node_id().c_str(), m.address().c_str(),
                m.role().c_str(), static_cast<unsigned long long>(m.committed_seq()),
                static_cast<unsigned long long>(m.lag()));
  }
  return kExitOk;
}

}  // namespace

void RegisterClusterCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* cluster = app.add_subcommand("cluster", "The replica group goalsyncd runs in");
  cluster->require_subcommand(1);
  cluster->add_subcommand("status",
                          "Members, the leader, its epoch, each member's committed seq (sum over "
                          "workspaces) and lag; asks the first --server member that answers")
      ->callback([&ctx] { ctx.exit_code = RunStatus(ctx); });
}

}  // namespace goalsync::cli
