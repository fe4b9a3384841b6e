#include "server/ops/ops_cli.h"

#include <cstdio>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "server/store/backup.h"
#include "server/store/restore.h"

namespace goalsync::server {
namespace {

int RunBackup(const OpsCli& cli) {
  absl::StatusOr<BackupResult> r = BackupStoppedDataDir(cli.data_dir, cli.signing_key, cli.to);
  if (!r.ok()) {
    std::fprintf(stderr, "goalsyncd backup: %s\n", std::string(r.status().message()).c_str());
    return 1;
  }
  std::printf("backup %u in %s: %llu bytes, %llu copied, %s\n", r->backup_id, cli.to.c_str(),
              static_cast<unsigned long long>(r->total_bytes),
              static_cast<unsigned long long>(r->copied_bytes),
              absl::FormatDuration(r->took).c_str());
  return 0;
}

void PrintReport(const RestoreReport& report) {
  for (const WorkspaceVerdict& v : report.workspaces) {
    std::printf("%s: chain %s, %llu events, head %s\n", v.workspace.c_str(),
                v.status.ok() ? "OK" : absl::StrCat("BROKEN (", v.status.message(), ")").c_str(),
                static_cast<unsigned long long>(v.events),
                v.events == 0 ? "-" : absl::BytesToHexString(v.hash).c_str());
  }
  for (const SignedHeads& h : report.checkpoints) {
    std::printf("%s: %llu signed checkpoints verified, latest at seq %llu\n",
                h.workspace.c_str(), static_cast<unsigned long long>(h.verified),
                static_cast<unsigned long long>(h.latest_seq));
  }
}

int RunRestore(const OpsCli& cli) {
  absl::StatusOr<RestoreReport> report = RestoreBackup({cli.from, cli.data_dir, cli.pubkey});
  if (!report.ok()) {
    std::fprintf(stderr, "goalsyncd restore: %s\n",
                 std::string(report.status().message()).c_str());
    return 1;
  }
  PrintReport(*report);
  if (!report->verdict.ok()) {
    std::printf("restore of backup %u into %s is NOT good: %s\nDo not serve from it.\n",
                report->backup_id, cli.data_dir.c_str(),
                std::string(report->verdict.message()).c_str());
    return 1;
  }
  std::printf("restore of backup %u into %s is good: %zu workspaces, every chain and signed "
              "checkpoint verified\n",
              report->backup_id, cli.data_dir.c_str(), report->workspaces.size());
  return 0;
}

}  // namespace

void AddOpsCli(CLI::App& app, ServerOptions& o, OpsCli& cli) {
  app.add_option("--metrics-listen", o.metrics_listen,
                 "HOST:PORT for Prometheus (/metrics) and probes (/healthz, /readyz), plain "
                 "HTTP. Empty: no such port and no metrics kept. Anyone who reaches it reads the "
                 "metrics (no tokens): keep it on loopback or a private network.");
  app.add_option("--log-format", cli.log_format,
                 "text, or json: one JSON object a line (time, level, msg; refused and slow "
                 "requests add rpc, workspace, actor, code, duration_ms) for log pipelines.")
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option_function<uint64_t>(
         "--min-free-disk-mb", [&o](uint64_t mb) { o.disk.min_free_bytes = mb << 20; },
         "Refuse appends (RESOURCE_EXHAUSTED, \"disk full\") while the data dir's file system "
         "has less free space than this; they resume by themselves once space is freed. 0: "
         "never refuse, so a full disk fails a write and stops appends until restart.")
      ->default_str("256");
  app.add_option_function<int64_t>(
         "--slow-request-ms",
         [&o](int64_t ms) { o.request_log.slow = absl::Milliseconds(ms); },
         "Log unary requests slower than this (0: none); refused requests are always logged "
         "(at info). Lower shows more of the tail and writes more log.")
      ->default_str("500")
      ->check(CLI::NonNegativeNumber);

  cli.backup = app.add_subcommand(
      "backup", "Back up a stopped server's data dir (a running one: goalctl admin backup); "
                "incremental into a dir with earlier backups");
  cli.backup->add_option("--data-dir", cli.data_dir, "The data dir to back up")->required();
  cli.backup->add_option("--to", cli.to, "The backup dir (created if missing)")->required();
  cli.backup->add_option("--signing-key", cli.signing_key,
                         "The checkpoint key, if not DATA_DIR/checkpoint-key.pem");
  cli.restore = app.add_subcommand(
      "restore", "Restore the newest backup into a new data dir, then verify every chain and "
                 "signed checkpoint; exit 0 only if the restore is good");
  cli.restore->add_option("--from", cli.from, "The backup dir")->required();
  cli.restore->add_option("--data-dir", cli.data_dir, "The new data dir (must be empty)")
      ->required();
  cli.restore->add_option("--pubkey", cli.pubkey,
                          "Check the checkpoints with this public key (goalsyncd pubkey) "
                          "rather than the backed-up key's");
}

std::optional<int> RunOpsSubcommand(const OpsCli& cli) {
  if (cli.backup != nullptr && cli.backup->parsed()) return RunBackup(cli);
  if (cli.restore != nullptr && cli.restore->parsed()) return RunRestore(cli);
  return std::nullopt;
}

}  // namespace goalsync::server
