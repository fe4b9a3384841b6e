// The JSON behind goalctl ui's plan pages: the cascade tree, a goal, and "as of" (the plan at
// a past seq or date beside today's). Every number comes from core/plan (progress, queries,
// history), the functions goalctl's views use; the state is the replica's shown state
// (confirmed plus the outbox), read once per page.
#ifndef GOALSYNC_CLI_UI_PLAN_PAGES_H_
#define GOALSYNC_CLI_UI_PLAN_PAGES_H_

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "cli/ui/page_json.h"
#include "goalsync/replica.h"

namespace goalsync::cli::ui {

// Every live goal in tree order with its depth, progress (actual, fraction, band against
// floor/base/stretch, over `period` if given) and its failed breakdown checks.
absl::StatusOr<Json> TreePage(const client::Replica& replica, const std::string& period);

// One goal whole: SMART+ fields, targets, plan against actual per period, check-ins (confirmed
// ones from the log, pending ones from the outbox), tasks, RACI, allocations, history and
// blame (with the approved change request behind a change). NOT_FOUND for an unknown goal.
absl::StatusOr<Json> GoalPage(const client::Replica& replica, const std::string& goal_id);

// The plan as of `at` (a seq, or a date YYYY-MM-DD meaning the end of that day UTC) beside
// the shown plan: for every goal, change request and review, every field on both sides,
// the different ones marked.
absl::StatusOr<Json> AsOfPage(const client::Replica& replica, const std::string& at);

// Every field of `message` that is set, as "path" -> text: nested messages as "a.b", map
// entries as "a.KEY", repeated scalars and messages as "a[TEXT]". Who/when records (Change),
// blame and the kernel's check-in aggregates are left out: they are not the plan's fields.
std::map<std::string, std::string> FlattenFields(const google::protobuf::Message& message);

}  // namespace goalsync::cli::ui

#endif  // GOALSYNC_CLI_UI_PLAN_PAGES_H_
