// TcpProxy: an in-test TCP relay on a free loopback port to `target`, whose link can be cut
// (every connection through it closed, new ones refused) and restored: a network partition
// between two processes that both stay up.
//
// Thread safety: Cut and Restore from any thread.
#ifndef GOALSYNC_TESTS_SUPPORT_TCP_PROXY_H_
#define GOALSYNC_TESTS_SUPPORT_TCP_PROXY_H_

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace goalsync::testing {

class TcpProxy {
 public:
  // Listens on 127.0.0.1:<free port>, relaying to 127.0.0.1:target_port.
  explicit TcpProxy(int target_port);
  ~TcpProxy();

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  void Cut();
  void Restore();

 private:
  void Accept();
  void Relay(int from, int to);

  const int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  bool cut_ = false;
  std::set<int> open_;
  std::vector<std::thread> relays_;
  std::thread acceptor_;
};

}  // namespace goalsync::testing

#endif  // GOALSYNC_TESTS_SUPPORT_TCP_PROXY_H_
