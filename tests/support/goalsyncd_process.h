// GoalsyncdProcess: a real goalsyncd binary started for a test, on a free loopback port.
//
// Start() forks and execs the binary named by the GOALSYNCD_PATH compile definition with
// --listen 127.0.0.1:0, and reads the bound port from its "listening on port N" line
// (bounded wait). The destructor SIGKILLs a process still running.
#ifndef GOALSYNC_TESTS_SUPPORT_GOALSYNCD_PROCESS_H_
#define GOALSYNC_TESTS_SUPPORT_GOALSYNCD_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace goalsync::testing {

class GoalsyncdProcess {
 public:
  // `data_dir` is passed as --data-dir; `extra_args` are appended. Without `auth` the server
  // runs with --insecure-no-auth (every test that is not about tokens); with it, callers need
  // tokens (made with `goalsyncd token create` on the data dir before Start).
  explicit GoalsyncdProcess(std::string data_dir, std::vector<std::string> extra_args = {},
                            bool auth = false);
  ~GoalsyncdProcess();

  // Starts the server and waits (at most 20 s) until it listens.
  absl::Status Start();
  // SIGTERM, then waits for a clean exit; returns its exit status (0 expected).
  int Stop();
  // SIGKILL: a crash, as far as the data dir can tell.
  void Kill();

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  // What the process wrote to stderr so far (its log), for failure messages.
  std::string Log() const;

 private:
  int Wait();

  const std::string data_dir_;
  const std::vector<std::string> extra_args_;
  const bool auth_;
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_path_;
};

}  // namespace goalsync::testing

#endif  // GOALSYNC_TESTS_SUPPORT_GOALSYNCD_PROCESS_H_
