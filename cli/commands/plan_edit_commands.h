// goalctl's planning edits on the local replica: target set, cr, task, raci, alloc,
// review add.
#ifndef GOALSYNC_CLI_COMMANDS_PLAN_EDIT_COMMANDS_H_
#define GOALSYNC_CLI_COMMANDS_PLAN_EDIT_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/cli_context.h"

namespace goalsync::cli {

void RegisterPlanEditCommands(CLI::App& app, CliContext& ctx);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_PLAN_EDIT_COMMANDS_H_
