#include "cli/output/event_printer.h"

#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "core/envelope.h"
#include "google/protobuf/util/json_util.h"

namespace goalsync::cli {

std::string EventType(const goalsync::v1::Payload& payload) {
  const auto* field = payload.GetDescriptor()->FindFieldByNumber(payload.body_case());
  return field == nullptr ? "-" : field->name();
}

std::string EventTableHeader() {
  return absl::StrFormat("%-6s %-20s %-12s %-24s %-16s %s\n", "SEQ", "ACCEPTED (UTC)", "ACTOR",
                         "TYPE", "GOAL", "PAYLOAD");
}

std::string FormatEvent(const goalsync::v1::Event& event, Output format) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  if (format == Output::kJson) {
    (void)google::protobuf::util::MessageToJsonString(event, &json, options);
    return json + "\n";
  }
  (void)google::protobuf::util::MessageToJsonString(event.payload(), &json, options);
  const absl::Time accepted = absl::FromUnixSeconds(event.server_time().seconds()) +
                              absl::Nanoseconds(event.server_time().nanos());
  const std::string goal(core::GoalIdOf(event.payload()));
  return absl::StrFormat("%-6d %-20s %-12s %-24s %-16s %s\n", event.seq(),
                         absl::FormatTime("%Y-%m-%d %H:%M:%S", accepted, absl::UTCTimeZone()),
                         event.actor().empty() ? "-" : event.actor(), EventType(event.payload()),
                         goal.empty() ? "-" : goal, json);
}

}  // namespace goalsync::cli
