// The replica's local RocksDB directory: column families
//   default    "meta" -> ReplicaMeta (the bookkeeping, rewritten with every change)
//   log        seq (8 bytes, big-endian) -> Event, the confirmed log as the server stored it
//   outbox     key (8 bytes, big-endian) -> Event, local edits not yet confirmed, in order
//   rejected   key (8 bytes, big-endian) -> RejectedEdit
//   snapshots  seq (8 bytes, big-endian) -> the confirmed PlanState at seq (SerializeState)
// Every change is one WriteBatch, so meta always describes what the other families hold.
#ifndef GOALSYNC_CLIENT_REPLICA_STORE_H_
#define GOALSYNC_CLIENT_REPLICA_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "goalsync/v1/replica.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace goalsync::client {

// 1 -> 2: snapshots held every check-in (Goal.check_ins, now reserved); they are dropped at
// open (see Replica), and a replica whose log did not start at seq 1 joins again.
inline constexpr uint32_t kReplicaFormatVersion = 2;

class ReplicaStore {
 public:
  // Opens (creating if missing) the replica directory `dir`.
  static absl::StatusOr<std::unique_ptr<ReplicaStore>> Open(const std::string& dir);
  ~ReplicaStore();

  // nullopt: a new, empty directory.
  absl::StatusOr<std::optional<goalsync::v1::ReplicaMeta>> LoadMeta();
  // The local log from `from_seq`, in order, until `on_event` returns false or an error.
  absl::Status ScanLog(uint64_t from_seq,
                       absl::FunctionRef<absl::StatusOr<bool>(const goalsync::v1::Event&)> on_event);
  absl::StatusOr<std::vector<std::pair<uint64_t, goalsync::v1::Event>>> LoadOutbox();
  absl::StatusOr<std::vector<std::pair<uint64_t, goalsync::v1::RejectedEdit>>> LoadRejected();
  // The newest snapshot at or before `seq`: (its seq, serialized state); nullopt if none.
  absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> SnapshotAtOrBefore(uint64_t seq);

  // One atomic change.
  class Batch {
   public:
    explicit Batch(ReplicaStore& store) : store_(store) {}
    void PutMeta(const goalsync::v1::ReplicaMeta& meta);
    void AddLog(const goalsync::v1::Event& event);
    // The same with the event's encoding already made (it must parse as the event at `seq`).
    void AddLogBytes(uint64_t seq, absl::string_view encoding);
    void PutOutbox(uint64_t key, const goalsync::v1::Event& event);
    void DeleteOutbox(uint64_t key);
    void PutRejected(uint64_t key, const goalsync::v1::RejectedEdit& edit);
    void DeleteRejected(uint64_t key);
    void PutSnapshot(uint64_t seq, const std::string& state_bytes);
    // Drops the whole local log and every snapshot (the replica restarts from the server's
    // plan).
    void ClearLog();
    // Drops every snapshot.
    void ClearSnapshots();

   private:
    friend class ReplicaStore;
    ReplicaStore& store_;
    rocksdb::WriteBatch batch_;
  };

  // Writes `batch` durably (fsync of the WAL) when `sync`.
  absl::Status Commit(Batch& batch, bool sync);

 private:
  ReplicaStore() = default;
  absl::StatusOr<std::vector<std::pair<uint64_t, std::string>>> ScanFamily(
      rocksdb::ColumnFamilyHandle* cf);

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // default, log, outbox, rejected, snapshots
};

}  // namespace goalsync::client

#endif  // GOALSYNC_CLIENT_REPLICA_STORE_H_
