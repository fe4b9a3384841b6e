// The JSON behind goalctl ui's boards: Gantt, Kanban, the RACI matrix, the dashboard,
// reviews, change requests, conflicts, and the replica's status (pending and refused edits).
// The numbers are core/plan's (queries.h, progress.h), as in goalctl's views.
#ifndef GOALSYNC_CLI_UI_BOARD_PAGES_H_
#define GOALSYNC_CLI_UI_BOARD_PAGES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "cli/ui/page_json.h"
#include "goalsync/replica.h"

namespace goalsync::cli::ui {

// Tasks with due dates on a time axis: bars, milestones, finish-to-start dependencies, late
// and ahead as of `today`.
absl::StatusOr<Json> GanttPage(const client::Replica& replica, absl::CivilDay today);
// Tasks in todo / doing / done / blocked columns.
absl::StatusOr<Json> KanbanPage(const client::Replica& replica);
// Goals and tasks against people; rows without exactly one A flagged.
absl::StatusOr<Json> RaciPage(const client::Replica& replica);
// One goal (default: the first root): progress of its subtree, plan against actual per
// period (the burn-up's points), tasks done of those due by `today`, failed checks, goals at
// risk, over-allocations.
absl::StatusOr<Json> DashboardPage(const client::Replica& replica, const std::string& goal,
                                   absl::CivilDay today);
// Every review, by period, with the goal's progress over that period.
absl::StatusOr<Json> ReviewsPage(const client::Replica& replica);
// Every change request, open ones first.
absl::StatusOr<Json> ChangeRequestsPage(const client::Replica& replica);
// Every conflict record, open ones first.
absl::StatusOr<Json> ConflictsPage(const client::Replica& replica);
// Confirmed seq, pending edits (the outbox), refused edits with the server's reason, stale
// pending edits with the kernel's.
Json StatusJson(const client::Replica& replica);

}  // namespace goalsync::cli::ui

#endif  // GOALSYNC_CLI_UI_BOARD_PAGES_H_
