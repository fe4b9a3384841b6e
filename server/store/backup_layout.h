// The layout of a goalsyncd backup dir (backup.h describes it), shared by backup and
// restore.
#ifndef GOALSYNC_SERVER_STORE_BACKUP_LAYOUT_H_
#define GOALSYNC_SERVER_STORE_BACKUP_LAYOUT_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "rocksdb/utilities/backup_engine.h"

namespace goalsync::server {

inline constexpr const char* kBackupKeyFile = "checkpoint-key.pem";

// The BackupEngine options of every database in a backup dir. They must never change for
// an existing dir (RocksDB requires the same options each time).
rocksdb::BackupEngineOptions BackupEngineOptionsFor(const std::string& dir);

// What a log backup's app metadata records: the ids of the checkpoints/ and auth/ backups
// taken with it (0: none).
struct BackupMetadata {
  uint32_t checkpoints_id = 0;
  uint32_t auth_id = 0;

  // "goalsync-backup v1 checkpoints=N auth=M"
  std::string Encode() const;
  // DATA_LOSS for metadata that is not ours.
  static absl::StatusOr<BackupMetadata> Decode(const std::string& text);
};

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_STORE_BACKUP_LAYOUT_H_
