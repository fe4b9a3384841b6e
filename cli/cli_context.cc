#include "cli/cli_context.h"

#include <cstdio>
#include <cstdlib>

namespace goalsync::cli {

std::string DefaultReplicaDir(const std::string& workspace) {
  std::string base;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg != nullptr && *xdg != '\0') {
    base = xdg;
  } else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    base = std::string(home) + "/.local/share";
  } else {
    base = ".";
  }
  return base + "/goalsync/replicas/" + workspace;
}

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
