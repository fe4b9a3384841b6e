// goalctl sync | status | rejected [dismiss] | conflicts [resolve]: the local replica and
// the server: pull, push, what waits, what the server refused, concurrent edits that lost.
#ifndef GOALSYNC_CLI_COMMANDS_SYNC_COMMAND_H_
#define GOALSYNC_CLI_COMMANDS_SYNC_COMMAND_H_

#include "CLI/CLI.hpp"
#include "cli/cli_context.h"

namespace goalsync::cli {

void RegisterSyncCommands(CLI::App& app, CliContext& ctx);

// `goalctl init`'s first sync: the exit code; a server that does not answer yet is no error.
int RunInitialSync(const CliContext& ctx);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_SYNC_COMMAND_H_
