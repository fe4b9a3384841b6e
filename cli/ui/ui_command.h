// goalctl ui [--listen 127.0.0.1:7420] [--open] [--tls-cert F --tls-key F]: the plan in a
// browser, served from the user's replica (the same settings as every goalctl command),
// offline too. Prints the URL, with this run's secret, on stdout; serves until SIGINT or
// SIGTERM.
#ifndef GOALSYNC_CLI_UI_UI_COMMAND_H_
#define GOALSYNC_CLI_UI_UI_COMMAND_H_

#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "cli/cli_context.h"

namespace goalsync::cli {

void RegisterUiCommand(CLI::App& app, CliContext& ctx);

namespace ui {

struct ListenAddress {
  std::string host;
  int port = 0;
  bool loopback = false;
};

// "HOST:PORT" or "[V6]:PORT"; INVALID_ARGUMENT otherwise. Loopback: 127.0.0.0/8, ::1,
// localhost.
absl::StatusOr<ListenAddress> ParseListen(const std::string& listen);

}  // namespace ui
}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_UI_UI_COMMAND_H_
