// How goalctl writes pieces of the plan in its tables.
#ifndef GOALSYNC_CLI_OUTPUT_PLAN_TEXT_H_
#define GOALSYNC_CLI_OUTPUT_PLAN_TEXT_H_

#include <string>

#include "core/plan/progress.h"
#include "goalsync/v1/event.pb.h"
#include "goalsync/v1/state.pb.h"

namespace goalsync::cli {

// "floor 40, base 50, stretch 60, 2026-Q4 12": the targets set, then the period targets;
// "" if there are none.
std::string TargetsText(
    const goalsync::v1::Targets& targets,
    const google::protobuf::RepeatedPtrField<goalsync::v1::PeriodTargetChange>& periods = {});

// "42 (84%), below floor" (actual, fraction, band), "- , no check-ins" without an actual; the
// roll-up behind the actual when it is not the goal's own check-ins.
std::string ProgressText(const core::Progress& p);

// "as of 2026-06-30: plan 23 (quarterly targets), actual 22 (96%), below floor".
std::string ToDateText(const core::YearToDate& y);

// "li Mon 09:00-11:00 deep work, task research".
std::string TimeBlockText(const goalsync::v1::TimeBlock& b);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_OUTPUT_PLAN_TEXT_H_
