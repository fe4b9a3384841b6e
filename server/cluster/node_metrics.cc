// ClusterNode::Metrics: the group's state for goalsyncd's metrics, read from what the node
// already tracks (role, epochs, the leader's durable heads and each follower's acks).
#include "server/cluster/cluster_node.h"

namespace goalsync::server::cluster {

ClusterNode::MetricsView ClusterNode::Metrics() {
  MetricsView view;
  const int needed = AcksNeeded();  // takes mu_
  absl::MutexLock lock(&mu_);
  view.leader = role_ == Role::kLeader;
  view.epoch = role_ == Role::kFollower ? leader_epoch_ : my_epoch_;
  if (!view.leader) return view;
  int marked = 1;  // ours
  for (const auto& [id, f] : followers_) {
    if (f.epoch != my_epoch_) continue;
    marked += f.marked ? 1 : 0;
    uint64_t behind = 0;
    for (const auto& [ws, head] : heads_) {
      auto it = f.acked.find(ws);
      const uint64_t acked = it == f.acked.end() ? 0 : it->second;
      if (head.second > acked) behind += head.second - acked;
    }
    view.follower_lag[id] = behind;
  }
  view.quorum_marked = marked >= needed;
  return view;
}

}  // namespace goalsync::server::cluster
