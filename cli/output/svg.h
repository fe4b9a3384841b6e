// goalctl's SVG renderer: the gantt chart and the burn-up chart as standalone SVG files, from
// the rows the views compute (core/plan/queries); and the small file and XML helpers they
// share.
#ifndef GOALSYNC_CLI_OUTPUT_SVG_H_
#define GOALSYNC_CLI_OUTPUT_SVG_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "goalsync/v1/plan_service.pb.h"

namespace goalsync::cli {

// One task on the gantt chart (from core::GanttBar, status as a word).
struct GanttRow {
  std::string goal, task, title, status;
  absl::CivilDay start, due;
  bool milestone = false;  // a due date only
  bool late = false;       // due before today, not done
  bool ahead = false;      // done before its due date
};

// "LATE", "ahead", or the status word.
std::string Mark(const GanttRow& b);

// `s` with &, <, > and " escaped.
std::string Xml(const std::string& s);

// Writes `text` to `path`; PERMISSION_DENIED naming the file if it cannot.
absl::Status WriteFile(const std::string& path, const std::string& text);

// The gantt chart of `bars` over [first, last], today's line when inside.
std::string GanttSvg(const std::vector<GanttRow>& bars, absl::CivilDay first, absl::CivilDay last,
                     absl::CivilDay today);

// The burn-up chart of `goal`: cumulative plan and actual over its periods.
std::string BurnUpSvg(const std::string& goal, const std::vector<goalsync::v1::PeriodVariance>& periods);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_OUTPUT_SVG_H_
