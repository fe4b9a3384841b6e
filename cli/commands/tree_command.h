// goalctl tree [ROOT] [--period P]: the alignment cascade, depth-first, with progress against
// floor/base/stretch and the breakdown checks that fail, inline.
#ifndef GOALSYNC_CLI_COMMANDS_TREE_COMMAND_H_
#define GOALSYNC_CLI_COMMANDS_TREE_COMMAND_H_

#include "CLI/CLI.hpp"
#include "cli/cli_context.h"

namespace goalsync::cli {

void RegisterTreeCommand(CLI::App& app, CliContext& ctx);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_TREE_COMMAND_H_
