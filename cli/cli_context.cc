#include "cli/cli_context.h"

#include <cstdio>

namespace goalsync::cli {

int ReportError(const CliContext& ctx, const absl::Status& status) {
  if (status.ok()) return kExitOk;
  std::string hint;
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
      hint = "is goalsyncd running at " + ctx.server + "? (--server or GOALSYNC_SERVER)";
      break;
    case absl::StatusCode::kDeadlineExceeded:
      hint = "goalsyncd at " + ctx.server + " did not answer in time";
      break;
    default:
      break;
  }
  std::fprintf(stderr, "goalctl: %s%s%s\n", std::string(status.message()).c_str(),
               hint.empty() ? "" : "\n  hint: ", hint.c_str());
  return kExitError;
}

}  // namespace goalsync::cli
