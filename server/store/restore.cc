#include "server/store/restore.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/signing.h"
#include "goalsync/v1/audit.pb.h"
#include "rocksdb/utilities/backup_engine.h"
#include "server/store/backup_layout.h"
#include "server/store/log_store.h"

namespace goalsync::server {
namespace {

namespace fs = std::filesystem;

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Restores backup `id` (0: the newest) of the engine in `dir` into `db_dir`, after checking
// its files' checksums. Sets *restored_id.
absl::Status RestoreOne(const std::string& dir, uint32_t id, const std::string& db_dir,
                        uint32_t* restored_id, std::string* metadata) {
  rocksdb::BackupEngineReadOnly* raw = nullptr;
  rocksdb::IOStatus s = rocksdb::BackupEngineReadOnly::Open(BackupEngineOptionsFor(dir),
                                                            rocksdb::Env::Default(), &raw);
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening backups in ", dir));
  std::unique_ptr<rocksdb::BackupEngineReadOnly> engine(raw);
  rocksdb::BackupInfo info;
  rocksdb::Status found =
      id == 0 ? engine->GetLatestBackupInfo(&info) : engine->GetBackupInfo(id, &info);
  if (!found.ok()) return absl::NotFoundError(absl::StrCat("no backup ", id == 0 ? "" : absl::StrCat(id, " "), "in ", dir));
  if (s = engine->VerifyBackup(info.backup_id, /*verify_with_checksum=*/true); !s.ok()) {
    return absl::DataLossError(absl::StrCat("backup ", info.backup_id, " in ", dir,
                                            " is damaged: ", s.ToString()));
  }
  s = engine->RestoreDBFromBackup(rocksdb::RestoreOptions(), info.backup_id, db_dir, db_dir);
  if (!s.ok()) return FromRocks(s, absl::StrCat("restoring ", dir, " into ", db_dir));
  *restored_id = info.backup_id;
  if (metadata != nullptr) *metadata = info.app_metadata;
  return absl::OkStatus();
}

// Key of the checkpoints database: workspace '\0' seq (big-endian).
uint64_t SeqOfCheckpointKey(const rocksdb::Slice& key) {
  uint64_t seq = 0;
  for (size_t i = key.size() - 8; i < key.size(); ++i) seq = seq << 8 | static_cast<uint8_t>(key[i]);
  return seq;
}

// Checks one signed checkpoint against the key and the log.
absl::Status CheckCheckpoint(const LogStore& store, const std::string& public_key,
                             const goalsync::v1::Checkpoint& cp) {
  const std::string what = absl::StrCat("checkpoint of ", cp.workspace(), " at seq ", cp.seq());
  if (absl::Status s = core::VerifyCheckpoint(public_key, cp); !s.ok()) {
    return absl::DataLossError(absl::StrCat(what, ": ", s.message()));
  }
  absl::StatusOr<WorkspaceRecord> rec = store.FindWorkspace(cp.workspace());
  if (!rec.ok()) return absl::DataLossError(absl::StrCat(what, ": the workspace is missing"));
  if (cp.seq() > rec->head_seq) {
    return absl::DataLossError(absl::StrCat(what, ": past the log's head (seq ", rec->head_seq, ")"));
  }
  absl::StatusOr<goalsync::v1::Event> event = store.ReadEvent(rec->id, cp.seq());
  if (!event.ok()) return absl::DataLossError(absl::StrCat(what, ": ", event.status().message()));
  if (event->hash() != cp.hash()) {
    return absl::DataLossError(absl::StrCat(what, ": the log's hash there is ",
                                            absl::BytesToHexString(event->hash()),
                                            ", the signed one ", absl::BytesToHexString(cp.hash())));
  }
  return absl::OkStatus();
}

// Every checkpoint in `dir` (none if there is no database).
absl::Status CheckCheckpoints(const LogStore& store, const std::string& dir,
                              const std::string& public_key, RestoreReport* report) {
  std::error_code ec;
  if (!fs::exists(dir + "/CURRENT", ec)) return absl::OkStatus();
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(rocksdb::Options(), dir, &raw);
  if (!s.ok()) return FromRocks(s, absl::StrCat("opening ", dir));
  std::unique_ptr<rocksdb::DB> db(raw);
  std::map<std::string, SignedHeads> heads;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  absl::Status verdict;
  for (it->SeekToFirst(); it->Valid() && verdict.ok(); it->Next()) {
    goalsync::v1::Checkpoint cp;
    if (!cp.ParseFromArray(it->value().data(), static_cast<int>(it->value().size())) ||
        cp.seq() != SeqOfCheckpointKey(it->key())) {
      verdict = absl::DataLossError("a stored checkpoint is corrupt");
      break;
    }
    verdict = CheckCheckpoint(store, public_key, cp);
    SignedHeads& h = heads[cp.workspace()];
    h.workspace = cp.workspace();
    if (verdict.ok()) {
      ++h.verified;
      h.latest_seq = std::max(h.latest_seq, cp.seq());
    }
  }
  if (verdict.ok() && !it->status().ok()) verdict = FromRocks(it->status(), "reading checkpoints");
  it.reset();
  for (auto& [name, h] : heads) report->checkpoints.push_back(h);
  if (report->verdict.ok()) report->verdict = verdict;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RestoreReport> VerifyDataDir(const std::string& data_dir,
                                            const std::string& public_key_pem) {
  StoreOptions options;
  options.dir = data_dir;
  options.read_only = true;
  absl::StatusOr<std::unique_ptr<LogStore>> store = LogStore::Open(options);
  if (!store.ok()) return store.status();
  absl::StatusOr<std::vector<WorkspaceVerdict>> verdicts = VerifyStore(**store);
  if (!verdicts.ok()) return verdicts.status();
  RestoreReport report;
  report.workspaces = std::move(*verdicts);
  for (const WorkspaceVerdict& v : report.workspaces) {
    if (!v.status.ok() && report.verdict.ok()) {
      report.verdict = absl::DataLossError(absl::StrCat(v.workspace, ": ", v.status.message()));
    }
  }
  if (absl::Status s = CheckCheckpoints(**store, data_dir + "/checkpoints", public_key_pem, &report);
      !s.ok()) {
    return s;
  }
  return report;
}

absl::StatusOr<RestoreReport> RestoreBackup(const RestoreRequest& request) {
  std::error_code ec;
  if (fs::exists(request.data_dir, ec) && !fs::is_empty(request.data_dir, ec)) {
    return absl::FailedPreconditionError(absl::StrCat(
        request.data_dir, " is not empty: restore into a new directory (nothing is overwritten)"));
  }
  uint32_t log_id = 0, unused = 0;
  std::string metadata;
  if (absl::Status s = RestoreOne(request.from + "/log", 0, request.data_dir, &log_id, &metadata);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<BackupMetadata> meta = BackupMetadata::Decode(metadata);
  if (!meta.ok()) return meta.status();
  if (meta->checkpoints_id != 0) {
    if (absl::Status s = RestoreOne(request.from + "/checkpoints", meta->checkpoints_id,
                                    request.data_dir + "/checkpoints", &unused, nullptr);
        !s.ok()) {
      return s;
    }
  }
  if (meta->auth_id != 0) {
    if (absl::Status s = RestoreOne(request.from + "/auth", meta->auth_id,
                                    request.data_dir + "/auth", &unused, nullptr);
        !s.ok()) {
      return s;
    }
  }
  const std::string key_from = absl::StrCat(request.from, "/", kBackupKeyFile);
  const std::string key_to = absl::StrCat(request.data_dir, "/", kBackupKeyFile);
  std::string public_key;
  if (fs::exists(key_from, ec)) {
    fs::copy_file(key_from, key_to, ec);
    if (ec) return absl::UnavailableError(absl::StrCat("copying the signing key: ", ec.message()));
    ::chmod(key_to.c_str(), 0600);
    absl::StatusOr<std::string> key = ReadFile(key_to);
    absl::StatusOr<std::string> pub = key.ok() ? core::PublicKeyOf(*key) : key.status();
    if (!pub.ok()) return pub.status();
    public_key = *pub;
  }
  if (!request.public_key_file.empty()) {
    absl::StatusOr<std::string> pub = ReadFile(request.public_key_file);
    if (!pub.ok()) return pub.status();
    public_key = *pub;
  }
  if (public_key.empty() && meta->checkpoints_id != 0) {
    return absl::FailedPreconditionError(
        "the backup has signed checkpoints but no signing key: give --pubkey FILE");
  }
  absl::StatusOr<RestoreReport> report = VerifyDataDir(request.data_dir, public_key);
  if (report.ok()) report->backup_id = log_id;
  return report;
}

}  // namespace goalsync::server
