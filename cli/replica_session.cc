#include "cli/replica_session.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "core/plan/period.h"
#include "nlohmann/json.hpp"

namespace goalsync::cli {

using client::Replica;
using Json = nlohmann::ordered_json;

ProgressBar::ProgressBar(std::string what)
    : what_(std::move(what)), tty_(isatty(STDERR_FILENO)) {}

ProgressBar::~ProgressBar() {
  if (drawn_) std::fputs("\n", stderr);
}

void ProgressBar::Update(uint64_t done, uint64_t total) {
    if (!tty_ || total < 2000) return;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(kWidth * done / std::max<uint64_t>(total, 1));
    std::fprintf(stderr, "\r%s [%s%s] %llu/%llu events", what_.c_str(),
                 std::string(filled, '#').c_str(), std::string(kWidth - filled, '.').c_str(),
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
    drawn_ = true;
}

absl::StatusOr<std::unique_ptr<Replica>> OpenReplica(const CliContext& ctx) {
  const std::string dir = ctx.replica.empty() ? DefaultReplicaDir(ctx.workspace) : ctx.replica;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(dir).parent_path(), ec);
  std::string actor = ctx.actor;
  if (actor.empty()) {
    const char* user = std::getenv("USER");
    actor = user != nullptr && *user != '\0' ? user : "unknown";
  }
  return Replica::Open({.dir = dir,
                        .server = ctx.offline ? "" : ctx.server,
                        .workspace = ctx.workspace,
                        .actor = actor,
                        .token = ctx.token,
                        .tls_ca_file = ctx.tls_ca});
}

// Opens the replica and, unless --offline, pulls what the server has (one attempt): views
// show the current plan and edits are checked against it. An unreachable server is no error;
// the replica's plan as of its last sync is used.
absl::StatusOr<std::unique_ptr<Replica>> OpenFresh(const CliContext& ctx) {
  absl::StatusOr<std::unique_ptr<Replica>> replica = OpenReplica(ctx);
  if (!replica.ok() || ctx.offline) return replica;
  ProgressBar bar("catching up");
  client::SyncOptions once;
  once.max_attempts = 1;
  once.on_progress = [&](uint64_t done, uint64_t total) { bar.Update(done, total); };
  absl::StatusOr<client::SyncReport> pulled = (*replica)->Pull(once);
  if (!pulled.ok() && !absl::IsUnavailable(pulled.status()) &&
      !absl::IsDeadlineExceeded(pulled.status())) {
    return pulled.status();
  }
  return replica;
}

absl::StatusOr<absl::CivilDay> ParseToday(const std::string& today) {
  if (today.empty()) return absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  return core::ParseDate(today);
}

std::string UtcTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", t, absl::UTCTimeZone());
}

// After an edit: push it if the server answers. Unreachable is no error (the edit waits in
// the outbox); a refusal by the server is (the edit is in the rejected list).
namespace {

absl::Status Settle(const CliContext& ctx, Replica& replica, const std::string& what) {
  const bool json = ctx.output_format() == Output::kJson;
  if (ctx.offline) {
    const size_t pending = replica.Status().outbox;
    if (json) {
      std::cout << Json{{"recorded", what}, {"synced", false}, {"pending", pending}}.dump() << "\n";
    } else {
      std::cout << what << ": recorded offline (" << pending << " waiting; goalctl sync)\n";
    }
    return absl::OkStatus();
  }
  client::SyncOptions once;
  once.max_attempts = 1;
  once.pull_first = false;  // Edit opened the replica fresh: pulling again finds nothing
  absl::StatusOr<client::SyncReport> r = replica.Sync(once);
  if (!r.ok() && !absl::IsUnavailable(r.status()) && !absl::IsDeadlineExceeded(r.status())) {
    return r.status();
  }
  if (r.ok() && r->rejected > 0) {
    // The newest r->rejected entries are this sync's (an older queued edit may be among them).
    const auto rejected = replica.Rejected();
    std::vector<std::string> reasons;
    for (size_t i = rejected.size() - std::min<size_t>(r->rejected, rejected.size()); i < rejected.size(); ++i) {
      reasons.push_back(rejected[i].reason());
    }
    return absl::FailedPreconditionError(absl::StrCat(
        what, ": the server refused ", r->rejected, " edit(s): ", absl::StrJoin(reasons, "; "),
        " (kept in the rejected list: goalctl rejected)"));
  }
  const size_t pending = replica.Status().outbox;
  if (json) {
    Json j{{"recorded", what}, {"synced", r.ok()}, {"pending", pending}};
    if (r.ok()) j["headSeq"] = r->head;
    std::cout << j.dump() << "\n";
  } else if (r.ok()) {
    std::cout << what << ": synced (head seq " << r->head << ")\n";
  } else {
    std::cout << what << ": recorded offline, the server does not answer (" << pending
              << " waiting; goalctl sync)\n";
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Edit(const CliContext& ctx, const std::string& what,
                  const std::function<absl::Status(Replica&)>& edit) {
  absl::StatusOr<std::unique_ptr<Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  if (absl::Status s = edit(**replica); !s.ok()) return s;
  return Settle(ctx, **replica, what);
}

}  // namespace goalsync::cli
