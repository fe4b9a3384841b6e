// The replica-group parts of LogStore (docs/cluster.md): the node's replication state in
// meta, and cutting back a divergent tail.
#include "absl/strings/str_cat.h"
#include "core/envelope.h"
#include "server/store/keys.h"
#include "server/store/log_store.h"

namespace goalsync::server {
namespace {

// Meta key of the replication state; distinct from the F, W and H tags (keys.h).
constexpr absl::string_view kReplicationStateKey = "R";

}  // namespace

void CommitBatch::SetReplicationState(absl::string_view bytes) {
  batch_.Put(store_.cf(LogStore::kMeta), std::string(kReplicationStateKey),
             rocksdb::Slice(bytes.data(), bytes.size()));
}

absl::StatusOr<std::string> LogStore::ReplicationState() const {
  std::string value;
  rocksdb::Status s =
      db_->Get(rocksdb::ReadOptions(), cf(kMeta), std::string(kReplicationStateKey), &value);
  if (s.IsNotFound()) return std::string();
  if (!s.ok()) return FromRocks(s, "reading the replication state");
  return value;
}

absl::Status LogStore::TruncateAfter(uint32_t ws_id, uint64_t seq) {
  CommitBatch batch(*this);
  std::string hash;
  if (seq > 0) {
    absl::StatusOr<goalsync::v1::Event> at = ReadEvent(ws_id, seq);
    if (!at.ok()) return at.status();
    hash = at->hash();
  }
  std::vector<goalsync::v1::Event> page;
  for (uint64_t from = seq + 1;; from = page.back().seq() + 1) {
    page.clear();
    if (absl::Status s = ReadEvents(ws_id, from, UINT64_MAX, 1024, &page); !s.ok()) return s;
    if (page.empty()) break;
    for (const goalsync::v1::Event& e : page) {
      batch.batch_.Delete(cf(kLog), keys::LogKey(ws_id, e.seq()));
      batch.batch_.Delete(cf(kEventIds), keys::EventIdKey(ws_id, e.event_id()));
      absl::string_view goal = core::GoalIdOf(e.payload());
      if (!goal.empty()) batch.batch_.Delete(cf(kByGoal), keys::ByGoalKey(ws_id, goal, e.seq()));
    }
  }
  batch.batch_.DeleteRange(cf(kSnapshots), keys::LogKey(ws_id, seq + 1),
                           keys::LogKey(ws_id, UINT64_MAX));
  batch.SetHead(ws_id, seq, hash);
  return Commit(batch);
}

}  // namespace goalsync::server
