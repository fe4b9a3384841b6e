#include "cli/commands/field_help.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/enum_names.h"
#include "core/plan/goal_fields.h"
#include "goalsync/v1/event.pb.h"

namespace goalsync::cli {

std::string EnumChoices(const google::protobuf::EnumDescriptor* descriptor) {
  std::string out;
  for (int i = 0; i < descriptor->value_count(); ++i) {
    const int n = descriptor->value(i)->number();
    if (n == 0) continue;
    absl::StrAppend(&out, out.empty() ? "" : ", ", core::EnumWord(descriptor, n));
  }
  return out;
}

std::string GoalFieldsHelp() {
  using namespace goalsync::v1;  // NOLINT: the enum descriptors
  const std::map<std::string, std::string> accepted = {
      {"statement", "text: the outcome, as a result"},
      {"why", "text: which part of the parent it holds up"},
      {"owner", "a person (up to 200 characters)"},
      {"level", EnumChoices(GoalLevel_descriptor())},
      {"kind", EnumChoices(GoalKind_descriptor())},
      {"metric_name", "text (up to 200 characters)"},
      {"metric_unit", "text (up to 50 characters): customers, CNY, %"},
      {"metric_definition", "text: how the metric is measured"},
      {"baseline", "a number: where the metric starts"},
      {"reference", "text: the benchmark or history behind the baseline"},
      {"direction", EnumChoices(Direction_descriptor())},
      {"aggregation", EnumChoices(Aggregation_descriptor())},
      {"certainty", EnumChoices(Certainty_descriptor())},
      {"start_date", "YYYY-MM-DD"},
      {"due_date", "YYYY-MM-DD"},
      {"rollup", EnumChoices(RollupRule_descriptor())},
      {"rollup_reason", "text: why this roll-up rule"},
      {"weight", "a number >= 0: weight in the parent's weighted average (default 1)"},
  };
  std::string out = "Fields (FIELD) and the values (VALUE) they accept:\n";
  for (const std::string& f : core::GoalFieldNames()) {
    auto it = accepted.find(f);
    absl::StrAppend(&out, absl::StrFormat("  %-18s %s\n", f, it == accepted.end() ? "text" : it->second));
  }
  return out;
}

std::string TaskFieldsHelp() {
  return absl::StrCat(
      "Fields (FIELD) and the values (VALUE) they accept:\n",
      "  title              text (required, not empty)\n",
      "  deliverable        text: what the task hands over\n",
      "  acceptance         text: how its completion is judged\n",
      "  start_date         YYYY-MM-DD (not after due_date)\n",
      "  due_date           YYYY-MM-DD\n",
      "  estimate_days      a number >= 0\n",
      "  parent             a task id of the same goal (the WBS parent), or empty\n",
      "  status             ", EnumChoices(goalsync::v1::TaskStatus_descriptor()), "\n");
}

}  // namespace goalsync::cli
