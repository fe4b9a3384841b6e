// goalctl's views of the plan from the local replica: kanban, raci (matrix), gantt,
// dashboard, review --week|--month|--quarter, state --as-of, diff. Registered after the
// edit commands (it adds to their `raci` and `review` commands).
#ifndef GOALSYNC_CLI_COMMANDS_VIEW_COMMANDS_H_
#define GOALSYNC_CLI_COMMANDS_VIEW_COMMANDS_H_

#include "CLI/CLI.hpp"
#include "cli/cli_context.h"

namespace goalsync::cli {

void RegisterViewCommands(CLI::App& app, CliContext& ctx);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_VIEW_COMMANDS_H_
