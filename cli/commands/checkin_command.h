// goalctl checkin GOAL VALUE | checkin list GOAL: progress recorded on a goal (works
// offline), and a goal's check-ins as the log holds them.
#ifndef GOALSYNC_CLI_COMMANDS_CHECKIN_COMMAND_H_
#define GOALSYNC_CLI_COMMANDS_CHECKIN_COMMAND_H_

#include "CLI/CLI.hpp"
#include "cli/cli_context.h"

namespace goalsync::cli {

void RegisterCheckinCommand(CLI::App& app, CliContext& ctx);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_CHECKIN_COMMAND_H_
