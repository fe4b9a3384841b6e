// goalctl target set | cr list|show|approve|reject: targets, and the change requests that change them once set.
#ifndef GOALSYNC_CLI_COMMANDS_TARGET_COMMAND_H_
#define GOALSYNC_CLI_COMMANDS_TARGET_COMMAND_H_

#include "CLI/CLI.hpp"
#include "cli/cli_context.h"

namespace goalsync::cli {

void RegisterTargetCommands(CLI::App& app, CliContext& ctx);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_TARGET_COMMAND_H_
