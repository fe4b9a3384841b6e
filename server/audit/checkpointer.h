// Checkpointer: signs each workspace's committed head with the server's Ed25519 key every
// `every` events or `interval` (if it moved), stores the checkpoints (<data-dir>/checkpoints,
// RocksDB), and serves them (goalsync.v1.Audit).
//
// In a replica group (docs/cluster.md, "Signed checkpoints") `CheckpointOptions::group` says
// when this member may sign and under which name: only while it is the serving leader and a
// quorum holds its epoch's mark, so that every head it signs is quorum-committed (a
// follower's durable heads may run past what the group committed, and a new leader's
// starting log is on a quorum only once enough followers hold its mark). Its checkpoints then
// name its node id and epoch, inside the signature.
//
// Thread safety: one background thread signs; GetCheckpoints may be called from any thread.
#ifndef GOALSYNC_SERVER_AUDIT_CHECKPOINTER_H_
#define GOALSYNC_SERVER_AUDIT_CHECKPOINTER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "goalsync/v1/audit.grpc.pb.h"
#include "rocksdb/db.h"
#include "server/auth/authenticator.h"
#include "server/log/event_log.h"

namespace goalsync::server {

// Whether a replica group's member may sign now, and the names its checkpoints carry.
struct CheckpointSigner {
  bool may_sign = false;
  std::string node_id;
  uint64_t epoch = 0;
};

struct CheckpointOptions {
  // Sign a workspace's head once it is this many events past the last checkpoint (0: never
  // by count). More often costs a signature (~50 us) and a small write each time.
  uint64_t every = 1000;
  // ... or this long after the last checkpoint if the head moved at all (0: never by time).
  absl::Duration interval = absl::Seconds(60);
  // PEM Ed25519 private key; empty: <data-dir>/checkpoint-key.pem, made at first start.
  std::string key_file;
  // Set in a replica group (goalsyncd --cluster-etcd): asked before and after each round's
  // heads are read; a round signs only if both answers allow it for the same epoch. Must be
  // cheap (no I/O) and callable from the checkpointer's thread. Unset: a single node, which
  // signs its committed heads as v1 checkpoints (no node id, no epoch).
  std::function<CheckpointSigner()> group;
};

// The signing key of a data dir: `options.key_file`, or <data_dir>/checkpoint-key.pem
// (created, mode 0600, if missing). Returns its PEM text.
absl::StatusOr<std::string> LoadSigningKey(const std::string& data_dir,
                                           const CheckpointOptions& options, bool create);

class Checkpointer {
 public:
  static absl::StatusOr<std::unique_ptr<Checkpointer>> Start(const std::string& data_dir,
                                                             EventLog& log,
                                                             CheckpointOptions options);
  ~Checkpointer();  // stops the thread (after a last round)

  // Signs every workspace whose head moved since its last checkpoint, now.
  void SignNow();
  absl::StatusOr<goalsync::v1::GetCheckpointsResponse> GetCheckpoints(
      const std::string& workspace, uint64_t from_seq) const;
  // The checkpoints database, for online backups (server/store/backup.h) only.
  rocksdb::DB& db() const { return *db_; }

 private:
  Checkpointer(EventLog& log, CheckpointOptions options) : log_(log), options_(options) {}
  void Run();
  void Round(bool force);

  EventLog& log_;
  const CheckpointOptions options_;
  std::string private_key_, public_key_;
  std::unique_ptr<rocksdb::DB> db_;
  mutable absl::Mutex mu_;
  struct Last {
    uint64_t seq = 0;
    absl::Time at;
  };
  std::map<std::string, Last> last_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

class AuditService final : public goalsync::v1::Audit::CallbackService {
 public:
  AuditService(Checkpointer& checkpoints, Authenticator& auth) : checkpoints_(checkpoints), auth_(auth) {}
  grpc::ServerUnaryReactor* GetCheckpoints(grpc::CallbackServerContext* ctx,
                                           const goalsync::v1::GetCheckpointsRequest* request,
                                           goalsync::v1::GetCheckpointsResponse* response) override;

 private:
  Checkpointer& checkpoints_;
  Authenticator& auth_;
};

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_AUDIT_CHECKPOINTER_H_
