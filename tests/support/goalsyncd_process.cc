#include "tests/support/goalsyncd_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace goalsync::testing {

GoalsyncdProcess::GoalsyncdProcess(std::string data_dir, std::vector<std::string> extra_args,
                                   bool auth)
    : data_dir_(std::move(data_dir)),
      extra_args_(std::move(extra_args)),
      auth_(auth),
      log_path_(data_dir_ + ".log") {}

GoalsyncdProcess::~GoalsyncdProcess() { Kill(); }

absl::Status GoalsyncdProcess::Start() {
  int out[2];
  if (pipe(out) != 0) return absl::InternalError("pipe failed");
  std::vector<std::string> args = {GOALSYNCD_PATH, "--data-dir", data_dir_, "--listen",
                                   "127.0.0.1:0"};
  if (!auth_) args.push_back("--insecure-no-auth");
  // Zeroed WAL files as in production, but 1 MiB ones: every test's server writes its spare.
  if (std::find(extra_args_.begin(), extra_args_.end(), "--zeroed-wal-mb") == extra_args_.end()) {
    args.insert(args.end(), {"--zeroed-wal-mb", "1"});
  }
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], STDOUT_FILENO);
    int log = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) dup2(log, STDERR_FILENO);
    close(out[0]);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out[1]);
  std::string seen;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[256];
    ssize_t n = read(out[0], buf, sizeof(buf));
    if (n <= 0) break;
    seen.append(buf, n);
    if (size_t at = seen.find("listening on port "); at != std::string::npos &&
                                                     seen.find('\n', at) != std::string::npos) {
      port_ = std::stoi(seen.substr(at + 18));
      close(out[0]);
      return absl::OkStatus();
    }
  }
  close(out[0]);
  Kill();
  return absl::UnavailableError(absl::StrCat("goalsyncd did not start: ", seen, Log()));
}

int GoalsyncdProcess::Wait() {
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int GoalsyncdProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  return Wait();
}

void GoalsyncdProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  Wait();
}

std::string GoalsyncdProcess::Log() const {
  std::ifstream in(log_path_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace goalsync::testing
