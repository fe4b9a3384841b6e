#include "replica_store.h"

#include "absl/strings/str_cat.h"
#include "rocksdb/options.h"

#include <string_view>

namespace goalsync::client {
namespace {

enum Family { kDefault = 0, kLog, kOutbox, kRejected, kSnapshots, kFamilies };
const char* const kFamilyNames[kFamilies] = {"default", "log", "outbox", "rejected", "snapshots"};
constexpr char kMetaKey[] = "meta";

std::string Key(uint64_t n) {
  std::string k(8, '\0');
  for (int i = 7; i >= 0; --i, n >>= 8) k[i] = static_cast<char>(n & 0xff);
  return k;
}

uint64_t FromKey(const rocksdb::Slice& k) {
  uint64_t n = 0;
  for (size_t i = 0; i < k.size() && i < 8; ++i) n = (n << 8) | static_cast<unsigned char>(k[i]);
  return n;
}

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return absl::DataLossError(absl::StrCat("replica store: ", what, ": ", s.ToString()));
}

}  // namespace

absl::StatusOr<std::unique_ptr<ReplicaStore>> ReplicaStore::Open(const std::string& dir) {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.max_total_wal_size = 64 << 20;
  options.keep_log_file_num = 4;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : kFamilyNames) {
    rocksdb::ColumnFamilyOptions cf;
    cf.OptimizeForSmallDb();
    if (std::string_view(name) == "log") {
      // The confirmed log takes a whole workspace's history on a catch-up: a small memtable
      // would flush (compress, checksum, write) every 2 MiB; LZ4 compresses at a fraction of
      // snappy's CPU.
      cf.write_buffer_size = 32 << 20;
      cf.compression = rocksdb::kLZ4Compression;
    }
    families.emplace_back(name, cf);
  }
  std::unique_ptr<ReplicaStore> store(new ReplicaStore());
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, families, &store->handles_, &db);
  if (!s.ok()) {
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
      return absl::FailedPreconditionError(absl::StrCat(
          "replica directory ", dir, " is in use by another process (", s.ToString(), ")"));
    }
    return absl::UnavailableError(
        absl::StrCat("cannot open replica directory ", dir, ": ", s.ToString()));
  }
  store->db_.reset(db);
  return store;
}

ReplicaStore::~ReplicaStore() {
  if (!db_) return;
  // Flush the memtables so that the next open has no WAL to replay (best effort: every
  // write is already in the WAL).
  (void)db_->Flush(rocksdb::FlushOptions(), handles_);
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  db_->Close();
}

absl::StatusOr<std::optional<goalsync::v1::ReplicaMeta>> ReplicaStore::LoadMeta() {
  std::string bytes;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[kDefault], kMetaKey, &bytes);
  if (s.IsNotFound()) return std::nullopt;
  if (absl::Status st = FromRocks(s, "read meta"); !st.ok()) return st;
  goalsync::v1::ReplicaMeta meta;
  if (!meta.ParseFromString(bytes)) return absl::DataLossError("replica store: meta is corrupt");
  return meta;
}

absl::Status ReplicaStore::ScanLog(
    uint64_t from_seq,
    absl::FunctionRef<absl::StatusOr<bool>(const goalsync::v1::Event&)> on_event) {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[kLog]));
  for (it->Seek(Key(from_seq)); it->Valid(); it->Next()) {
    goalsync::v1::Event e;
    if (!e.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(
          absl::StrCat("replica store: event ", FromKey(it->key()), " is corrupt"));
    }
    absl::StatusOr<bool> more = on_event(e);
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
  }
  return FromRocks(it->status(), "scan log");
}

absl::StatusOr<std::vector<std::pair<uint64_t, std::string>>> ReplicaStore::ScanFamily(
    rocksdb::ColumnFamilyHandle* cf) {
  std::vector<std::pair<uint64_t, std::string>> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    out.emplace_back(FromKey(it->key()), it->value().ToString());
  }
  if (absl::Status s = FromRocks(it->status(), "scan"); !s.ok()) return s;
  return out;
}

template <typename Message>
absl::StatusOr<std::vector<std::pair<uint64_t, Message>>> ParseAll(
    absl::StatusOr<std::vector<std::pair<uint64_t, std::string>>> raw, absl::string_view what) {
  if (!raw.ok()) return raw.status();
  std::vector<std::pair<uint64_t, Message>> out;
  for (auto& [key, bytes] : *raw) {
    Message m;
    if (!m.ParseFromString(bytes)) {
      return absl::DataLossError(absl::StrCat("replica store: ", what, " entry ", key, " is corrupt"));
    }
    out.emplace_back(key, std::move(m));
  }
  return out;
}

absl::StatusOr<std::vector<std::pair<uint64_t, goalsync::v1::Event>>> ReplicaStore::LoadOutbox() {
  return ParseAll<goalsync::v1::Event>(ScanFamily(handles_[kOutbox]), "outbox");
}

absl::StatusOr<std::vector<std::pair<uint64_t, goalsync::v1::RejectedEdit>>>
ReplicaStore::LoadRejected() {
  return ParseAll<goalsync::v1::RejectedEdit>(ScanFamily(handles_[kRejected]), "rejected");
}

absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> ReplicaStore::SnapshotAtOrBefore(
    uint64_t seq) {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), handles_[kSnapshots]));
  it->SeekForPrev(Key(seq));
  if (!it->Valid()) {
    if (absl::Status s = FromRocks(it->status(), "read snapshot"); !s.ok()) return s;
    return std::nullopt;
  }
  return std::make_pair(FromKey(it->key()), it->value().ToString());
}

void ReplicaStore::Batch::PutMeta(const goalsync::v1::ReplicaMeta& meta) {
  batch_.Put(store_.handles_[kDefault], kMetaKey, meta.SerializeAsString());
}
void ReplicaStore::Batch::AddLog(const goalsync::v1::Event& event) {
  batch_.Put(store_.handles_[kLog], Key(event.seq()), event.SerializeAsString());
}
void ReplicaStore::Batch::AddLogBytes(uint64_t seq, absl::string_view encoding) {
  batch_.Put(store_.handles_[kLog], Key(seq), rocksdb::Slice(encoding.data(), encoding.size()));
}
void ReplicaStore::Batch::PutOutbox(uint64_t key, const goalsync::v1::Event& event) {
  batch_.Put(store_.handles_[kOutbox], Key(key), event.SerializeAsString());
}
void ReplicaStore::Batch::DeleteOutbox(uint64_t key) {
  batch_.Delete(store_.handles_[kOutbox], Key(key));
}
void ReplicaStore::Batch::PutRejected(uint64_t key, const goalsync::v1::RejectedEdit& edit) {
  batch_.Put(store_.handles_[kRejected], Key(key), edit.SerializeAsString());
}
void ReplicaStore::Batch::DeleteRejected(uint64_t key) {
  batch_.Delete(store_.handles_[kRejected], Key(key));
}
void ReplicaStore::Batch::PutSnapshot(uint64_t seq, const std::string& state_bytes) {
  batch_.Put(store_.handles_[kSnapshots], Key(seq), state_bytes);
}
void ReplicaStore::Batch::ClearLog() {
  batch_.DeleteRange(store_.handles_[kLog], Key(0), Key(UINT64_MAX));
  ClearSnapshots();
}

void ReplicaStore::Batch::ClearSnapshots() {
  batch_.DeleteRange(store_.handles_[kSnapshots], Key(0), Key(UINT64_MAX));
}

absl::Status ReplicaStore::Commit(Batch& batch, bool sync) {
  rocksdb::WriteOptions options;
  options.sync = sync;
  return FromRocks(db_->Write(options, &batch.batch_), "write");
}

}  // namespace goalsync::client
