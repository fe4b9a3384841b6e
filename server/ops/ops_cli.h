// goalsyncd's operations flags and subcommands, added to main.cc's command line:
//   --metrics-listen, --log-format, --min-free-disk-mb, --slow-request-ms
//   goalsyncd backup --data-dir DIR --to BACKUP_DIR   (a stopped server's data dir)
//   goalsyncd restore --from BACKUP_DIR --data-dir NEW_DIR [--pubkey FILE]
// Each flag's help says what it costs; docs/operations.md says how to use them.
#ifndef GOALSYNC_SERVER_OPS_OPS_CLI_H_
#define GOALSYNC_SERVER_OPS_OPS_CLI_H_

#include <optional>
#include <string>

#include "CLI/CLI.hpp"
#include "server/server.h"

namespace goalsync::server {

struct OpsCli {
  std::string log_format = "text";
  CLI::App* backup = nullptr;
  CLI::App* restore = nullptr;
  std::string data_dir, to, from, signing_key, pubkey;
};

void AddOpsCli(CLI::App& app, ServerOptions& options, OpsCli& cli);

// Runs the `backup` or `restore` subcommand if one was given: its exit code (0 good, 1 a
// failure the message explains); nullopt if neither was.
std::optional<int> RunOpsSubcommand(const OpsCli& cli);

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_OPS_OPS_CLI_H_
