// Enum values by name, for people: every goalsync enum starts with FOO_UNSPECIFIED = 0, so
// "FOO_" is its prefix and a value has a short name ("GOAL_LEVEL_BUSINESS_LINE" ->
// "business-line"). One place for the kernel's field parsing, goalctl and goalsyncd.
#ifndef GOALSYNC_CORE_ENUM_NAMES_H_
#define GOALSYNC_CORE_ENUM_NAMES_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"

namespace goalsync::core {

// The value of `descriptor` named by `text`: its full name ("GOAL_LEVEL_TEAM") or short name
// in any case, with '-' or '_' ("team", "business-line", "business_line"). -1 if it is
// neither, or names UNSPECIFIED.
int ParseEnumValue(const google::protobuf::EnumDescriptor* descriptor, absl::string_view text);

// ParseEnumValue, or INVALID_ARGUMENT: "\"text\" is not one of a, b, c".
absl::StatusOr<int> ParseEnum(const google::protobuf::EnumDescriptor* descriptor,
                              absl::string_view text);

// The short name of `number`: lowercase, '-' for '_' ("business-line"); "" if unknown.
std::string EnumWord(const google::protobuf::EnumDescriptor* descriptor, int number);

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_ENUM_NAMES_H_
