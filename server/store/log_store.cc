#include "server/store/log_store.h"

#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/slice_transform.h"
#include "rocksdb/table.h"
#include "server/store/keys.h"
#include "server/store/zeroed_wal_fs.h"

namespace goalsync::server {
namespace {

absl::string_view AsView(const rocksdb::Slice& s) { return absl::string_view(s.data(), s.size()); }

constexpr const char* kFamilyNames[] = {"default", "log", "by_goal", "event_ids", "meta",
                                        "snapshots"};

rocksdb::ColumnFamilyOptions FamilyOptions(int family, std::shared_ptr<rocksdb::Cache> cache) {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = std::move(cache);
  if (family == LogStore::kEventIds) {
    // event_ids is probed once per appended event, and almost every probe misses: bloom
    // filters, in SST files and in the memtable, answer most misses without a search.
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    table.whole_key_filtering = true;
    cf.memtable_prefix_bloom_size_ratio = 0.05;
    cf.memtable_whole_key_filtering = true;
  }
  if (family == LogStore::kLog) {
    // A workspace's log keys arrive in increasing order: inserting next to the previous key
    // of the same workspace skips the skip-list search.
    cf.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(4));
  }
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return cf;
}

}  // namespace

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view context) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat(context, ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(msg);
  if (s.IsCorruption()) return absl::DataLossError(msg);
  if (s.IsInvalidArgument() || s.IsNotSupported()) return absl::FailedPreconditionError(msg);
  if (s.IsIOError() || s.IsBusy() || s.IsTimedOut() || s.IsTryAgain() || s.IsAborted()) {
    return absl::UnavailableError(msg);
  }
  return absl::InternalError(msg);
}

void CommitBatch::RegisterWorkspace(absl::string_view name, uint32_t ws_id) {
  std::string id;
  keys::PutBigEndian32(&id, ws_id);
  batch_.Put(store_.cf(LogStore::kMeta), keys::WorkspaceNameKey(name), id);
}

void CommitBatch::AddEvent(uint32_t ws_id, uint64_t seq, absl::string_view event_id,
                           absl::string_view goal_id, absl::string_view event_bytes) {
  batch_.Put(store_.cf(LogStore::kLog), keys::LogKey(ws_id, seq),
             rocksdb::Slice(event_bytes.data(), event_bytes.size()));
  std::string seq_bytes;
  keys::PutBigEndian64(&seq_bytes, seq);
  batch_.Put(store_.cf(LogStore::kEventIds), keys::EventIdKey(ws_id, event_id), seq_bytes);
  if (!goal_id.empty()) {
    batch_.Put(store_.cf(LogStore::kByGoal), keys::ByGoalKey(ws_id, goal_id, seq),
               rocksdb::Slice());
  }
}

void CommitBatch::PutSnapshot(uint32_t ws_id, uint64_t seq, absl::string_view state) {
  batch_.Put(store_.cf(LogStore::kSnapshots), keys::LogKey(ws_id, seq),
             rocksdb::Slice(state.data(), state.size()));
}

void CommitBatch::SetHead(uint32_t ws_id, uint64_t seq, absl::string_view hash) {
  std::string value;
  keys::PutBigEndian64(&value, seq);
  value.append(hash.data(), hash.size());
  batch_.Put(store_.cf(LogStore::kMeta), keys::HeadKey(ws_id), value);
}

absl::StatusOr<std::unique_ptr<LogStore>> LogStore::Open(const StoreOptions& options) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = !options.read_only;
  db_options.create_missing_column_families = !options.read_only;
  // Keep the default WAL recovery mode (point-in-time): it never leaves holes in the log.
  // Bound the WAL: column families flush at different rates (snapshots fill theirs fast), and
  // a WAL file lives until every family has flushed what it holds, so without a cap the WAL,
  // and the replay at every start, grows without bound.
  db_options.max_total_wal_size = 128 << 20;
  // At open, keep what the WAL replay recovers in memtables instead of writing it out first.
  db_options.avoid_flush_during_recovery = true;
  if (options.env != nullptr) db_options.env = options.env;
  std::unique_ptr<rocksdb::Env> zeroed_env;
  if (!options.read_only && options.zeroed_wal_bytes > 0) {
    rocksdb::Env* base = options.env != nullptr ? options.env : rocksdb::Env::Default();
    // A new data dir: make it now, so that the first spare is ready for the first WAL (a
    // one-time write of zeroed_wal_bytes). Later starts find the spare the last run left.
    std::error_code error;
    const bool fresh = !std::filesystem::exists(options.dir, error) &&
                       std::filesystem::create_directories(options.dir, error);
    auto zeroed = std::make_shared<ZeroedWalFileSystem>(base->GetFileSystem(), options.dir,
                                                        options.zeroed_wal_bytes);
    if (fresh) (void)zeroed->WaitForSpare(absl::Seconds(30));  // without it, WALs just grow
    zeroed_env = rocksdb::NewCompositeEnv(std::move(zeroed));
    db_options.env = zeroed_env.get();
  }
  auto cache = rocksdb::NewLRUCache(options.block_cache_mb << 20);
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (int f = 0; f < kFamilyCount; ++f) {
    families.emplace_back(kFamilyNames[f], FamilyOptions(f, cache));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s =
      options.read_only
          ? rocksdb::DB::OpenForReadOnly(db_options, options.dir, families, &handles, &raw)
          : rocksdb::DB::Open(db_options, options.dir, families, &handles, &raw);
  if (!s.ok()) {
    if (s.IsIOError() && s.ToString().find("lock") != std::string::npos) {
      return absl::FailedPreconditionError(absl::StrCat(
          "data dir ", options.dir, " is in use by another goalsyncd (", s.ToString(), ")"));
    }
    return FromRocks(s, absl::StrCat("opening data dir ", options.dir));
  }
  std::unique_ptr<LogStore> store(new LogStore(options, std::move(zeroed_env),
                                               std::unique_ptr<rocksdb::DB>(raw),
                                               std::move(handles)));
  if (absl::Status st = store->LoadMeta(); !st.ok()) return st;
  return store;
}

LogStore::LogStore(StoreOptions options, std::unique_ptr<rocksdb::Env> env,
                   std::unique_ptr<rocksdb::DB> db,
                   std::vector<rocksdb::ColumnFamilyHandle*> handles)
    : options_(std::move(options)),
      env_(std::move(env)),
      db_(std::move(db)),
      handles_(std::move(handles)) {}

LogStore::~LogStore() {
  if (!options_.read_only) {
    // Flush memtables so that the next start has no WAL to replay. Best effort: everything is
    // already durable in the WAL.
    rocksdb::FlushOptions flush;
    std::vector<rocksdb::ColumnFamilyHandle*> families(handles_.begin(), handles_.end());
    (void)db_->Flush(flush, families);
  }
  for (rocksdb::ColumnFamilyHandle* h : handles_) db_->DestroyColumnFamilyHandle(h);
  db_->Close();
}

absl::Status LogStore::LoadMeta() {
  std::string version;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kMeta),
                               std::string(keys::kFormatVersionKey), &version);
  if (s.IsNotFound() && options_.read_only) {
    return absl::FailedPreconditionError(
        absl::StrCat(options_.dir, " is not a goalsync data dir (no format version)"));
  }
  if (s.IsNotFound()) {
    std::string v;
    keys::PutBigEndian32(&v, kStoreFormatVersion);
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = db_->Put(wo, cf(kMeta), std::string(keys::kFormatVersionKey), v);
    if (!s.ok()) return FromRocks(s, "writing the format version");
  } else if (!s.ok()) {
    return FromRocks(s, "reading the format version");
  } else if (version.size() != 4 || keys::GetBigEndian32(version) > kStoreFormatVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data dir ", options_.dir, " was written by a newer goalsyncd (format ",
        version.size() == 4 ? keys::GetBigEndian32(version) : 0, ", this one reads up to ",
        kStoreFormatVersion, "): run the newer goalsyncd"));
  } else if (const uint32_t v = keys::GetBigEndian32(version); v < kStoreFormatVersion) {
    if (options_.read_only) {
      snapshots_usable_ = false;
    } else if (absl::Status st = Upgrade(v); !st.ok()) {
      return st;
    }
  }
  // Workspace ids are dense from 1: the next one is past the largest stored.
  uint32_t max_id = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kMeta)));
  const std::string prefix(1, keys::kWorkspaceNameTag);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (it->value().size() != 4) return absl::DataLossError("meta: malformed workspace id");
    max_id = std::max(max_id, keys::GetBigEndian32(AsView(it->value())));
  }
  if (!it->status().ok()) return FromRocks(it->status(), "scanning workspaces");
  next_ws_id_ = max_id + 1;
  return absl::OkStatus();
}

absl::Status LogStore::Upgrade(uint32_t from) {
  rocksdb::WriteBatch batch;
  if (from < 2) {
    // Every snapshot key is ws_id(4) seq(8): this range holds them all.
    batch.DeleteRange(cf(kSnapshots), std::string(), std::string(13, '\xff'));
  }
  std::string v;
  keys::PutBigEndian32(&v, kStoreFormatVersion);
  batch.Put(cf(kMeta), std::string(keys::kFormatVersionKey), v);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->Write(wo, &batch),
                   absl::StrCat("upgrading data dir ", options_.dir, " from format ", from));
}

absl::StatusOr<std::vector<std::pair<std::string, WorkspaceRecord>>> LogStore::ListWorkspaces()
    const {
  std::vector<std::string> names;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kMeta)));
  const std::string prefix(1, keys::kWorkspaceNameTag);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    names.push_back(it->key().ToString().substr(1));
  }
  if (absl::Status s = FromRocks(it->status(), "listing workspaces"); !s.ok()) return s;
  it.reset();
  std::vector<std::pair<std::string, WorkspaceRecord>> out;
  for (std::string& name : names) {
    absl::StatusOr<WorkspaceRecord> rec = FindWorkspace(name);
    if (!rec.ok()) return rec.status();
    out.emplace_back(std::move(name), *rec);
  }
  return out;
}

absl::StatusOr<WorkspaceRecord> LogStore::FindWorkspace(absl::string_view name) const {
  std::string id;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf(kMeta), keys::WorkspaceNameKey(name), &id);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat("no workspace ", name));
  if (!s.ok()) return FromRocks(s, "reading workspace id");
  if (id.size() != 4) return absl::DataLossError(absl::StrCat("meta: bad id of ", name));
  WorkspaceRecord rec;
  rec.id = keys::GetBigEndian32(id);
  std::string head;
  s = db_->Get(rocksdb::ReadOptions(), cf(kMeta), keys::HeadKey(rec.id), &head);
  if (s.IsNotFound()) return rec;
  if (!s.ok()) return FromRocks(s, "reading workspace head");
  if (head.size() != 8 + 32) return absl::DataLossError(absl::StrCat("meta: bad head of ", name));
  rec.head_seq = keys::GetBigEndian64(head);
  rec.head_hash = head.substr(8);
  return rec;
}

absl::StatusOr<std::optional<uint64_t>> LogStore::FindEventId(uint32_t ws_id,
                                                              absl::string_view event_id) const {
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kEventIds),
                               keys::EventIdKey(ws_id, event_id), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) return FromRocks(s, "looking up event_id");
  if (value.size() != 8) return absl::DataLossError("event_ids: malformed seq");
  return keys::GetBigEndian64(AsView(value));
}

absl::StatusOr<std::vector<std::optional<uint64_t>>> LogStore::FindEventIds(
    uint32_t ws_id, const std::vector<absl::string_view>& event_ids) const {
  std::vector<std::string> keys;
  keys.reserve(event_ids.size());
  for (absl::string_view id : event_ids) keys.push_back(keys::EventIdKey(ws_id, id));
  std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  db_->MultiGet(rocksdb::ReadOptions(), cf(kEventIds), keys.size(), slices.data(), values.data(),
                statuses.data());
  std::vector<std::optional<uint64_t>> out(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    if (!statuses[i].ok()) return FromRocks(statuses[i], "looking up event_ids");
    if (values[i].size() != 8) return absl::DataLossError("event_ids: malformed seq");
    out[i] = keys::GetBigEndian64(AsView(values[i]));
  }
  return out;
}

absl::Status LogStore::ScanLog(
    uint32_t ws_id, uint64_t from_seq, uint64_t to_seq, size_t max_events, size_t max_bytes,
    absl::FunctionRef<absl::Status(uint64_t seq, absl::string_view bytes)> on_event) const {
  if (from_seq > to_seq || max_events == 0) return absl::OkStatus();
  // Ends at the next workspace's keys; seqs past to_seq are cut in the loop.
  const std::string upper = keys::WorkspacePrefix(ws_id + 1);
  rocksdb::Slice upper_slice(upper);
  rocksdb::ReadOptions ro;
  ro.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro, cf(kLog)));
  size_t n = 0, bytes = 0;
  for (it->Seek(keys::LogKey(ws_id, from_seq)); it->Valid() && n < max_events && bytes < max_bytes;
       it->Next(), ++n) {
    const uint64_t seq = keys::SeqOfKey(AsView(it->key()));
    if (seq > to_seq) break;
    bytes += it->value().size();
    if (absl::Status s = on_event(seq, AsView(it->value())); !s.ok()) return s;
  }
  return FromRocks(it->status(), "reading the log");
}

absl::Status LogStore::ReadEvents(uint32_t ws_id, uint64_t from_seq, uint64_t to_seq,
                                  size_t max_events, std::vector<goalsync::v1::Event>* out,
                                  size_t max_bytes) const {
  return ScanLog(ws_id, from_seq, to_seq, max_events, max_bytes,
                 [out](uint64_t seq, absl::string_view bytes) {
                   if (!out->emplace_back().ParseFromArray(bytes.data(),
                                                           static_cast<int>(bytes.size()))) {
                     return absl::DataLossError(
                         absl::StrCat("log: event at seq ", seq, " does not parse"));
                   }
                   return absl::OkStatus();
                 });
}

absl::Status LogStore::ReadEncodedEvents(uint32_t ws_id, uint64_t from_seq, uint64_t to_seq,
                                         size_t max_events, size_t max_bytes,
                                         std::vector<std::string>* out) const {
  return ScanLog(ws_id, from_seq, to_seq, max_events, max_bytes,
                 [out](uint64_t, absl::string_view bytes) {
                   out->emplace_back(bytes);
                   return absl::OkStatus();
                 });
}

absl::StatusOr<std::vector<uint64_t>> LogStore::GoalSeqs(uint32_t ws_id,
                                                         absl::string_view goal_id) const {
  const std::string prefix = keys::ByGoalPrefix(ws_id, goal_id);
  std::vector<uint64_t> seqs;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kByGoal)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    seqs.push_back(keys::SeqOfKey(AsView(it->key())));
  }
  if (absl::Status s = FromRocks(it->status(), "reading by_goal"); !s.ok()) return s;
  return seqs;
}

absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> LogStore::LatestSnapshot(
    uint32_t ws_id, uint64_t at_most_seq) const {
  if (!snapshots_usable_) return std::nullopt;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), cf(kSnapshots)));
  it->SeekForPrev(keys::LogKey(ws_id, at_most_seq));
  if (!it->Valid()) {
    if (absl::Status s = FromRocks(it->status(), "reading snapshots"); !s.ok()) return s;
    return std::nullopt;
  }
  if (!it->key().starts_with(keys::WorkspacePrefix(ws_id))) return std::nullopt;
  return std::make_pair(keys::SeqOfKey(AsView(it->key())), it->value().ToString());
}

absl::StatusOr<goalsync::v1::Event> LogStore::ReadEvent(uint32_t ws_id, uint64_t seq) const {
  // A point lookup: history by goal and the as-of-time search read events one by one, and a
  // Get costs less than an iterator per event.
  rocksdb::PinnableSlice value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), cf(kLog), keys::LogKey(ws_id, seq), &value);
  if (s.IsNotFound()) return absl::NotFoundError(absl::StrCat("no event at seq ", seq));
  if (!s.ok()) return FromRocks(s, "reading an event");
  goalsync::v1::Event event;
  if (!event.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
    return absl::DataLossError(absl::StrCat("log: event at seq ", seq, " does not parse"));
  }
  return event;
}

absl::StatusOr<uint64_t> LogStore::FreeSpace() const {
  uint64_t free = 0;
  if (rocksdb::Status s = db_->GetEnv()->GetFreeSpace(options_.dir, &free); !s.ok()) {
    return absl::UnavailableError(absl::StrCat("free space of ", options_.dir, ": ", s.ToString()));
  }
  return free;
}

uint64_t LogStore::FamilyProperty(Family f, const std::string& property) const {
  uint64_t value = 0;
  return db_->GetIntProperty(cf(f), property, &value) ? value : 0;
}

uint64_t LogStore::TotalProperty(const std::string& property) const {
  uint64_t sum = 0;
  for (int f = 0; f < kFamilyCount; ++f) sum += FamilyProperty(static_cast<Family>(f), property);
  return sum;
}

const char* LogStore::FamilyName(Family f) { return kFamilyNames[f]; }

absl::Status LogStore::Commit(CommitBatch& batch) {
  rocksdb::WriteOptions wo;
  wo.sync = options_.sync;
  return FromRocks(db_->Write(wo, &batch.batch_), "committing to the log");
}

}  // namespace goalsync::server
