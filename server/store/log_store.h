// LogStore: goalsyncd's durable state in one RocksDB database (layout in keys.h).
//
// Thread safety: all methods may be called concurrently. Writes are expected from one
// writer thread (the append path); nothing here orders concurrent writers.
#ifndef GOALSYNC_SERVER_STORE_LOG_STORE_H_
#define GOALSYNC_SERVER_STORE_LOG_STORE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "goalsync/v1/event.pb.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace goalsync::server {

// On-disk format this code writes. A data dir with a newer one is refused at open; an older
// one is upgraded in place when opened for writing:
//   1 -> 2: plan snapshots held every check-in (Goal.check_ins, now reserved); they are
//           dropped (the log is the truth) and written again in the new shape as it grows.
inline constexpr uint32_t kStoreFormatVersion = 2;

struct StoreOptions {
  // Directory of the database; created if missing.
  std::string dir;
  // If true (the default), every commit is fsynced before it returns: an acknowledged append
  // survives a machine crash. If false, a machine crash (not a process crash) may lose the
  // last commits; only benchmarks and throwaway tests should turn it off.
  bool sync = true;
  // Open for reading only, without taking the data dir's lock: for offline tools on a
  // stopped server's dir or a copy of it (RocksDB gives no guarantee while a server writes
  // the same dir). A missing dir is an error, and Commit fails.
  bool read_only = false;
  // RocksDB block cache for reads, in MiB. Larger keeps more of the log in memory for
  // catch-up reads; costs that much RAM.
  size_t block_cache_mb = 64;
  // The Env RocksDB does its file I/O through; null: the default (the local file system).
  // Tests hand in a fault-injecting one. Not owned; must outlive the store.
  rocksdb::Env* env = nullptr;
  // Each new WAL file starts as this many bytes of zeros written ahead of time, so that a
  // synced append overwrites allocated blocks instead of growing the file (a cheaper fsync on
  // every append: zeroed_wal_fs.h). Costs one spare file of this size in the data dir and
  // writing it once per WAL file. 0 (the default here; goalsyncd's --zeroed-wal-mb is 64):
  // WAL files grow as RocksDB writes them.
  uint64_t zeroed_wal_bytes = 0;
};

// What the store knows of a workspace that has been written to.
struct WorkspaceRecord {
  uint32_t id = 0;
  uint64_t head_seq = 0;
  std::string head_hash;
};

class LogStore;

// Writes of one group commit, applied atomically by LogStore::Commit.
class CommitBatch {
 public:
  explicit CommitBatch(const LogStore& store) : store_(store) {}

  void RegisterWorkspace(absl::string_view name, uint32_t ws_id);
  // `goal_id` may be empty (no by_goal entry).
  void AddEvent(uint32_t ws_id, uint64_t seq, absl::string_view event_id,
                absl::string_view goal_id, absl::string_view event_bytes);
  void SetHead(uint32_t ws_id, uint64_t seq, absl::string_view hash);
  // The workspace's serialized PlanState as of `seq`.
  void PutSnapshot(uint32_t ws_id, uint64_t seq, absl::string_view state);
  // The node's replica-group state (server/cluster/replication_state.h), opaque here.
  // Defined in log_store_cluster.cc.
  void SetReplicationState(absl::string_view bytes);

  size_t ByteSize() const { return batch_.GetDataSize(); }
  bool empty() const { return batch_.Count() == 0; }
  void Clear() { batch_.Clear(); }

 private:
  friend class LogStore;
  const LogStore& store_;
  rocksdb::WriteBatch batch_;
};

class LogStore {
 public:
  // Opens or creates the database in options.dir. FAILED_PRECONDITION if the dir was written
  // by a newer goalsyncd or is held by another process; the error says which.
  static absl::StatusOr<std::unique_ptr<LogStore>> Open(const StoreOptions& options);
  // Closes the database; pending writes are already durable (Commit is synchronous).
  ~LogStore();

  LogStore(const LogStore&) = delete;
  LogStore& operator=(const LogStore&) = delete;

  // Every workspace ever appended to, by name.
  absl::StatusOr<std::vector<std::pair<std::string, WorkspaceRecord>>> ListWorkspaces() const;

  // The record of a workspace; NOT_FOUND if nothing was ever appended to it.
  absl::StatusOr<WorkspaceRecord> FindWorkspace(absl::string_view name) const;
  // A fresh workspace id, never handed out before by this process or stored on disk.
  uint32_t AllocateWorkspaceId() { return next_ws_id_.fetch_add(1); }

  // For each of `event_ids`, the seq under which it was appended, or nullopt: one batched
  // lookup (RocksDB MultiGet).
  absl::StatusOr<std::vector<std::optional<uint64_t>>> FindEventIds(
      uint32_t ws_id, const std::vector<absl::string_view>& event_ids) const;

  // The seq under which `event_id` was appended, or nullopt.
  absl::StatusOr<std::optional<uint64_t>> FindEventId(uint32_t ws_id,
                                                      absl::string_view event_id) const;

  // Appends to `out` the events of `ws_id` with seq in [from_seq, to_seq], at most
  // `max_events` of them and no more once `max_bytes` of stored events were read (at least
  // one), in log order. DATA_LOSS if a stored event does not parse.
  absl::Status ReadEvents(uint32_t ws_id, uint64_t from_seq, uint64_t to_seq, size_t max_events,
                          std::vector<goalsync::v1::Event>* out,
                          size_t max_bytes = SIZE_MAX) const;

  // Like ReadEvents, but appends each event's stored bytes (unparsed) to `out`.
  absl::Status ReadEncodedEvents(uint32_t ws_id, uint64_t from_seq, uint64_t to_seq,
                                 size_t max_events, size_t max_bytes,
                                 std::vector<std::string>* out) const;

  // The seqs of `ws_id`'s events about `goal_id`, in log order.
  absl::StatusOr<std::vector<uint64_t>> GoalSeqs(uint32_t ws_id, absl::string_view goal_id) const;

  // The column families, in the order they are opened.
  enum Family { kDefault = 0, kLog, kByGoal, kEventIds, kMeta, kSnapshots, kFamilyCount };

  // The newest snapshot of `ws_id` at or before `at_most_seq`: (seq, serialized PlanState),
  // or nullopt if there is none.
  absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> LatestSnapshot(
      uint32_t ws_id, uint64_t at_most_seq) const;

  // The event at `seq` of `ws_id`: NOT_FOUND if there is none, DATA_LOSS if it does not parse.
  absl::StatusOr<goalsync::v1::Event> ReadEvent(uint32_t ws_id, uint64_t seq) const;

  // Applies `batch` atomically and, if options.sync, durably. UNAVAILABLE on an I/O error.
  absl::Status Commit(CommitBatch& batch);

  const StoreOptions& options() const { return options_; }

  // Replica groups (docs/cluster.md; defined in log_store_cluster.cc).
  // What CommitBatch::SetReplicationState last wrote; empty if never.
  absl::StatusOr<std::string> ReplicationState() const;
  // Cuts `ws_id`'s log back to `seq` (0: empty): its later events, their event_id and
  // by_goal entries and later snapshots go, and the head becomes (seq, hash of event seq),
  // atomically and synced. Only while no EventLog runs on the store: a node truncates a
  // divergent, unacknowledged tail at start, before it serves.
  absl::Status TruncateAfter(uint32_t ws_id, uint64_t seq);

  // Free bytes on the file system that holds the data dir (through the store's Env).
  // UNAVAILABLE if the file system cannot say.
  absl::StatusOr<uint64_t> FreeSpace() const;
  // A RocksDB integer property ("rocksdb.estimate-live-data-size", ...) of one column family,
  // or summed over all of them; 0 if RocksDB does not know it.
  uint64_t FamilyProperty(Family f, const std::string& property) const;
  uint64_t TotalProperty(const std::string& property) const;
  static const char* FamilyName(Family f);

  // The database, for backups (server/store/backup.h) only: everything else goes through
  // the methods above.
  rocksdb::DB& db() const { return *db_; }

 private:
  friend class CommitBatch;
  LogStore(StoreOptions options, std::unique_ptr<rocksdb::Env> env,
           std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> handles);
  absl::Status LoadMeta();
  // Calls `on_event` with the stored bytes of each event of ReadEvents' range and bounds.
  absl::Status ScanLog(
      uint32_t ws_id, uint64_t from_seq, uint64_t to_seq, size_t max_events, size_t max_bytes,
      absl::FunctionRef<absl::Status(uint64_t seq, absl::string_view bytes)> on_event) const;
  // Brings a data dir of format `from` to kStoreFormatVersion (see there).
  absl::Status Upgrade(uint32_t from);

  rocksdb::ColumnFamilyHandle* cf(Family f) const { return handles_[f]; }

  const StoreOptions options_;
  // The Env of the zeroed WAL files, if any: outlives db_.
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::atomic<uint32_t> next_ws_id_{1};
  // False for a read-only open of a dir whose snapshots are of an older shape: they are
  // then not used (plans are folded from the log alone).
  bool snapshots_usable_ = true;
};

// Translates a RocksDB status into ours, prefixed with `context`.
absl::Status FromRocks(const rocksdb::Status& s, absl::string_view context);

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_STORE_LOG_STORE_H_
