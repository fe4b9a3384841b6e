// Replicator: the append path's one hook into a replica group (server/cluster/, docs/cluster.md).
//
// The EventLog calls Admit before an append is queued. Its writer thread Ships each sealed
// group just before writing it to the local disk, so that the other members write it while
// this node does; once the local write succeeded, Replicate (on the acker thread, group after
// group in the order they were sealed) waits until enough members hold the group. A group is
// published and acknowledged only once Replicate returns OK (durable on as many nodes as
// --replication-acks asks, this node's own write counted as one). The writer may write the
// next groups meanwhile. Without a replicator (a single node), none of these is called.
//
// Thread safety: implementations are called from gRPC threads (Admit), the writer thread
// (Ship, WriteFailed) and the acker thread (Replicate) concurrently.
#ifndef GOALSYNC_SERVER_LOG_REPLICATOR_H_
#define GOALSYNC_SERVER_LOG_REPLICATOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "goalsync/v1/event.pb.h"

namespace goalsync::server {

class Replicator {
 public:
  // The new head of one workspace after a group, as written locally.
  struct Head {
    std::string workspace;
    uint32_t ws_id;
    uint64_t seq;
  };
  // The events one sealed group appends to one workspace: consecutive, sealed (seq, hash
  // chain), exactly as they are stored.
  struct Run {
    std::string workspace;
    uint32_t ws_id;
    std::vector<std::shared_ptr<const goalsync::v1::Event>> events;
  };
  virtual ~Replicator() = default;
  // OK if this node takes appends now; else UNAVAILABLE with reason NOT_LEADER and the
  // leader's address attached (core/refusal.h), which the client follows.
  virtual absl::Status Admit() = 0;
  // Hands a sealed group to the other members before this node's own write of it starts.
  // Groups are shipped in the order they were sealed, each once, and none after a failed
  // write. Must not block. A member may so hold a group this node never writes (it crashes
  // first): that group was never acknowledged (docs/cluster.md says why that is safe).
  virtual void Ship(std::vector<Run> runs) = 0;
  // Called once this node's write of the group ending at `heads` succeeded, in sealed order.
  // Blocks until the group is durable on enough nodes, this one included (OK), or this node
  // can no longer get it acknowledged (it lost its leadership: UNAVAILABLE). After an error
  // the EventLog refuses appends, as after a failed write; the node restarts as a follower.
  virtual absl::Status Replicate(const std::vector<Head>& heads) = 0;
  // This node's write of a shipped group failed with `error`: the EventLog refuses appends
  // from now on. The group may be durable on other members, but it is not acknowledged.
  virtual void WriteFailed(const absl::Status& error) = 0;
};

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_LOG_REPLICATOR_H_
