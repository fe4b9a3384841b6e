// ReplicationState: what a node of a replica group keeps durable beside its log, in the
// store's meta (LogStore::ReplicationState), and the restart-in-place helper.
//
//  promised_epoch: the highest leader epoch this node has answered; it refuses replication
//                  from lower ones (fencing). Written before the node tells a new leader
//                  its log.
//  last_epoch:     the epoch of the last leader whose whole starting log this node holds
//                  (its epoch mark). A new leader adopts, per workspace, the log of the node
//                  with the greatest (last_epoch, seq) among a majority.
#ifndef GOALSYNC_SERVER_CLUSTER_REPLICATION_STATE_H_
#define GOALSYNC_SERVER_CLUSTER_REPLICATION_STATE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/store/log_store.h"

namespace goalsync::server::cluster {

struct ReplicationState {
  uint64_t promised_epoch = 0;
  uint64_t last_epoch = 0;

  std::string Encode() const;
  static absl::StatusOr<ReplicationState> Decode(const std::string& bytes);
};

// Reads the state of `store` (zeros if never written).
absl::StatusOr<ReplicationState> LoadReplicationState(const LogStore& store);
// Writes it, synced.
absl::Status SaveReplicationState(LogStore& store, const ReplicationState& state);

// A node whose log must be cut back (a divergent tail) or who lost its leadership starts
// again in place: the same process image and arguments (execv of /proc/self/exe), so the
// pid, flags and ports stay. `truncate_against` (host:port, may be empty) is written to
// DATA_DIR/cluster-truncate-against for the start to cut the log against (prepare.h).
[[noreturn]] void RestartInPlace(const std::vector<std::string>& argv, const std::string& data_dir,
                                 const std::string& reason, const std::string& truncate_against);

}  // namespace goalsync::server::cluster

#endif  // GOALSYNC_SERVER_CLUSTER_REPLICATION_STATE_H_
