// Plan files: a plan written as the story of its events, in YAML.
//
//   workspace: acme
//   events:
//     - by: dana                 # who (the event's actor)
//       at: 2026-01-05           # when it was made: YYYY-MM-DD or RFC 3339 (optional)
//       goalCreated:             # one payload, in protobuf's JSON mapping of Payload
//         goalId: sales-2026
//         level: GOAL_LEVEL_TEAM
//         statement: 50 signings by end of Q4
//
// Every entry becomes one event with a stable id derived from the workspace, its position
// and its content, so loading the same file twice appends nothing the second time.
//
// An exported plan (WritePlanFile) also carries, per entry, what makes it the same event
// again: `id` (its event_id), `hlc` ([micros, logical], when it was made, exactly),
// `replica` and `baseSeq` (so that concurrent edits merge the same way when the file is
// loaded into an empty workspace), and `acceptedAt` (for the reader; ignored on load).
// The same structure in JSON is read too (JSON is YAML), and a CSV with the columns
// id,by,at,hlc,replica,base_seq,accepted_at,payload (payload: protobuf JSON of Payload).
#ifndef GOALSYNC_CLIENT_PLAN_FILE_H_
#define GOALSYNC_CLIENT_PLAN_FILE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "goalsync/v1/event.pb.h"

namespace goalsync::client {

struct PlanFile {
  std::string workspace;
  // Ready to append: event_id, actor, hlc (from `at`) and payload set.
  std::vector<goalsync::v1::Event> events;
};

// Parses YAML text. INVALID_ARGUMENT naming the line and the field for anything that is
// not a valid plan file; nothing is returned then.
absl::StatusOr<PlanFile> ParsePlanFile(const std::string& yaml_text);

// Parses CSV text as written by WritePlanFile(kCsv) (`workspace` is not in it).
absl::StatusOr<PlanFile> ParsePlanCsv(const std::string& workspace, const std::string& csv_text);

// Reads and parses `path` (CSV if it ends in .csv, then `csv_workspace` names the workspace;
// YAML or JSON otherwise); NOT_FOUND if it cannot be read.
absl::StatusOr<PlanFile> ReadPlanFile(const std::string& path,
                                      const std::string& csv_workspace = "");

enum class PlanFormat { kYaml, kJson, kCsv };

// A whole plan as a file: `events` (committed, in log order) written so that ParsePlanFile /
// ParsePlanCsv give the same events back.
std::string WritePlanFile(const std::string& workspace,
                          const std::vector<goalsync::v1::Event>& events, PlanFormat format);

}  // namespace goalsync::client

#endif  // GOALSYNC_CLIENT_PLAN_FILE_H_
