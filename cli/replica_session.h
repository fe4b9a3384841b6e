// What goalctl's replica commands share: opening the user's replica, pulling before a view
// or an edit, pushing after an edit, and a progress bar for long catch-ups.
#ifndef GOALSYNC_CLI_REPLICA_SESSION_H_
#define GOALSYNC_CLI_REPLICA_SESSION_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "cli/cli_context.h"
#include "goalsync/replica.h"

namespace goalsync::cli {

// A progress bar on stderr when it is a terminal and the work is long; nothing otherwise.
class ProgressBar {
 public:
  explicit ProgressBar(std::string what);
  ~ProgressBar();
  void Update(uint64_t done, uint64_t total);

 private:
  std::string what_;
  bool tty_;
  bool drawn_ = false;
};

// The replica of ctx.workspace in ctx.replica (or the per-user default), as ctx.actor.
absl::StatusOr<std::unique_ptr<client::Replica>> OpenReplica(const CliContext& ctx);

// OpenReplica, then (unless --offline) one attempt to pull what the server has, so that
// views show the current plan and edits are checked against it. An unreachable server is no
// error: the plan as of the last sync is used.
absl::StatusOr<std::unique_ptr<client::Replica>> OpenFresh(const CliContext& ctx);

// Opens fresh, runs `edit`, then pushes it if the server answers and says what happened
// (`what` names the edit). Unreachable is no error (the edit waits in the outbox); a refusal
// by the server is (the edit is kept in the rejected list).
absl::Status Edit(const CliContext& ctx, const std::string& what,
                  const std::function<absl::Status(client::Replica&)>& edit);

// The day views judge by: `today` (YYYY-MM-DD), or today in UTC when empty.
absl::StatusOr<absl::CivilDay> ParseToday(const std::string& today);

// "2026-03-01 09:30:00 UTC".
std::string UtcTime(absl::Time t);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_REPLICA_SESSION_H_
