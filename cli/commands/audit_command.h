// `goalctl history` and `goalctl blame GOAL`: who changed what, when, and why.
#ifndef GOALSYNC_CLI_COMMANDS_AUDIT_COMMAND_H_
#define GOALSYNC_CLI_COMMANDS_AUDIT_COMMAND_H_

#include "CLI/CLI.hpp"
#include "cli/cli_context.h"

namespace goalsync::cli {

void RegisterAuditCommands(CLI::App& app, CliContext& ctx);

// goalctl audit verify [--pubkey FILE] [--checkpoint FILE] | audit checkpoint.
void RegisterAuditVerifyCommands(CLI::App& app, CliContext& ctx);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_AUDIT_COMMAND_H_
