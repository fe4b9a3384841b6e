// ClusterNode: this goalsyncd's part in a replica group (docs/cluster.md).
//
// Keeps the node's etcd lease alive, registers it as a member, campaigns for leadership
// (etcd's Election service; the epoch is the leader key's create revision) and observes who
// leads. As a follower it streams the leader's log (Replication.Follow) into its own through
// EventLog::AppendSealed. As the leader it first adopts the longest log of a majority (the
// start of an epoch), then admits appends and, as the EventLog's Replicator, holds each
// written group until enough members have it on disk.
//
// A node that loses its leadership, or whose log turns out to hold a tail the leader does
// not, restarts in place (replication_state.h): its memory then never disagrees with the
// group.
//
// Thread safety: every public method may be called from any thread.
#ifndef GOALSYNC_SERVER_CLUSTER_CLUSTER_NODE_H_
#define GOALSYNC_SERVER_CLUSTER_CLUSTER_NODE_H_

#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "goalsync/v1/cluster.grpc.pb.h"
#include "goalsync/v1/cluster.pb.h"
#include "server/cluster/cluster_options.h"
#include "server/cluster/etcd_client.h"
#include "server/cluster/replication_state.h"
#include "server/log/event_log.h"
#include "server/log/replicator.h"

namespace goalsync::server::cluster {

enum class Role { kFollower, kStarting, kLeader };

class ClusterNode final : public Replicator {
 public:
  explicit ClusterNode(ClusterOptions options);
  ~ClusterNode() override;

  // Starts the threads; `log` and `store` must outlive the node (Stop() first).
  absl::Status Start(EventLog& log, LogStore& store);
  // Resigns if leading, stops the threads; pending Replicate calls fail.
  void Stop();

  // Replicator.
  absl::Status Admit() override;
  absl::Status Replicate(const std::vector<Replicator::Head>& heads) override;

  // gRPC services to register on the node's server (replication_service.cc).
  grpc::Service* replication_service();
  grpc::Service* cluster_service();

  const ClusterOptions& options() const { return options_; }

  // For the services.
  goalsync::v1::NodeStateResponse NodeState();
  // The group as this node sees it; UNAVAILABLE if this node cannot reach etcd (it cannot
  // tell who leads, so the caller should ask another member).
  absl::StatusOr<goalsync::v1::ClusterStatusResponse> Status();
  // Runs the leader's side of one follower's stream until it ends (leader_session.cc).
  grpc::Status ServeFollower(
      grpc::ServerContext* ctx,
      grpc::ServerReaderWriter<goalsync::v1::FollowDown, goalsync::v1::FollowUp>* stream);
  LogStore* store() { return store_; }

  // What goalsyncd's metrics export of the group (node_metrics.cc): whether this node leads
  // (and serves), the epoch as NodeState() reports it, and while leading, each follower
  // streaming from it with the events it lacks of the leader's durable heads (summed over
  // workspaces). Cheap: no I/O.
  struct MetricsView {
    bool leader = false;
    uint64_t epoch = 0;
    std::map<std::string, uint64_t> follower_lag;  // node id -> events behind
    // While leading: enough members (itself included) hold its epoch mark for an ack, so
    // every head it has published, its starting log included, is on a quorum (the signed
    // checkpoints' condition, server/audit/checkpointer.h).
    bool quorum_marked = false;
  };
  MetricsView Metrics();

 private:
  struct Follower {
    uint64_t epoch = 0;
    // Which of the follower's streams registered it: a stream that ends (or acks late)
    // after the follower reconnected leaves the newer stream's entry alone.
    uint64_t stream = 0;
    goalsync::v1::FollowHello hello;
    bool marked = false;
    std::map<std::string, uint64_t> acked;  // workspace -> durable seq
  };

  void RunLease();
  // After a follower's lease expired: a new lease, alive again, a new campaign. False if
  // the node is stopping.
  bool RenewLease();
  void RunCampaign();
  void RunObserver();
  void RunFollow();
  // The leader's start of `epoch` (leader_start.cc): majority of hellos, adopt the best log.
  absl::Status StartEpoch(uint64_t epoch);
  // One follow stream to `leader` (follower_loop.cc); returns when it ends.
  void FollowOnce(uint64_t epoch, const std::string& address);
  [[noreturn]] void Restart(const std::string& reason, const std::string& truncate_against = "");
  // Members to count acks and majorities over.
  int GroupSize();
  int AcksNeeded();
  bool Stopping();

  const ClusterOptions options_;
  std::string data_dir_;
  EtcdClient etcd_;
  EventLog* log_ = nullptr;
  LogStore* store_ = nullptr;
  std::unique_ptr<grpc::Service> replication_service_;
  std::unique_ptr<grpc::Service> cluster_service_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  Role role_ ABSL_GUARDED_BY(mu_) = Role::kFollower;
  int64_t lease_ ABSL_GUARDED_BY(mu_) = 0;
  // The leader as last observed in etcd.
  std::string leader_id_ ABSL_GUARDED_BY(mu_);
  std::string leader_address_ ABSL_GUARDED_BY(mu_);
  uint64_t leader_epoch_ ABSL_GUARDED_BY(mu_) = 0;
  // Ours, while leading.
  LeaderInfo my_leadership_ ABSL_GUARDED_BY(mu_);
  uint64_t my_epoch_ ABSL_GUARDED_BY(mu_) = 0;
  ReplicationState state_ ABSL_GUARDED_BY(mu_);
  // The leader's durable heads (workspace -> (ws_id, seq)) and the version senders wait on.
  std::map<std::string, std::pair<uint32_t, uint64_t>> heads_ ABSL_GUARDED_BY(mu_);
  // The heads the leader held when it started serving: a follower holding them gets the mark.
  std::map<std::string, uint64_t> base_ ABSL_GUARDED_BY(mu_);
  uint64_t heads_version_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, Follower> followers_ ABSL_GUARDED_BY(mu_);
  uint64_t follower_streams_ ABSL_GUARDED_BY(mu_) = 0;
  // Set while the follow thread is between streams (StartEpoch waits for it).
  bool follow_idle_ ABSL_GUARDED_BY(mu_) = true;
  grpc::ClientContext* follow_ctx_ ABSL_GUARDED_BY(mu_) = nullptr;
  int registered_members_ ABSL_GUARDED_BY(mu_) = 0;
  // Set by StartEpoch when this node's own tail must be cut against the adopted log: the
  // address of the node holding it. Campaign thread only.
  std::string start_hint_;

  std::thread lease_thread_;
  std::thread campaign_thread_;
  std::thread observer_thread_;
  std::thread follow_thread_;
};

}  // namespace goalsync::server::cluster

#endif  // GOALSYNC_SERVER_CLUSTER_CLUSTER_NODE_H_
