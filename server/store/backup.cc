#include "server/store/backup.h"

#include <sys/stat.h>

#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "rocksdb/utilities/backup_engine.h"
#include "server/store/backup_layout.h"
#include "server/store/log_store.h"

namespace goalsync::server {
namespace {

namespace fs = std::filesystem;

uint64_t BytesUnder(const std::string& dir) {
  std::error_code ec;
  uint64_t total = 0;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

// Backs up `db` into the BackupEngine at `dir` with `metadata`; its backup id.
absl::StatusOr<uint32_t> BackupOne(rocksdb::DB* db, const std::string& dir,
                                   const std::string& metadata, uint64_t* total_bytes) {
  rocksdb::BackupEngine* raw = nullptr;
  rocksdb::IOStatus s = rocksdb::BackupEngine::Open(BackupEngineOptionsFor(dir),
                                                    rocksdb::Env::Default(), &raw);
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening the backup dir ", dir));
  std::unique_ptr<rocksdb::BackupEngine> engine(raw);
  rocksdb::CreateBackupOptions options;
  // Flushing first makes the backup's SST files hold everything; the WAL is backed up too,
  // so nothing acknowledged is missed either way.
  options.flush_before_backup = true;
  rocksdb::BackupID id = 0;
  s = engine->CreateNewBackupWithMetadata(options, db, metadata, &id);
  if (!s.ok()) return FromRocks(s, absl::StrCat("backing up into ", dir));
  rocksdb::BackupInfo info;
  if (engine->GetBackupInfo(id, &info).ok()) *total_bytes += info.size;
  return id;
}

absl::Status CopyKey(const std::string& from, const std::string& to_dir) {
  std::error_code ec;
  if (from.empty() || !fs::exists(from, ec)) return absl::OkStatus();
  const std::string to = absl::StrCat(to_dir, "/", kBackupKeyFile);
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("copying ", from, " to ", to, ": ", ec.message()));
  ::chmod(to.c_str(), 0600);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<BackupResult> CreateBackup(const BackupSources& sources, const std::string& to) {
  if (to.empty()) return absl::InvalidArgumentError("backup dir is empty: name a directory");
  if (sources.log == nullptr) return absl::InvalidArgumentError("no log database to back up");
  const absl::Time start = absl::Now();
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) {
    return absl::InvalidArgumentError(absl::StrCat("cannot create backup dir ", to, ": ", ec.message()));
  }
  const uint64_t bytes_before = BytesUnder(to);
  BackupResult result;
  BackupMetadata meta;
  // Checkpoints before the log: each signed head is then within the log backed up after it.
  if (sources.checkpoints != nullptr) {
    absl::StatusOr<uint32_t> id = BackupOne(sources.checkpoints, to + "/checkpoints", "",
                                            &result.total_bytes);
    if (!id.ok()) return id.status();
    meta.checkpoints_id = *id;
  }
  if (sources.auth != nullptr) {
    absl::StatusOr<uint32_t> id = BackupOne(sources.auth, to + "/auth", "", &result.total_bytes);
    if (!id.ok()) return id.status();
    meta.auth_id = *id;
  }
  if (absl::Status s = CopyKey(sources.signing_key_file, to); !s.ok()) return s;
  // Last: a log backup exists only once everything it names does.
  absl::StatusOr<uint32_t> id = BackupOne(sources.log, to + "/log", meta.Encode(),
                                          &result.total_bytes);
  if (!id.ok()) return id.status();
  result.backup_id = *id;
  result.copied_bytes = BytesUnder(to) - std::min(BytesUnder(to), bytes_before);
  result.took = absl::Now() - start;
  return result;
}

absl::StatusOr<BackupResult> BackupStoppedDataDir(const std::string& data_dir,
                                                  const std::string& signing_key_file,
                                                  const std::string& to) {
  StoreOptions options;
  options.dir = data_dir;
  std::error_code ec;
  if (!fs::exists(data_dir + "/CURRENT", ec)) {
    return absl::InvalidArgumentError(absl::StrCat(data_dir, " is not a goalsync data dir"));
  }
  absl::StatusOr<std::unique_ptr<LogStore>> store = LogStore::Open(options);
  if (!store.ok()) {
    if (absl::IsFailedPrecondition(store.status())) {
      return absl::FailedPreconditionError(absl::StrCat(
          store.status().message(), "; back up a running server with goalctl admin backup"));
    }
    return store.status();
  }
  BackupSources sources;
  sources.log = &(*store)->db();
  sources.signing_key_file =
      signing_key_file.empty() ? data_dir + "/checkpoint-key.pem" : signing_key_file;
  std::unique_ptr<rocksdb::DB> checkpoints, auth;
  for (auto [name, db] : {std::pair{"/checkpoints", &checkpoints}, std::pair{"/auth", &auth}}) {
    if (!fs::exists(data_dir + name + "/CURRENT", ec)) continue;
    rocksdb::Options o;
    rocksdb::DB* raw = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(o, data_dir + name, &raw);
    if (!s.ok()) return FromRocks(s, absl::StrCat("opening ", data_dir, name));
    db->reset(raw);
  }
  sources.checkpoints = checkpoints.get();
  sources.auth = auth.get();
  return CreateBackup(sources, to);
}

}  // namespace goalsync::server
