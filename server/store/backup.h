// Backups of a goalsyncd data dir, taken while it runs or stopped, incremental (RocksDB
// BackupEngine: a file already in the backup dir is not copied again).
//
// A backup dir holds
//   log/                 backups of the event log database (the data dir itself)
//   checkpoints/         backups of the signed checkpoints (DATA_DIR/checkpoints)
//   auth/                backups of the token database (DATA_DIR/auth), if there is one
//   checkpoint-key.pem   the checkpoint signing key, copied as it is (mode 0600)
// and each backup in log/ names, in its metadata, the checkpoints/ and auth/ backups taken
// with it. The checkpoints are backed up first: every signed head in a backup is then at or
// below the log's head in the same backup, so the restore can check each one.
//
// A backup holds the signing key and the tokens' hashes: keep it as private as the data dir.
//
// Thread safety: one backup at a time into a given backup dir (the caller serializes);
// the databases may be written to meanwhile.
#ifndef GOALSYNC_SERVER_STORE_BACKUP_H_
#define GOALSYNC_SERVER_STORE_BACKUP_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "rocksdb/db.h"

namespace goalsync::server {

struct BackupSources {
  rocksdb::DB* log = nullptr;          // required
  rocksdb::DB* checkpoints = nullptr;  // null: none
  rocksdb::DB* auth = nullptr;         // null: none (--insecure-no-auth)
  std::string signing_key_file;        // empty or missing: not copied
};

struct BackupResult {
  uint32_t backup_id = 0;
  // Bytes of the databases as of this backup, and bytes this backup had to copy (the rest
  // was already in the backup dir).
  uint64_t total_bytes = 0;
  uint64_t copied_bytes = 0;
  absl::Duration took;
};

// Takes a new backup of `sources` into `to` (created if missing). Every write acknowledged
// before the call is in it. UNAVAILABLE on I/O errors (the backup dir then holds no new
// backup that restore would pick), INVALID_ARGUMENT for a bad `to`.
absl::StatusOr<BackupResult> CreateBackup(const BackupSources& sources, const std::string& to);

// The same for the data dir of a stopped goalsyncd. FAILED_PRECONDITION if a goalsyncd
// holds it (back that one up online: goalctl admin backup).
absl::StatusOr<BackupResult> BackupStoppedDataDir(const std::string& data_dir,
                                                  const std::string& signing_key_file,
                                                  const std::string& to);

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_STORE_BACKUP_H_
