// goalctl alloc people|budget|time|show: resources, and the allocation view (people x goals/tasks, FTE per period, over-allocation).
#ifndef GOALSYNC_CLI_COMMANDS_ALLOC_COMMAND_H_
#define GOALSYNC_CLI_COMMANDS_ALLOC_COMMAND_H_

#include "CLI/CLI.hpp"
#include "cli/cli_context.h"

namespace goalsync::cli {

void RegisterAllocCommands(CLI::App& app, CliContext& ctx);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_ALLOC_COMMAND_H_
