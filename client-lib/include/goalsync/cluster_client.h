// ClusterStatus: a replica group's members, leader, epoch and each member's committed seq
// (goalsync.v1.Cluster.Status, docs/cluster.md), asked of the first member of `servers`
// ("host:port[,host:port...]") that answers. UNAVAILABLE if none does; UNIMPLEMENTED from a
// goalsyncd that is not in a group.
#ifndef GOALSYNC_CLIENT_CLUSTER_CLIENT_H_
#define GOALSYNC_CLIENT_CLUSTER_CLIENT_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "goalsync/log_client.h"
#include "goalsync/v1/cluster.pb.h"

namespace goalsync::client {

absl::StatusOr<goalsync::v1::ClusterStatusResponse> ClusterStatus(
    const std::string& servers, const ConnectOptions& options,
    absl::Duration timeout = absl::Seconds(5));

}  // namespace goalsync::client

#endif  // GOALSYNC_CLIENT_CLUSTER_CLIENT_H_
