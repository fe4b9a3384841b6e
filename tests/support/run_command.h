// Runs a shell command for a test, as a user would type it.
#ifndef GOALSYNC_TESTS_SUPPORT_RUN_COMMAND_H_
#define GOALSYNC_TESTS_SUPPORT_RUN_COMMAND_H_

#include <string>

namespace goalsync::testing {

struct CommandResult {
  int exit_code;    // -1 if it did not exit normally
  std::string out;  // stdout and stderr together
};

// Runs `cmd` with /bin/sh and waits for it (bound it with `timeout N` in `cmd`).
CommandResult RunCommand(const std::string& cmd);

}  // namespace goalsync::testing

#endif  // GOALSYNC_TESTS_SUPPORT_RUN_COMMAND_H_
