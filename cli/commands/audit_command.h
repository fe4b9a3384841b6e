// `goalctl history` and `goalctl blame GOAL`: who changed what, when, and why.
#ifndef GOALSYNC_CLI_COMMANDS_AUDIT_COMMAND_H_
#define GOALSYNC_CLI_COMMANDS_AUDIT_COMMAND_H_

#include "CLI/CLI.hpp"
#include "cli/cli_context.h"
#include "goalsync/replica.h"

namespace goalsync::cli {

void RegisterAuditCommands(CLI::App& app, CliContext& ctx);

// The events `req` selects (its workspace is ctx's): from the replica when it holds the whole
// log (or --offline), else from the server through client-lib's PlanClient.
absl::StatusOr<goalsync::v1::GetHistoryResponse> LoadHistory(const CliContext& ctx,
                                                             client::Replica& replica,
                                                             goalsync::v1::GetHistoryRequest req);

// goalctl audit verify [--pubkey FILE] [--checkpoint FILE] | audit checkpoint.
void RegisterAuditVerifyCommands(CLI::App& app, CliContext& ctx);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_AUDIT_COMMAND_H_
