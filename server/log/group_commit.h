// GroupCommit: the writes of one fsync: every append request the stager took at once.
//
// The stager thread Stage()s requests (dedup, expected_seq, seq, hash chain), advancing each
// workspace's stager-only tail, then Seal()s the group (heads, new workspace ids). The writer
// thread then Write()s it: one synced WriteBatch. Groups are written in the order they were
// sealed; while one is being written the next is staged, so the CPU work of a group overlaps
// the previous group's fsync.
//
// Thread safety: Stage and Seal on the stager thread; after Seal the group is immutable
// except for Write, on the writer thread, and its staged event ids may be read by the stager
// (FindStaged) while it is written.
#ifndef GOALSYNC_SERVER_LOG_GROUP_COMMIT_H_
#define GOALSYNC_SERVER_LOG_GROUP_COMMIT_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "goalsync/v1/log.pb.h"
#include "server/log/workspace.h"
#include "server/store/log_store.h"

namespace goalsync::server {

class GroupCommit {
 public:
  // Events staged are stamped with `now` as their server_time. `in_flight` are the groups
  // sealed but perhaps not yet written: their event ids count as already appended.
  // A workspace's plan is snapshotted once `snapshot_bytes` of events were staged since its
  // last snapshot, or `snapshot_every` events (0: no count bound).
  GroupCommit(LogStore& store, absl::Time now,
              std::vector<std::shared_ptr<const GroupCommit>> in_flight,
              uint64_t snapshot_bytes, uint64_t snapshot_every, absl::Duration max_clock_skew);

  // Stages `request` (already validated by ValidateAppendRequest) on `ws`: each new event is
  // sealed and applied by the kernel to the workspace's plan, once (under ws.mu, after any
  // waiting reader has read). On success appends the
  // new events, as they will be stored, to *staged. On error stages nothing and leaves the
  // tail as it was: ABORTED for an expected_seq mismatch, the kernel's INVALID_ARGUMENT /
  // NOT_FOUND / FAILED_PRECONDITION naming the event's index (FAILED_PRECONDITION
  // also for an hlc beyond the clock-skew bound), or the store's error.
  // With a `writer`, each new event's actor is the writer's identity and the writer's role
  // must allow it (PERMISSION_DENIED naming the event's index otherwise).
  absl::StatusOr<goalsync::v1::AppendResponse> Stage(Workspace& ws,
                                                     const goalsync::v1::AppendRequest& request,
                                                     const std::optional<Writer>& writer,
                                                     std::vector<EventPtr>* staged);

  // Adds the new heads (and ids of workspaces written for the first time) to the batch.
  void Seal();

  // Writes everything staged, durably. An error leaves the store as it was (the batch is
  // atomic), but the stager's tails are then ahead of it: the EventLog stops appending.
  absl::Status Write() { return store_.Commit(batch_); }

  // The seq staged for an event id key (keys::EventIdKey) in this group, if any.
  std::optional<uint64_t> FindStaged(const std::string& key) const;

 private:
  // For each event id key (keys::EventIdKey) of one request, the seq it already has (in this
  // group, in a group in flight, or on disk), or nullopt.
  absl::Status FindDuplicates(const Workspace& ws, const std::vector<std::string>& keys,
                              std::vector<std::optional<uint64_t>>* seqs);
  // Seals `submitted` as the next event of `ws` (seq, stamps, hash chain), advancing the
  // tail seq and hash; *stored receives its bytes.
  std::shared_ptr<goalsync::v1::Event> Sign(Workspace& ws, const goalsync::v1::Event& submitted,
                                            uint64_t base_seq,
                                            const std::optional<Writer>& writer,
                                            std::string* stored);

  LogStore& store_;
  const std::vector<std::shared_ptr<const GroupCommit>> in_flight_;
  // Applies the request's new events to ws.plan (ws.mu held), all or nothing: the index of
  // the refused event and the kernel's status, or OK.
  absl::Status ApplyAll(Workspace& ws, const goalsync::v1::AppendRequest& request,
                        const goalsync::v1::AppendResponse& response,
                        const std::optional<Writer>& writer, uint64_t head_before,
                        std::vector<std::pair<std::shared_ptr<goalsync::v1::Event>, std::string>>* sealed,
                        std::vector<std::pair<uint64_t, std::string>>* snapshots)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(ws.mu);

  const uint64_t snapshot_bytes_;
  const uint64_t snapshot_every_;
  CommitBatch batch_;
  google::protobuf::Timestamp server_time_;
  uint64_t now_micros_;
  int64_t max_skew_micros_;
  // event_ids staged in this group (keys::EventIdKey) -> their seq.
  absl::flat_hash_map<std::string, uint64_t> staged_ids_;
  // Workspaces this group appends to, in first-touch order.
  std::vector<Workspace*> touched_;
};

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_LOG_GROUP_COMMIT_H_
