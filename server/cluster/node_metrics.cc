// ClusterNode::Metrics: the group's state for goalsyncd's metrics, read from what the node
// already tracks (role, epochs, the leader's durable heads and each follower's acks).
#include "server/cluster/cluster_node.h"

namespace goalsync::server::cluster {

ClusterNode::MetricsView ClusterNode::Metrics() {
  MetricsView view;
  absl::MutexLock lock(&mu_);
  view.leader = role_ == Role::kLeader;
  view.epoch = role_ == Role::kFollower ? leader_epoch_ : my_epoch_;
  if (!view.leader) return view;
  for (const auto& [id, f] : followers_) {
    if (f.epoch != my_epoch_) continue;
    uint64_t behind = 0;
    for (const auto& [ws, head] : heads_) {
      auto it = f.acked.find(ws);
      const uint64_t acked = it == f.acked.end() ? 0 : it->second;
      if (head.second > acked) behind += head.second - acked;
    }
    view.follower_lag[id] = behind;
  }
  return view;
}

}  // namespace goalsync::server::cluster
