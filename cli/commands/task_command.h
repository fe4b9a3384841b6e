// goalctl task add|set|status|depends|show: WBS tasks of a goal (edits work offline).
#ifndef GOALSYNC_CLI_COMMANDS_TASK_COMMAND_H_
#define GOALSYNC_CLI_COMMANDS_TASK_COMMAND_H_

#include "CLI/CLI.hpp"
#include "cli/cli_context.h"

namespace goalsync::cli {

void RegisterTaskCommands(CLI::App& app, CliContext& ctx);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_TASK_COMMAND_H_
