// goalctl cluster status: the replica group's members, leader, epoch and each member's
// committed seq and lag (docs/cluster.md); --output json prints
// {"leader", "epoch", "members": [{"node_id", "address", "role", "committed_seq", ...}]}.
#ifndef GOALSYNC_CLI_COMMANDS_CLUSTER_COMMAND_H_
#define GOALSYNC_CLI_COMMANDS_CLUSTER_COMMAND_H_

#include "CLI/CLI.hpp"
#include "cli/cli_context.h"

namespace goalsync::cli {

void RegisterClusterCommands(CLI::App& app, CliContext& ctx);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_CLUSTER_COMMAND_H_
