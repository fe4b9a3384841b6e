// ClusterOptions: how a goalsyncd joins a replica group (docs/cluster.md).
#ifndef GOALSYNC_SERVER_CLUSTER_CLUSTER_OPTIONS_H_
#define GOALSYNC_SERVER_CLUSTER_CLUSTER_OPTIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace goalsync::server::cluster {

enum class AckMode {
  // A group is acknowledged once it is durable on a majority of the group's members (the
  // leader included): it survives the loss of any minority of nodes and disks.
  kMajority,
  // ... on every member: survives the loss of all but one, but appends wait (and stop) while
  // any member is down.
  kAll,
  // ... on the leader alone (asynchronous replication): fastest, but an acknowledged group
  // the followers have not received is lost when the leader's disk is lost, and is cut
  // from the log when another node takes over.
  kLeader,
};

absl::StatusOr<AckMode> ParseAckMode(const std::string& text);
const char* AckModeName(AckMode mode);

struct ClusterOptions {
  // etcd client endpoints, host:port. Empty: not in a group (a single node).
  std::vector<std::string> etcd;
  // This node's name in the group, stable across restarts (its data dir belongs to it).
  std::string node_id;
  // host:port the other members and clients reach this node's gRPC port at.
  std::string advertise;
  // The group's name: its keys in etcd live under /goalsync/<name>/.
  std::string cluster_name = "goalsync";
  AckMode acks = AckMode::kMajority;
  // Members the group is meant to have. Majorities are counted over max(this, members
  // registered in etcd), so that a node started first cannot form a majority alone.
  int cluster_size = 3;
  // TTL of this node's etcd lease. A dead leader is replaced after about this long; shorter
  // fails over faster but a node paused for longer (GC, swap, SIGSTOP) loses its role.
  absl::Duration lease_ttl = absl::Seconds(2);
  // The command line, for restarting in place after a lost leadership (see restart.h).
  std::vector<std::string> argv;
  // This node's checkpoint public key (PEM), registered beside its member record
  // (keys/<node-id>) for auditors and `goalctl cluster status`. Empty: none registered.
  std::string public_key_pem;

  bool enabled() const { return !etcd.empty(); }
  // The etcd key prefix of the group.
  std::string Prefix() const { return "/goalsync/" + cluster_name + "/"; }
};

}  // namespace goalsync::server::cluster

#endif  // GOALSYNC_SERVER_CLUSTER_CLUSTER_OPTIONS_H_
