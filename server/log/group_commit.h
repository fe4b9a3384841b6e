// GroupCommit: the writes of one fsync: every append request the committer took at once.
//
// Stage() turns a request into log entries (dedup, expected_seq, seq, hash chain) and
// advances the workspace's committer-only tail; Commit() writes them all in one WriteBatch.
// If Commit() fails, every workspace tail is rolled back as if nothing had been staged.
//
// Thread safety: committer thread only.
#ifndef GOALSYNC_SERVER_LOG_GROUP_COMMIT_H_
#define GOALSYNC_SERVER_LOG_GROUP_COMMIT_H_

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
  // Events staged are stamped with `now` as their server_time.
  GroupCommit(LogStore& store, absl::Time now);

  // Stages `request` (already validated by ValidateAppendRequest) on `ws`. On success
  // appends the new events, as they will be stored, to *staged. On error stages nothing:
  // ABORTED for an expected_seq mismatch, or the store's error for a failed lookup.
  absl::StatusOr<goalsync::v1::AppendResponse> Stage(Workspace& ws,
                                                     const goalsync::v1::AppendRequest& request,
                                                     std::vector<EventPtr>* staged);

  // Writes everything staged, durably. On error rolls back every tail it advanced.
  absl::Status Commit();

  size_t ByteSize() const { return batch_.ByteSize(); }

 private:
  struct Touched {
    Workspace* ws;
    bool registered;
    uint64_t seq;
    std::string hash;
  };

  absl::StatusOr<std::optional<uint64_t>> FindDuplicate(const Workspace& ws,
                                                        const std::string& key);
  EventPtr Seal(Workspace& ws, const goalsync::v1::Event& submitted, uint64_t base_seq);
  void Touch(Workspace& ws);

  LogStore& store_;
  CommitBatch batch_;
  google::protobuf::Timestamp server_time_;
  uint64_t now_micros_;
  // event_ids staged in this group (keys::EventIdKey) -> their seq.
  absl::flat_hash_map<std::string, uint64_t> staged_ids_;
  std::vector<Touched> touched_;
};

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_LOG_GROUP_COMMIT_H_
