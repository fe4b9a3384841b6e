#include "server/store/backup_layout.h"

#include <cstdio>

#include "absl/strings/str_cat.h"

namespace goalsync::server {

rocksdb::BackupEngineOptions BackupEngineOptionsFor(const std::string& dir) {
  rocksdb::BackupEngineOptions options(dir);
  options.share_table_files = true;  // incremental: an SST file is copied once
  options.sync = true;               // a finished backup survives a machine crash
  options.max_background_operations = 1;  // leave the other core to the server
  return options;
}

std::string BackupMetadata::Encode() const {
  return absl::StrCat("goalsync-backup v1 checkpoints=", checkpoints_id, " auth=", auth_id);
}

absl::StatusOr<BackupMetadata> BackupMetadata::Decode(const std::string& text) {
  BackupMetadata m;
  unsigned checkpoints = 0, auth = 0;
  if (std::sscanf(text.c_str(), "goalsync-backup v1 checkpoints=%u auth=%u", &checkpoints,
                  &auth) != 2) {
    return absl::DataLossError(absl::StrCat("backup metadata \"", text,
                                            "\" is not goalsyncd's: not a goalsync backup dir?"));
  }
  m.checkpoints_id = checkpoints;
  m.auth_id = auth;
  return m;
}

}  // namespace goalsync::server
