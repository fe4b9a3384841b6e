#include "cli/commands/audit_command.h"

#include <iostream>
#include <memory>

#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "cli/output/event_printer.h"
#include "goalsync/log_client.h"
#include "cli/replica_session.h"
#include "goalsync/v1/plan_service.grpc.pb.h"
#include "google/protobuf/util/json_util.h"

namespace goalsync::cli {
namespace {

struct HistoryArgs {
  std::string goal, field, actor, since, until;
  std::vector<std::string> types;
  uint32_t limit = 0;
};

std::unique_ptr<v1::PlanService::Stub> PlanStub(const CliContext& ctx) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = ConnectChannel(ctx);
  return v1::PlanService::NewStub(
      channel.ok() ? *channel : grpc::CreateChannel(ctx.server, grpc::InsecureChannelCredentials()));
}

// YYYY-MM-DD (UTC midnight) or RFC 3339.
absl::Status ParseWhen(const std::string& text, const char* flag, google::protobuf::Timestamp* out) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &t, &err) &&
      !absl::ParseTime(absl::RFC3339_full, text, &t, &err)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s \"%s\" is neither YYYY-MM-DD nor RFC 3339", flag, text));
  }
  out->set_seconds(absl::ToUnixSeconds(t));
  return absl::OkStatus();
}

std::string When(const v1::Change& c) {
  const absl::Time made = absl::FromUnixMicros(c.hlc().physical_micros());
  if (!c.has_server_time()) {
    return absl::StrFormat("made %s, not yet synced",
                           absl::FormatTime("%Y-%m-%d %H:%M", made, absl::UTCTimeZone()));
  }
  const absl::Time accepted = absl::FromUnixSeconds(c.server_time().seconds());
  return absl::StrFormat("made %s, accepted %s",
                         absl::FormatTime("%Y-%m-%d %H:%M", made, absl::UTCTimeZone()),
                         absl::FormatTime("%Y-%m-%d %H:%M", accepted, absl::UTCTimeZone()));
}

absl::Status RunHistory(const CliContext& ctx, const HistoryArgs& a) {
  v1::GetHistoryRequest req;
  req.set_workspace(ctx.workspace);
  req.set_goal_id(a.goal);
  req.set_field(a.field);
  req.set_actor(a.actor);
  for (const auto& t : a.types) req.add_types(t);
  req.set_limit(a.limit);
  if (!a.since.empty()) {
    if (absl::Status s = ParseWhen(a.since, "--since", req.mutable_since()); !s.ok()) return s;
  }
  if (!a.until.empty()) {
    if (absl::Status s = ParseWhen(a.until, "--until", req.mutable_until()); !s.ok()) return s;
  }
  // The replica answers when it holds the whole log (offline too); one that started from a
  // server snapshot asks the server.
  absl::StatusOr<std::unique_ptr<client::Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  v1::GetHistoryResponse resp;
  if ((*replica)->Status().log_from == 1) {
    absl::StatusOr<v1::GetHistoryResponse> local = (*replica)->History(req);
    if (!local.ok()) return local.status();
    resp = std::move(*local);
  } else {
    grpc::ClientContext call;
    client::AddToken(call, ctx.token);
    if (absl::Status s = client::FromGrpcStatus(PlanStub(ctx)->GetHistory(&call, req, &resp)); !s.ok()) {
      return s;
    }
  }
  const Output format = ctx.output_format();
  if (format == Output::kTable) std::cout << EventTableHeader();
  for (const auto& e : resp.events()) std::cout << FormatEvent(e, format);
  return absl::OkStatus();
}

absl::Status RunBlame(const CliContext& ctx, const std::string& goal) {
  v1::BlameRequest req;
  req.set_workspace(ctx.workspace);
  req.set_goal_id(goal);
  absl::StatusOr<std::unique_ptr<client::Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  absl::StatusOr<v1::BlameResponse> blamed = (*replica)->Blame(goal);
  if (!blamed.ok()) return blamed.status();
  const v1::BlameResponse& resp = *blamed;
  if (ctx.output_format() == Output::kJson) {
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(resp, &json);
    std::cout << json << "\n";
    return absl::OkStatus();
  }
  std::cout << absl::StrFormat("%-20s %-28s %-8s %-5s %s\n", "FIELD", "VALUE", "BY", "SEQ", "WHEN / WHY");
  for (const auto& l : resp.lines()) {
    std::string why = When(l.change());
    if (l.has_change_request()) {
      const auto& cr = l.change_request();
      why += absl::StrFormat("; change request %s opened by %s (%s), approved by %s", cr.id(),
                             cr.opened().actor(), cr.reason(), cr.decided().actor());
    }
    std::cout << absl::StrFormat("%-20s %-28s %-8s %-5d %s\n", l.field(), l.value().substr(0, 28),
                                 l.change().actor(), l.change().seq(), why);
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterAuditCommands(CLI::App& app, CliContext& ctx) {
  auto h = std::make_shared<HistoryArgs>();
  CLI::App* history = app.add_subcommand("history", "Events of the plan, filtered; every filter given must match");
  history->add_option("--goal", h->goal, "Only this goal's events");
  history->add_option("--field", h->field,
                      "Only events that set this field: a goal field (owner), targets, parent, "
                      "archived, or period.2026-Q4");
  history->add_option("--actor", h->actor, "Only events by this person");
  history->add_option("--since", h->since, "Accepted at or after (YYYY-MM-DD or RFC 3339)");
  history->add_option("--until", h->until, "Accepted at or before (YYYY-MM-DD or RFC 3339)");
  history->add_option("--type", h->types, "Only these event types (goal_field_set, ...); repeatable");
  history->add_option("--limit", h->limit, "Most events (default 1000)");
  history->callback([&ctx, h] { ctx.exit_code = ReportError(ctx, RunHistory(ctx, *h)); });

  auto goal = std::make_shared<std::string>();
  CLI::App* blame = app.add_subcommand(
      "blame", "For each field of a goal: its value, who set it, when it was made and accepted, "
               "and the change request behind it");
  blame->add_option("GOAL", *goal, "The goal id")->required();
  blame->callback([&ctx, goal] { ctx.exit_code = ReportError(ctx, RunBlame(ctx, *goal)); });
}

}  // namespace goalsync::cli
