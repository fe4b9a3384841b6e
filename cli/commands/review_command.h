// goalctl review add (the report, goalctl review --quarter P, is a view: view_commands).
#ifndef GOALSYNC_CLI_COMMANDS_REVIEW_COMMAND_H_
#define GOALSYNC_CLI_COMMANDS_REVIEW_COMMAND_H_

#include "CLI/CLI.hpp"
#include "cli/cli_context.h"

namespace goalsync::cli {

void RegisterReviewCommands(CLI::App& app, CliContext& ctx);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_REVIEW_COMMAND_H_
