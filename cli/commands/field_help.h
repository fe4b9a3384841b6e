// What goalctl's --help says a field or flag accepts, from the same tables the kernel parses
// with (core/plan/goal_fields, the enums of event.proto), so help and errors never disagree.
#ifndef GOALSYNC_CLI_COMMANDS_FIELD_HELP_H_
#define GOALSYNC_CLI_COMMANDS_FIELD_HELP_H_

#include <string>

#include "google/protobuf/descriptor.h"

namespace goalsync::cli {

// "increase, decrease, stay-within": the short names of every value but UNSPECIFIED.
std::string EnumChoices(const google::protobuf::EnumDescriptor* descriptor);

// One line per field `goalctl goal set` takes: "  direction   increase, decrease, ...".
std::string GoalFieldsHelp();

// One line per field `goalctl task set` takes.
std::string TaskFieldsHelp();

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_FIELD_HELP_H_
