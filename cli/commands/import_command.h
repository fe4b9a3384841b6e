// `goalctl import FILE`: appends a plan file's events (examples/annual-plan.yaml) to the
// workspace it names. Importing the same file again appends nothing.
#ifndef GOALSYNC_CLI_COMMANDS_IMPORT_COMMAND_H_
#define GOALSYNC_CLI_COMMANDS_IMPORT_COMMAND_H_

#include "CLI/CLI.hpp"
#include "cli/cli_context.h"

namespace goalsync::cli {

void RegisterImportCommand(CLI::App& app, CliContext& ctx);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_IMPORT_COMMAND_H_
