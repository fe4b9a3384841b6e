#include "cli/commands/audit_command.h"

#include <algorithm>
#include <iostream>
#include <memory>

#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "cli/output/event_printer.h"
#include "goalsync/log_client.h"
#include "cli/replica_session.h"
#include "cli/output/table.h"
#include "absl/strings/str_join.h"
#include "core/plan/goal_fields.h"
#include "core/timestamps.h"
#include "goalsync/plan_client.h"
#include "google/protobuf/util/json_util.h"

namespace goalsync::cli {
namespace {

struct HistoryArgs {
  std::string goal, field, actor, since, until;
  std::vector<std::string> types;
  uint32_t limit = 0;
};

// YYYY-MM-DD (UTC midnight) or RFC 3339.
absl::Status ParseWhen(const std::string& text, const char* flag, google::protobuf::Timestamp* out) {
  absl::Time t;
  std::string err;
  if (!absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &t, &err) &&
      !absl::ParseTime(absl::RFC3339_full, text, &t, &err)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s \"%s\" is neither YYYY-MM-DD nor RFC 3339", flag, text));
  }
  *out = core::ToTimestamp(t);  // to the nanosecond: RFC 3339 may carry a fraction
  return absl::OkStatus();
}

std::string Second(absl::Time t) { return absl::FormatTime("%Y-%m-%d %H:%M:%S", t, absl::UTCTimeZone()); }

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
  absl::StatusOr<std::unique_ptr<client::Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  absl::StatusOr<v1::GetHistoryResponse> resp = LoadHistory(ctx, **replica, req);
  if (!resp.ok()) return resp.status();
  const Output format = ctx.output_format();
  if (format == Output::kTable) std::cout << EventTableHeader();
  for (const auto& e : resp->events()) std::cout << FormatEvent(e, format);
  return absl::OkStatus();
}

absl::Status RunBlame(const CliContext& ctx, const std::string& goal) {
  absl::StatusOr<std::unique_ptr<client::Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  absl::StatusOr<v1::BlameResponse> blamed;
  if ((*replica)->Status().log_from == 1 || ctx.offline) {
    blamed = (*replica)->Blame(goal);
  } else {
    // A replica that started from a server snapshot cannot say what a field was before: the
    // server, which holds the whole log, answers.
    absl::StatusOr<std::unique_ptr<client::PlanClient>> plan = ConnectPlan(ctx);
    if (!plan.ok()) return plan.status();
    v1::BlameRequest req;
    req.set_workspace(ctx.workspace);
    req.set_goal_id(goal);
    blamed = (*plan)->Blame(req);
  }
  if (!blamed.ok()) return blamed.status();
  const v1::BlameResponse& resp = *blamed;
  if (ctx.output_format() == Output::kJson) {
    std::string json;
    (void)google::protobuf::util::MessageToJsonString(resp, &json);
    std::cout << json << "\n";
    return absl::OkStatus();
  }
  size_t field_width = 8;
  for (const auto& l : resp.lines()) field_width = std::max(field_width, l.field().size() + 2);
  const std::vector<size_t> widths = {std::min<size_t>(field_width, 40), 24, 24, 10, 6, 21, 21};
  std::cout << SideBySide({{"FIELD"}, {"VALUE"}, {"WAS"}, {"BY"}, {"SEQ"}, {"MADE (UTC)"},
                           {"ACCEPTED (UTC)"}, {"WHY"}},
                          widths);
  for (const auto& l : resp.lines()) {
    const v1::Change& c = l.change();
    std::string why = "-";
    if (l.has_change_request()) {
      const auto& cr = l.change_request();
      why = absl::StrFormat("change request %s opened by %s (%s), approved by %s", cr.id(),
                            cr.opened().actor(), cr.reason(), cr.decided().actor());
    }
    const std::string made = Second(absl::FromUnixMicros(static_cast<int64_t>(c.hlc().physical_micros())));
    const std::string accepted = c.has_server_time() ? Second(core::FromTimestamp(c.server_time())) : "not yet synced";
    std::cout << SideBySide({Wrap(l.field(), widths[0] - 2),
                             Wrap(l.value().empty() ? "-" : l.value(), widths[1] - 2),
                             Wrap(l.previous_value().empty() ? "?" : l.previous_value(), widths[2] - 2),
                             {c.actor()},
                             {c.seq() == 0 ? "-" : absl::StrCat(c.seq())},
                             {made},
                             {accepted},
                             {why}},
                            widths);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::GetHistoryResponse> LoadHistory(const CliContext& ctx, client::Replica& replica,
                                                   v1::GetHistoryRequest req) {
  req.set_workspace(ctx.workspace);
  // The replica answers when it holds the whole log (offline too); one that started from a
  // server snapshot asks the server, through client-lib (no plaintext fallback: a TLS
  // setting that cannot be loaded is an error).
  if (replica.Status().log_from == 1 || ctx.offline) return replica.History(req);
  absl::StatusOr<std::unique_ptr<client::PlanClient>> plan = ConnectPlan(ctx);
  if (!plan.ok()) return plan.status();
  return (*plan)->GetHistory(req);
}

void RegisterAuditCommands(CLI::App& app, CliContext& ctx) {
  auto h = std::make_shared<HistoryArgs>();
  CLI::App* history = app.add_subcommand("history", "Events of the plan, filtered; every filter given must match");
  history->add_option("--goal", h->goal, "Only this goal's events");
  history->add_option("--field", h->field,
                      "Only events that set this field, and the change requests (opened, "
                      "approved, rejected) proposing it: a goal field (" +
                          absl::StrJoin(core::GoalFieldNames(), ", ") +
                          "), targets, parent, archived, or period.PERIOD (period.2026-Q4)");
  history->add_option("--actor", h->actor, "Only events by this person");
  history->add_option("--since", h->since,
                      "Accepted at or after: YYYY-MM-DD (UTC midnight) or RFC 3339, fractions of "
                      "a second honoured (2026-03-01T09:30:00.250Z)");
  history->add_option("--until", h->until, "Accepted at or before (YYYY-MM-DD or RFC 3339, as --since)");
  history->add_option("--type", h->types, "Only these event types (goal_field_set, ...); repeatable");
  history->add_option("--limit", h->limit, "Most events (default 1000)");
  history->callback([&ctx, h] { ctx.exit_code = ReportError(ctx, RunHistory(ctx, *h)); });

  auto goal = std::make_shared<std::string>();
  CLI::App* blame = app.add_subcommand(
      "blame", "For each field of a goal: its value, who set it, when it was made and accepted, "
               "and the change request behind it");
  blame->add_option("GOAL", *goal, "The goal id")->required();
  blame->footer("Columns: FIELD, VALUE (now), WAS (before the change; ? when unknown), BY, SEQ, "
                "MADE and ACCEPTED (UTC, to the second), WHY (the change request behind it).");
  blame->callback([&ctx, goal] { ctx.exit_code = ReportError(ctx, RunBlame(ctx, *goal)); });
}

}  // namespace goalsync::cli
