#include "cli/cli_context.h"

#include <cstdio>
#include <cstdlib>

#include "goalsync/server_group.h"
#include <string>

#include "absl/strings/ascii.h"
#include "core/refusal.h"
#include "goalsync/log_client.h"

namespace goalsync::cli {

std::string XdgDir(const char* variable, const char* under_home) {
  if (const char* xdg = std::getenv(variable); xdg != nullptr && *xdg != '\0') return xdg;
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::string(home) + "/" + under_home;
  }
  return "";
}

std::string DefaultReplicaDir(const std::string& workspace) {
  std::string base = XdgDir("XDG_DATA_HOME", ".local/share");
  return (base.empty() ? "." : base) + "/goalsync/replicas/" + workspace;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> ConnectChannel(const CliContext& ctx) {
  return client::Connect(ctx.server, {.token = ctx.token, .tls_ca_file = ctx.tls_ca});
}

absl::StatusOr<std::unique_ptr<client::LogClient>> ConnectLog(const CliContext& ctx) {
  // --server a,b,c (a replica group): appends follow the leader.
  return client::ConnectLogClient(ctx.server, {.token = ctx.token, .tls_ca_file = ctx.tls_ca});
}

absl::StatusOr<std::unique_ptr<client::PlanClient>> ConnectPlan(const CliContext& ctx) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = ConnectChannel(ctx);
  if (!channel.ok()) return channel.status();
  auto plan = std::make_unique<client::PlanClient>(*channel);
  plan->set_token(ctx.token);
  return plan;
}

namespace {

// What the server said as data (errors.proto), when it said it: "\n  refused: invalid
// (event 2, field payload.goal_created.level)".
std::string RefusalFacts(const absl::Status& status) {
  if (!status.GetPayload(core::kRefusalTypeUrl).has_value()) return "";
  const goalsync::v1::Refusal r = client::RefusalOf(status);
  std::string facts;
  if (r.has_event_index()) facts += "event " + std::to_string(r.event_index());
  if (!r.field().empty()) facts += (facts.empty() ? "field " : ", field ") + r.field();
  if (r.has_resume_from_seq()) {
    facts += (facts.empty() ? "" : ", ") + std::string("resume from seq ") +
             std::to_string(r.resume_from_seq());
  }
  return "\n  refused: " + absl::AsciiStrToLower(goalsync::v1::Refusal::Reason_Name(r.reason())) +
         (facts.empty() ? "" : " (" + facts + ")");
}

}  // namespace

int ReportError(const CliContext& ctx, const absl::Status& status) {
  if (status.ok()) return kExitOk;
  std::string hint;
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
      hint = "is goalsyncd running at " + ctx.server + "? (--server or GOALSYNC_SERVER)";
      break;
    case absl::StatusCode::kDeadlineExceeded:
      hint = "goalsyncd at " + ctx.server + " did not answer in time";
      break;
    default:
      break;
  }
  std::fprintf(stderr, "goalctl: %s%s%s%s\n", std::string(status.message()).c_str(),
               RefusalFacts(status).c_str(), hint.empty() ? "" : "\n  hint: ", hint.c_str());
  return kExitError;
}

}  // namespace goalsync::cli
