#include "cli/commands/checkin_command.h"

#include <iostream>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/commands/audit_command.h"
#include "cli/output/event_printer.h"
#include "cli/output/table.h"
#include "cli/replica_session.h"
#include "core/timestamps.h"

namespace goalsync::cli {
namespace {

// The goal's check-ins, oldest first, from the log (the plan keeps only their aggregates).
absl::Status RunCheckinList(const CliContext& ctx, const std::string& goal) {
  absl::StatusOr<std::unique_ptr<client::Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  if (absl::StatusOr<v1::Goal> g = (*replica)->GetGoal(goal); !g.ok()) return g.status();
  v1::GetHistoryRequest req;
  req.set_goal_id(goal);
  req.add_types("check_in_recorded");
  absl::StatusOr<v1::GetHistoryResponse> events = LoadHistory(ctx, **replica, req);
  if (!events.ok()) return events.status();
  if (ctx.output_format() == Output::kJson) {
    for (const v1::Event& e : events->events()) std::cout << FormatEvent(e, Output::kJson);
    return absl::OkStatus();
  }
  if (events->events().empty()) {
    std::cout << "no check-ins on " << goal << "\n";
    return absl::OkStatus();
  }
  std::cout << absl::StrFormat("%-6s %-20s %-10s %-10s %10s %6s  %s\n", "SEQ", "ACCEPTED (UTC)", "BY",
                               "PERIOD", "VALUE", "CONF", "NOTE");
  for (const v1::Event& e : events->events()) {
    const v1::CheckInRecorded& c = e.payload().check_in_recorded();
    std::cout << TrimRight(absl::StrFormat(
                     "%-6d %-20s %-10s %-10s %10s %5.0f%%  %s", e.seq(),
                     absl::FormatTime("%Y-%m-%d %H:%M:%S", core::FromTimestamp(e.server_time()), absl::UTCTimeZone()),
                     e.actor(), c.period().empty() ? "-" : c.period(), Number(c.value()),
                     100 * c.confidence(), c.note()))
              << "\n";
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterCheckinCommand(CLI::App& app, CliContext& ctx) {
  auto report = [&ctx](absl::Status s) { ctx.exit_code = ReportError(ctx, s); };
  auto c = std::make_shared<v1::CheckInRecorded>();
  CLI::App* checkin = app.add_subcommand(
      "checkin", "Record progress on a goal (works offline); checkin list GOAL shows them");
  checkin->add_option("GOAL", *c->mutable_goal_id());
  auto has_value = std::make_shared<bool>(false);
  checkin->add_option("VALUE", [c, has_value](const std::vector<std::string>& v) {
    double value = 0;
    if (!absl::SimpleAtod(v[0], &value)) return false;
    c->set_value(value);
    *has_value = true;
    return true;
  }, "The metric's value: what was achieved in the period (cumulative goals) or the level now");
  checkin->add_option("--period", *c->mutable_period(), "YYYY, YYYY-Qn, YYYY-MM or YYYY-Wnn");
  checkin->add_option("--confidence", [c](const std::vector<std::string>& v) {
    double value = 0;
    if (!absl::SimpleAtod(v[0], &value)) return false;
    c->set_confidence(value);
    return true;
  }, "0-1: how sure you are the goal will be met");
  checkin->add_option("--note", *c->mutable_note());
  auto goal = std::make_shared<std::string>();
  CLI::App* list = checkin->add_subcommand("list", "A goal's check-ins, oldest first, from the log");
  list->add_option("GOAL", *goal)->required();
  list->callback([&ctx, report, goal] { report(RunCheckinList(ctx, *goal)); });
  checkin->require_subcommand(0, 1);
  checkin->callback([&ctx, report, c, checkin, has_value] {
    if (!checkin->get_subcommands().empty()) return;
    if (c->goal_id().empty() || !*has_value) {
      std::cerr << "goalctl: checkin needs GOAL and VALUE (or: checkin list GOAL)\n";
      ctx.exit_code = kExitUsage;
      return;
    }
    report(Edit(ctx, absl::StrCat("check-in on ", c->goal_id()),
                [c](client::Replica& r) { return r.CheckIn(*c); }));
  });
}

}  // namespace goalsync::cli
