// goalctl's planning edits on the local replica: target set, cr, task, raci, alloc,
// review add.
#ifndef GOALSYNC_CLI_COMMANDS_PLAN_EDIT_COMMANDS_H_
#define GOALSYNC_CLI_COMMANDS_PLAN_EDIT_COMMANDS_H_

#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "cli/cli_context.h"
#include "google/protobuf/descriptor.h"

namespace goalsync::cli {

void RegisterPlanEditCommands(CLI::App& app, CliContext& ctx);

// The value of enum `e` named by `text`: its short name without `prefix`, any case, '-' for
// '_' ("business-line"), or its full name. INVALID_ARGUMENT listing the names otherwise.
absl::StatusOr<int> ParseEnumName(const google::protobuf::EnumDescriptor* e,
                                  const std::string& prefix, const std::string& text);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_PLAN_EDIT_COMMANDS_H_
