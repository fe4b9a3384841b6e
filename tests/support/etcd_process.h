// EtcdProcess: a real etcd (Debian's etcd-server) for a test, on free loopback ports in a
// temp dir. Start() waits (bounded) until it answers; the destructor SIGKILLs it.
#ifndef GOALSYNC_TESTS_SUPPORT_ETCD_PROCESS_H_
#define GOALSYNC_TESTS_SUPPORT_ETCD_PROCESS_H_

#include <sys/types.h>

#include <string>

#include "absl/status/status.h"

namespace goalsync::testing {

// A loopback port that was free a moment ago (bound to port 0, then closed).
int FreePort();

class EtcdProcess {
 public:
  explicit EtcdProcess(std::string dir) : dir_(std::move(dir)) {}
  ~EtcdProcess();

  // Starts etcd and waits at most 20 s for "ready to serve client requests".
  absl::Status Start();
  void Kill();
  // SIGSTOP / SIGCONT: etcd stalls (a slow disk, a starved CPU) and then goes on; leases
  // whose TTL passed meanwhile expire when it resumes.
  void Pause();
  void Resume();

  // host:port of its client URL.
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(client_port_); }

 private:
  const std::string dir_;
  pid_t pid_ = -1;
  int client_port_ = 0;
};

}  // namespace goalsync::testing

#endif  // GOALSYNC_TESTS_SUPPORT_ETCD_PROCESS_H_
