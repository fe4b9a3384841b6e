// `goalctl log ...`: the low-level commands on a workspace's raw event log.
#ifndef GOALSYNC_CLI_COMMANDS_LOG_COMMAND_H_
#define GOALSYNC_CLI_COMMANDS_LOG_COMMAND_H_

#include "CLI/CLI.hpp"
#include "cli/cli_context.h"

namespace goalsync::cli {

// Adds `log append|read|head|verify` to `app`. The commands report through ctx.exit_code.
void RegisterLogCommands(CLI::App& app, CliContext& ctx);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_LOG_COMMAND_H_
