// ClusterHarness: a replica group for process-level tests (docs/cluster.md): a real etcd and
// N goalsyncd nodes on free loopback ports, each behind two in-test TCP proxies (one in front
// of its gRPC port, which it advertises to the others; one between it and etcd) so that a
// test can cut the leader off from its followers or from etcd while every process stays up.
// Clients reach the nodes directly.
//
// AppendLoad drives appends from many clients that follow the leader, recording every ack;
// CheckGroup asserts what the group promises (every acked event exactly once on every node,
// at the seq it was acked with, identical chains).
#ifndef GOALSYNC_TESTS_SUPPORT_CLUSTER_HARNESS_H_
#define GOALSYNC_TESTS_SUPPORT_CLUSTER_HARNESS_H_

#include <sys/types.h>

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "tests/support/etcd_process.h"
#include "tests/support/tcp_proxy.h"

namespace goalsync::testing {

class ClusterHarness {
 public:
  // Nodes' data dirs and logs go under `dir`. `extra_args` go to every goalsyncd.
  ClusterHarness(std::string dir, int nodes, std::vector<std::string> extra_args = {});
  ~ClusterHarness();

  // Starts etcd, the proxies and every node, then waits (bounded) for a serving leader.
  absl::Status Start();
  absl::Status StartNode(int i);
  void KillNode(int i);  // SIGKILL
  void PauseNode(int i);   // SIGSTOP
  void ResumeNode(int i);  // SIGCONT
  bool Running(int i) const { return nodes_[i].pid > 0; }

  int size() const { return static_cast<int>(nodes_.size()); }
  // "a,b,c": the nodes' own ports, for clients.
  std::string ClientAddresses() const;
  std::string ClientAddress(int i) const;
  TcpProxy& GrpcProxy(int i) { return *nodes_[i].front; }
  TcpProxy& EtcdProxy(int i) { return *nodes_[i].etcd; }
  EtcdProcess& etcd() { return etcd_; }
  // How many times node i restarted in place so far (its log's "restarts in place" lines).
  int RestartsInPlace(int i) const;
  // The index of the node the group names as leader, once one serves an append-free check
  // (cluster status answers with a leader whose role is "leader"); waits at most `timeout`.
  // With `other_than` >= 0, waits for a serving leader that is not that node.
  absl::StatusOr<int> Leader(absl::Duration timeout = absl::Seconds(30), int other_than = -1);
  // Waits until every member is up and follows the current leader (holds its epoch mark);
  // with `exact`, until every member holds the same committed total (no load running).
  absl::Status WaitInSync(absl::Duration timeout, bool exact);
  std::string Log(int i) const;
  std::string LogTails() const;

 private:
  struct Node {
    std::string id;
    std::string data_dir;
    int port = 0;
    std::unique_ptr<TcpProxy> front;
    std::unique_ptr<TcpProxy> etcd;
    pid_t pid = -1;
  };
  const std::string dir_;
  const std::vector<std::string> extra_args_;
  EtcdProcess etcd_;
  std::vector<Node> nodes_;
};

// Appends from `clients` threads, each with its own client following the leader of
// `servers`. A bounded workload, so that the plan stays small however long the load runs (a
// soak of 200k goal creations made every restart of a member take seconds): Start creates one
// goal per client in one append, then each client records check-ins on its own goal (folded
// into the goal's one aggregate). Every event has a unique event id and is retried (same id)
// until acked; the goals' creations are acks too.
class AppendLoad {
 public:
  struct Ack {
    std::string event_id;
    uint64_t seq;
    absl::Time at;
  };
  AppendLoad(std::string servers, std::string workspace, int clients);
  ~AppendLoad();
  // Creates the goals (retried until acked, within `timeout`), then starts the clients.
  absl::Status Start(absl::Duration timeout = absl::Seconds(30));
  // Stops the clients; appends in progress finish (or time out) first.
  void Stop();
  std::vector<Ack> Acks();
  size_t AckCount();
  // The time of the first ack at or after `t` (InfiniteFuture if none yet).
  absl::Time FirstAckAfter(absl::Time t);
  // Waits until at least `n` acks arrived after `t` (bounded by `timeout`).
  bool WaitAcksAfter(absl::Time t, size_t n, absl::Duration timeout);
  // The errors appends got lately (message -> count), for a failure's message.
  std::string RecentErrors();

 private:
  void Run(int client);
  const std::string servers_;
  const std::string workspace_;
  const int clients_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  absl::Mutex mu_;
  std::vector<Ack> acks_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> errors_ ABSL_GUARDED_BY(mu_);
};

// What CheckGroup found about the nodes' signed checkpoints.
struct CheckpointFacts {
  std::vector<size_t> per_node;  // checkpoints of the workspace each node signed
  size_t same_seq = 0;           // (checkpoint, checkpoint of another node at the same seq)
  size_t epochs = 0;             // distinct epochs that signed
};

// Reads `workspace` from every running node and checks: all logs identical (same seqs,
// hashes, bytes), each a valid hash chain, no event_id twice, and every ack's event at the
// seq it was acked with. `events` receives the log length.
// Then the nodes' signed checkpoints (docs/cluster.md "Signed checkpoints"): each member has
// a distinct public key in cluster status and serves it; each of its checkpoints names it
// and an epoch, verifies with its registered key, and signs the hash the group's log has at
// that seq (so only committed heads were signed); checkpoints of two nodes at the same seq
// sign the same hash; no epoch was signed by two nodes. `checkpoints` (if not null) receives
// the counts.
absl::Status CheckGroup(ClusterHarness& cluster, const std::string& workspace,
                        const std::vector<AppendLoad::Ack>& acks, uint64_t* events,
                        CheckpointFacts* checkpoints = nullptr);

}  // namespace goalsync::testing

#endif  // GOALSYNC_TESTS_SUPPORT_CLUSTER_HARNESS_H_
