#include "cli/output/plan_text.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace goalsync::cli {

std::string TargetsText(
    const goalsync::v1::Targets& t,
    const google::protobuf::RepeatedPtrField<goalsync::v1::PeriodTargetChange>& periods) {
  std::vector<std::string> parts;
  if (t.has_floor()) parts.push_back(absl::StrCat("floor ", t.floor()));
  if (t.has_base()) parts.push_back(absl::StrCat("base ", t.base()));
  if (t.has_stretch()) parts.push_back(absl::StrCat("stretch ", t.stretch()));
  for (const auto& c : periods) parts.push_back(absl::StrCat(c.period(), " ", c.target()));
  return absl::StrJoin(parts, ", ");
}

}  // namespace goalsync::cli
