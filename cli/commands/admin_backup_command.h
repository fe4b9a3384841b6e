// goalctl admin backup --to DIR: an online backup of the running goalsyncd (Admin.Backup),
// into DIR on the server's machine. Needs an admin token for "*".
#ifndef GOALSYNC_CLI_COMMANDS_ADMIN_BACKUP_COMMAND_H_
#define GOALSYNC_CLI_COMMANDS_ADMIN_BACKUP_COMMAND_H_

#include "CLI/CLI.hpp"
#include "cli/cli_context.h"

namespace goalsync::cli {

// Adds `backup` under `admin`.
void RegisterAdminBackupCommand(CLI::App& admin, CliContext& ctx);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_ADMIN_BACKUP_COMMAND_H_
