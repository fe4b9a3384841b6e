// Replicator: the append path's one hook into a replica group (server/cluster/, docs/cluster.md).
//
// The EventLog's writer thread calls Admit before an append is queued and Replicate after it
// has written a group to the local disk and before anyone sees or is told of it: a group is
// published and acknowledged only once Replicate returns OK (the group is durable on as many
// nodes as --replication-acks asks). Without a replicator (a single node), neither is called.
//
// Thread safety: implementations are called from gRPC threads (Admit) and the writer
// thread (Replicate) concurrently.
#ifndef GOALSYNC_SERVER_LOG_REPLICATOR_H_
#define GOALSYNC_SERVER_LOG_REPLICATOR_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace goalsync::server {

class Replicator {
 public:
  // The new head of one workspace after a group, as written locally.
  struct Head {
    std::string workspace;
    uint32_t ws_id;
    uint64_t seq;
  };
  virtual ~Replicator() = default;
  // OK if this node takes appends now; else UNAVAILABLE with reason NOT_LEADER and the
  // leader's address attached (core/refusal.h), which the client follows.
  virtual absl::Status Admit() = 0;
  // Blocks until the group ending at `heads` is durable on enough nodes (OK), or this node
  // can no longer get it acknowledged (it lost its leadership: UNAVAILABLE). After an error
  // the EventLog refuses appends, as after a failed write; the node restarts as a follower.
  virtual absl::Status Replicate(const std::vector<Head>& heads) = 0;
};

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_LOG_REPLICATOR_H_
