// What every goalctl command shares: the global flags and the one place where a status
// becomes a message and an exit code.
#ifndef GOALSYNC_CLI_CLI_CONTEXT_H_
#define GOALSYNC_CLI_CLI_CONTEXT_H_

#include <string>

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "goalsync/log_client.h"
#include "goalsync/plan_client.h"

namespace goalsync::cli {

// Exit codes: 0 success, 1 an error the user can fix (the message says how), 2 usage.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

enum class Output { kTable, kJson };

struct CliContext {
  std::string server = "127.0.0.1:7411";
  std::string workspace = "default";
  std::string output = "table";
  // The local replica's directory; empty: DefaultReplicaDir(workspace).
  std::string replica;
  // Who makes the edits (until tokens say it); empty: $USER.
  std::string actor;
  std::string token;
  // PEM file of the CA of goalsyncd's TLS certificate (empty: plaintext).
  std::string tls_ca;
  // Edits only go to the outbox; no attempt to reach the server.
  bool offline = false;
  // Set by the command that ran.
  int exit_code = kExitOk;

  Output output_format() const { return output == "json" ? Output::kJson : Output::kTable; }
};

// $`variable` (XDG_DATA_HOME, XDG_CONFIG_HOME) if set, else $HOME/`under_home`; "" if neither.
std::string XdgDir(const char* variable, const char* under_home);

// $XDG_DATA_HOME/goalsync/replicas/<workspace>, or ~/.local/share/goalsync/replicas/<workspace>.
std::string DefaultReplicaDir(const std::string& workspace);

// A channel to ctx.server with ctx's TLS settings, and a LogClient on it with ctx's token.
absl::StatusOr<std::shared_ptr<grpc::Channel>> ConnectChannel(const CliContext& ctx);
absl::StatusOr<std::unique_ptr<client::LogClient>> ConnectLog(const CliContext& ctx);
// A PlanClient (client-lib) on the same channel, with ctx's token.
absl::StatusOr<std::unique_ptr<client::PlanClient>> ConnectPlan(const CliContext& ctx);

// Prints `status` to stderr as "goalctl: <what went wrong>[: hint]" and returns its exit code.
int ReportError(const CliContext& ctx, const absl::Status& status);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_CLI_CONTEXT_H_
