// How goalctl writes pieces of the plan in its tables.
#ifndef GOALSYNC_CLI_OUTPUT_PLAN_TEXT_H_
#define GOALSYNC_CLI_OUTPUT_PLAN_TEXT_H_

#include <string>

#include "goalsync/v1/event.pb.h"

namespace goalsync::cli {

// "floor 40, base 50, stretch 60, 2026-Q4 12": the targets set, then the period targets;
// "" if there are none.
std::string TargetsText(
    const goalsync::v1::Targets& targets,
    const google::protobuf::RepeatedPtrField<goalsync::v1::PeriodTargetChange>& periods = {});

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_OUTPUT_PLAN_TEXT_H_
