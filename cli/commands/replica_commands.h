// goalctl's commands on the local replica: edits that work offline (goal, checkin,
// conflicts resolve), sync, status, conflicts and the tree view.
#ifndef GOALSYNC_CLI_COMMANDS_REPLICA_COMMANDS_H_
#define GOALSYNC_CLI_COMMANDS_REPLICA_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/cli_context.h"

namespace goalsync::cli {

void RegisterReplicaCommands(CLI::App& app, CliContext& ctx);

// `goalctl init`'s first sync: the exit code; a server that does not answer yet is no error.
int RunInitialSync(const CliContext& ctx);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_REPLICA_COMMANDS_H_
