#include "cli/commands/admin_backup_command.h"

#include <iostream>
#include <memory>

#include "goalsync/admin_client.h"
#include "google/protobuf/util/json_util.h"

namespace goalsync::cli {

void RegisterAdminBackupCommand(CLI::App& admin, CliContext& ctx) {
  auto to = std::make_shared<std::string>();
  CLI::App* backup = admin.add_subcommand(
      "backup",
      "Back up the running server (every workspace, signed checkpoints, tokens, signing key) "
      "into a directory on the server's machine; incremental into a dir with earlier backups. "
      "Restore with: goalsyncd restore --from DIR --data-dir NEW_DIR");
  backup->add_option("--to", *to, "Backup directory, as the server sees it")->required();
  backup->callback([&ctx, to] {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = ConnectChannel(ctx);
    if (!channel.ok()) {
      ctx.exit_code = ReportError(ctx, channel.status());
      return;
    }
    client::AdminClient admin_client(*channel);
    admin_client.set_token(ctx.token);
    absl::StatusOr<v1::BackupResponse> r = admin_client.Backup(*to);
    if (!r.ok()) {
      ctx.exit_code = ReportError(ctx, r.status());
      return;
    }
    if (ctx.output_format() == Output::kJson) {
      std::string json;
      (void)google::protobuf::util::MessageToJsonString(*r, &json);
      std::cout << json << "\n";
    } else {
      std::cout << "backup " << r->backup_id() << " in " << *to << ": " << r->total_bytes()
                << " bytes, " << r->copied_bytes() << " copied, " << r->duration_ms() << " ms\n";
    }
    ctx.exit_code = ReportError(ctx, absl::OkStatus());
  });
}

}  // namespace goalsync::cli
