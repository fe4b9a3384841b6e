#include "cli/commands/cluster_command.h"

#include <cstdio>

#include "core/signing.h"
#include "goalsync/cluster_client.h"
#include "nlohmann/json.hpp"

namespace goalsync::cli {
namespace {

// The key id a member's checkpoints carry (audit.proto's Checkpoint.key_id), "" without a key.
std::string KeyIdOf(const goalsync::v1::ClusterMember& m) {
  if (m.public_key().empty()) return "";
  absl::StatusOr<std::string> id = core::KeyId(m.public_key());
  return id.ok() ? *id : "?";
}

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
                                {"last_epoch", m.last_epoch()},
                                {"public_key", m.public_key()},
                                {"key_id", KeyIdOf(m)}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return kExitOk;
  }
  std::printf("cluster %s: leader %s (%s), epoch %llu, acks need %u copies\n",
              status->cluster_name().c_str(),
              status->leader().empty() ? "-" : status->leader().c_str(),
              status->leader_address().c_str(),
              static_cast<unsigned long long>(status->epoch()), status->acks_needed());
  std::printf("%-12s %-22s %-10s %14s %10s  %s\n", "NODE", "ADDRESS", "ROLE", "COMMITTED_SEQ",
              "LAG", "KEY_ID");
  for (const auto& m : status->members()) {
    const std::string key_id = KeyIdOf(m);
    std::printf("%-12s %-22s %-10s %14llu %10llu  %s\n", m.node_id().c_str(), m.address().c_str(),
                m.role().c_str(), static_cast<unsigned long long>(m.committed_seq()),
                static_cast<unsigned long long>(m.lag()), key_id.empty() ? "-" : key_id.c_str());
  }
  return kExitOk;
}

}  // namespace

void RegisterClusterCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* cluster = app.add_subcommand("cluster", "The replica group goalsyncd runs in");
  cluster->require_subcommand(1);
  cluster->add_subcommand("status",
                          "Members, the leader, its epoch, each member's committed seq (sum over "
                          "workspaces), lag and checkpoint key; asks the first --server member "
                          "that answers")
      ->callback([&ctx] { ctx.exit_code = RunStatus(ctx); });
}

}  // namespace goalsync::cli
