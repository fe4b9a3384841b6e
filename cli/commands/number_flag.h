// A number flag of goalctl stored through a setter (a proto field, usually): "--floor 40".
#ifndef GOALSYNC_CLI_COMMANDS_NUMBER_FLAG_H_
#define GOALSYNC_CLI_COMMANDS_NUMBER_FLAG_H_

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"

namespace goalsync::cli {

// Adds option `name` to `cmd`: its value parsed as a double (CLI11 refuses anything else)
// and passed to `set`.
template <typename Setter>
CLI::Option* AddNumber(CLI::App* cmd, const std::string& name, Setter set, const std::string& help) {
  return cmd->add_option(
      name,
      [set](const std::vector<std::string>& v) {
        double d = 0;
        if (!absl::SimpleAtod(v[0], &d)) return false;
        set(d);
        return true;
      },
      help);
}

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_COMMANDS_NUMBER_FLAG_H_
