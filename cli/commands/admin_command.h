// goalctl admin token create|list|revoke: token management on a running goalsyncd (Admin rpc).
#ifndef GOALSYNC_CLI_COMMANDS_ADMIN_COMMAND_H_
#define GOALSYNC_CLI_COMMANDS_ADMIN_COMMAND_H_

#include "CLI/CLI.hpp"
#include "cli/cli_context.h"

namespace goalsync::cli {

void RegisterAdminCommands(CLI::App& app, CliContext& ctx);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_ADMIN_COMMAND_H_
