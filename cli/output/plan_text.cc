#include "cli/output/plan_text.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "cli/output/table.h"

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

std::string ProgressText(const core::Progress& p) {
  std::string out = p.has_actual ? Number(p.actual) : "-";
  if (p.fraction.has_value()) absl::StrAppend(&out, " (", Percent(p.fraction), ")");
  if (!p.source.empty() && p.source != "check-ins" && (p.has_actual || p.fraction.has_value())) {
    absl::StrAppend(&out, ", ", p.source);
  }
  if (!p.band.empty()) absl::StrAppend(&out, ", ", p.band);
  return out;
}

std::string ToDateText(const core::YearToDate& y) {
  std::string out = absl::StrCat("as of ", absl::FormatCivilTime(y.as_of), ": plan ");
  absl::StrAppend(&out, y.has_plan ? absl::StrCat(Number(y.plan), " (", y.plan_source, ")") : "-");
  absl::StrAppend(&out, ", actual ", y.has_actual ? Number(y.actual) : "-");
  if (y.fraction.has_value()) absl::StrAppend(&out, " (", Percent(y.fraction), ")");
  absl::StrAppend(&out, ", ", y.band);
  return out;
}

std::string TimeBlockText(const goalsync::v1::TimeBlock& b) {
  static const char* const kDays[] = {"?", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  const char* day = b.weekday() >= 1 && b.weekday() <= 7 ? kDays[b.weekday()] : kDays[0];
  return absl::StrCat(b.person(), " ", day, " ", b.start_time(), "-", b.end_time(),
                      b.purpose().empty() ? "" : " " + b.purpose(),
                      b.task_id().empty() ? "" : ", task " + b.task_id());
}

}  // namespace goalsync::cli
