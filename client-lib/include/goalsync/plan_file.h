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

// Reads and parses `path`; NOT_FOUND if it cannot be read.
absl::StatusOr<PlanFile> ReadPlanFile(const std::string& path);

}  // namespace goalsync::client

#endif  // GOALSYNC_CLIENT_PLAN_FILE_H_
