// goalctl's JSON renderer for the query layer's structs (core/plan/progress.h,
// queries_views.h): the same numbers as the tables, with sub-second times and no rounding.
#ifndef GOALSYNC_CLI_OUTPUT_PLAN_JSON_H_
#define GOALSYNC_CLI_OUTPUT_PLAN_JSON_H_

#include "core/plan/progress.h"
#include "core/plan/queries_views.h"
#include "nlohmann/json.hpp"

namespace goalsync::cli {

using OrderedJson = nlohmann::ordered_json;

// {"actual": 42 or null, "hasActual", "fraction" (absent without), "band", "source",
//  "floor"/"base"/"stretch" (those set), "targetSource" (when not the period's own)}.
OrderedJson ProgressJson(const core::Progress& p);
// {"asOf", "plan" or null, "planSource", "actual" or null, "fraction", "band", targets}.
OrderedJson YearToDateJson(const core::YearToDate& y);
OrderedJson CheckJson(const core::BreakdownCheck& c);
OrderedJson GoalDetailJson(const core::GoalDetail& d);
OrderedJson TaskDetailJson(const core::TaskDetail& d);
OrderedJson AllocationViewJson(const core::AllocationView& v);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_OUTPUT_PLAN_JSON_H_
