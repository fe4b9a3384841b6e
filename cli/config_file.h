// goalctl's optional config file (YAML), written by `goalctl init`:
//
//   server: goals.example.com:7411
//   workspace: acme-2026
//   replica: /home/li/.local/share/goalsync/replicas/acme-2026
//   as: li
//   token: ...            (the file is then readable by its owner only)
//   output: table
//
// Its values are defaults: the environment (GOALSYNC_*) and flags override them.
#ifndef GOALSYNC_CLI_CONFIG_FILE_H_
#define GOALSYNC_CLI_CONFIG_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "cli/cli_context.h"

namespace goalsync::cli {

// --config FILE (or --config=FILE) from argv, else $GOALSYNC_CONFIG, else
// $XDG_CONFIG_HOME/goalsync/goalctl.yaml (~/.config/goalsync/goalctl.yaml).
std::string ConfigPath(int argc, char** argv);

// Sets ctx's server, workspace, replica, actor, token and output from the file at `path`.
// A missing file is no error; a malformed one is INVALID_ARGUMENT naming the line.
absl::Status LoadConfig(const std::string& path, CliContext* ctx);

// Writes ctx's settings to `path` (creating its directory), mode 0600.
absl::Status SaveConfig(const std::string& path, const CliContext& ctx);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_CONFIG_FILE_H_
