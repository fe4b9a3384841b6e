// goalctl goal add | set | move | archive | restore | show: goals, edited through the local
// replica (works offline) and shown whole.
#ifndef GOALSYNC_CLI_COMMANDS_GOAL_COMMAND_H_
#define GOALSYNC_CLI_COMMANDS_GOAL_COMMAND_H_

#include "CLI/CLI.hpp"
#include "cli/cli_context.h"

namespace goalsync::cli {

void RegisterGoalCommands(CLI::App& app, CliContext& ctx);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_GOAL_COMMAND_H_
