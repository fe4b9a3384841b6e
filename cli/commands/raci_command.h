// goalctl raci set|unset (the matrix, goalctl raci [GOAL], is a view: view_commands).
#ifndef GOALSYNC_CLI_COMMANDS_RACI_COMMAND_H_
#define GOALSYNC_CLI_COMMANDS_RACI_COMMAND_H_

#include "CLI/CLI.hpp"
#include "cli/cli_context.h"

namespace goalsync::cli {

void RegisterRaciCommands(CLI::App& app, CliContext& ctx);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_RACI_COMMAND_H_
