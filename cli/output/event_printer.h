// How goalctl prints events: a line of columns for people, one JSON object per line
// (protobuf's JSON mapping) for programs.
#ifndef GOALSYNC_CLI_OUTPUT_EVENT_PRINTER_H_
#define GOALSYNC_CLI_OUTPUT_EVENT_PRINTER_H_

#include <string>

#include "cli/cli_context.h"
#include "goalsync/v1/event.pb.h"

namespace goalsync::cli {

// The payload's event type, e.g. "goal_created".
std::string EventType(const goalsync::v1::Payload& payload);

// One line (with its newline) describing `event` in `format`.
std::string FormatEvent(const goalsync::v1::Event& event, Output format);

// The header line printed before table rows.
std::string EventTableHeader();

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_OUTPUT_EVENT_PRINTER_H_
