// goalctl: the goalsync command line. The only file of the CLI not in a library.
#include <cstdio>

#include "CLI/CLI.hpp"
#include "absl/synchronization/mutex.h"
#include "cli/cli_context.h"
#include "cli/config_file.h"
#include "cli/commands/admin_command.h"
#include "cli/commands/audit_command.h"
#include "cli/commands/cluster_command.h"
#include "cli/commands/import_command.h"
#include "cli/commands/log_command.h"
#include "cli/commands/alloc_command.h"
#include "cli/commands/raci_command.h"
#include "cli/commands/review_command.h"
#include "cli/commands/target_command.h"
#include "cli/commands/task_command.h"
#include "cli/commands/checkin_command.h"
#include "cli/commands/goal_command.h"
#include "cli/commands/sync_command.h"
#include "cli/commands/tree_command.h"
#include "cli/commands/view_commands.h"
#include "cli/ui/ui_command.h"

int main(int argc, char** argv) {
  using namespace goalsync::cli;
  // Abseil's lock-order graph (on in Debian's build) costs every lock a process-wide lock.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  CLI::App app{"goalctl: run an annual goal plan on goalsync"};
  app.set_version_flag("--version", "goalctl " GOALSYNC_VERSION);
  app.require_subcommand(1);
  // Global flags may also come after the command: `goalctl log head --output json`.
  app.fallthrough();
  CliContext ctx;
  const std::string config = ConfigPath(argc, argv);
  if (absl::Status s = LoadConfig(config, &ctx); !s.ok()) return ReportError(ctx, s);
  app.add_option("--config", "goalctl's settings file (default: ~/.config/goalsync/goalctl.yaml)")
      ->envname("GOALSYNC_CONFIG");
  app.add_option("--server", ctx.server, "goalsyncd address, host:port; a replica group's members as host:port,host:port,... "
                 "(appends follow the leader)")
      ->envname("GOALSYNC_SERVER")
      ->capture_default_str();
  app.add_option("--workspace,-w", ctx.workspace, "Workspace (one organization's plan)")
      ->envname("GOALSYNC_WORKSPACE")
      ->capture_default_str();
  app.add_option("--replica", ctx.replica,
                 "Local replica directory (default: ~/.local/share/goalsync/replicas/WORKSPACE)")
      ->envname("GOALSYNC_REPLICA");
  app.add_option("--as", ctx.actor, "Who makes the edits (default: $USER)")
      ->envname("GOALSYNC_ACTOR");
  app.add_option("--token", ctx.token, "Bearer token for goalsyncd")->envname("GOALSYNC_TOKEN");
  app.add_option("--tls-ca", ctx.tls_ca, "PEM file of the CA of goalsyncd's TLS certificate")
      ->envname("GOALSYNC_TLS_CA");
  app.add_flag("--offline", ctx.offline,
               "Edits stay in the local outbox; do not try to reach the server");
  app.add_option("--output,-o", ctx.output, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  RegisterLogCommands(app, ctx);
  RegisterImportCommand(app, ctx);
  RegisterAuditCommands(app, ctx);
  RegisterSyncCommands(app, ctx);
  RegisterGoalCommands(app, ctx);
  RegisterCheckinCommand(app, ctx);
  RegisterTreeCommand(app, ctx);
  RegisterTargetCommands(app, ctx);
  RegisterTaskCommands(app, ctx);
  RegisterRaciCommands(app, ctx);  // before the views: they add `raci [GOAL]` (the matrix)
  RegisterAllocCommands(app, ctx);
  RegisterReviewCommands(app, ctx);  // before the views: they add the review report
  RegisterViewCommands(app, ctx);
  RegisterAdminCommands(app, ctx);
  RegisterAuditVerifyCommands(app, ctx);
  RegisterUiCommand(app, ctx);
  RegisterClusterCommands(app, ctx);
  app.add_subcommand("init",
                     "Write the settings given (--server, --workspace, --replica, --as, --token, --tls-ca, "
                     "--output) to the settings file, then sync the replica")
      ->callback([&ctx, config] {
        if (absl::Status s = SaveConfig(config, ctx); !s.ok()) {
          ctx.exit_code = ReportError(ctx, s);
          return;
        }
        std::printf("settings written to %s\n", config.c_str());
        ctx.exit_code = RunInitialSync(ctx);
      });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return ctx.exit_code;
}
