#include "core/enum_names.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace goalsync::core {
namespace {

// "GOAL_LEVEL_" of GOAL_LEVEL_UNSPECIFIED.
std::string Prefix(const google::protobuf::EnumDescriptor* descriptor) {
  const std::string& zero = descriptor->value(0)->name();
  return zero.substr(0, zero.size() - std::string("UNSPECIFIED").size());
}

}  // namespace

int ParseEnumValue(const google::protobuf::EnumDescriptor* descriptor, absl::string_view text) {
  std::string upper = absl::AsciiStrToUpper(text);
  std::replace(upper.begin(), upper.end(), '-', '_');
  for (const std::string& candidate : {upper, Prefix(descriptor) + upper}) {
    const auto* value = descriptor->FindValueByName(candidate);
    if (value != nullptr && value->number() != 0) return value->number();
  }
  return -1;
}

absl::StatusOr<int> ParseEnum(const google::protobuf::EnumDescriptor* descriptor,
                              absl::string_view text) {
  const int n = ParseEnumValue(descriptor, text);
  if (n >= 0) return n;
  std::vector<std::string> names;
  for (int i = 1; i < descriptor->value_count(); ++i) {
    names.push_back(EnumWord(descriptor, descriptor->value(i)->number()));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("\"", text, "\" is not one of ", absl::StrJoin(names, ", ")));
}

std::string EnumWord(const google::protobuf::EnumDescriptor* descriptor, int number) {
  const auto* value = descriptor->FindValueByNumber(number);
  if (value == nullptr) return "";
  std::string word = absl::AsciiStrToLower(value->name().substr(Prefix(descriptor).size()));
  std::replace(word.begin(), word.end(), '_', '-');
  return word;
}

}  // namespace goalsync::core
