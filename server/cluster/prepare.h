// PrepareDataDir: what a member does with its data dir before it serves: if its last run
// left DATA_DIR/cluster-truncate-against (its log holds a tail the group's log does not),
// cut each workspace back to the last seq where its hash chain agrees with that node's
// (found by bisection over Replication.ChainAt), then remove the file.
//
// The file names either the serving leader (a follower told its log diverged) or the member
// whose log a new leader adopted; either holds every acknowledged event (docs/cluster.md),
// so what is cut was never acknowledged. If that node cannot be reached, nothing is cut and
// the file stays: the next follow finds the divergence again.
#ifndef GOALSYNC_SERVER_CLUSTER_PREPARE_H_
#define GOALSYNC_SERVER_CLUSTER_PREPARE_H_

#include "absl/status/status.h"
#include "server/cluster/cluster_options.h"
#include "server/store/log_store.h"

namespace goalsync::server::cluster {

absl::Status PrepareDataDir(const ClusterOptions& cluster, const StoreOptions& store);

}  // namespace goalsync::server::cluster

#endif  // GOALSYNC_SERVER_CLUSTER_PREPARE_H_
