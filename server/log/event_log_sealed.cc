// EventLog's side of a replica group (replicator.h, docs/cluster.md): the hook the writer
// calls after a local write, and a follower's write of events the leader sealed.
#include "absl/strings/str_cat.h"
#include "core/envelope.h"
#include "core/hash_chain.h"
#include "core/plan/kernel.h"
#include "server/log/event_log.h"

namespace goalsync::server {

using goalsync::v1::Event;

absl::Status EventLog::Replicate(const Staged& group) {
  std::vector<Replicator::Head> heads;
  for (size_t i = 0; i < group.events.size(); ++i) {
    if (group.events[i].empty()) continue;
    const Workspace* ws = group.workspaces[i];
    const uint64_t seq = group.events[i].back()->seq();
    auto it = std::find_if(heads.begin(), heads.end(),
                           [&](const Replicator::Head& h) { return h.ws_id == ws->id; });
    if (it == heads.end()) {
      heads.push_back({ws->name, ws->id, seq});
    } else {
      it->seq = std::max(it->seq, seq);
    }
  }
  if (heads.empty()) return absl::OkStatus();
  return options_.replicator->Replicate(heads);
}

namespace {

// Checks that `events` extend the chain (seq, hash) and that each carries its true hash;
// fills `stored` with their storage bytes (canonical bytes + hash, as GroupCommit makes them).
absl::Status CheckChain(uint64_t seq, std::string hash, const std::vector<Event>& events,
                        std::vector<std::string>* stored) {
  for (const Event& e : events) {
    const std::string& prev = hash.empty() ? core::GenesisHash() : hash;
    if (e.seq() != seq + 1 || e.prev_hash() != prev) {
      return absl::FailedPreconditionError(absl::StrCat(
          "diverged: event ", e.seq(), " of ", e.workspace(), " does not follow this node's seq ",
          seq));
    }
    Event copy = e;
    copy.clear_hash();
    stored->push_back(core::SealEvent(&copy));
    if (copy.hash() != e.hash()) {
      return absl::DataLossError(absl::StrCat("replicated event ", e.seq(), " of ", e.workspace(),
                                              " does not hash to its hash field"));
    }
    seq = e.seq();
    hash = e.hash();
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status EventLog::AppendSealed(absl::string_view workspace, const std::vector<Event>& events,
                                    absl::string_view replication_state) {
  absl::StatusOr<Workspace*> found = GetWorkspace(workspace);
  if (!found.ok()) return found.status();
  Workspace& ws = **found;
  if (!ws.load_error.ok()) return ws.load_error;
  CommitBatch batch(store_);
  if (!replication_state.empty()) batch.SetReplicationState(replication_state);
  if (events.empty()) return replication_state.empty() ? absl::OkStatus() : store_.Commit(batch);
  std::vector<std::string> stored;
  if (absl::Status s = CheckChain(ws.tail_seq, ws.tail_hash, events, &stored); !s.ok()) return s;
  if (!ws.registered) batch.RegisterWorkspace(ws.name, ws.id);
  std::vector<EventPtr> published;
  bool loaded = false;
  {
    absl::MutexLock lock(&ws.mu);
    ws.mu.Await(absl::Condition(
        +[](Workspace* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->mu) { return w->readers_waiting == 0; },
        &ws));
    if (absl::Status s = LoadPlanLocked(ws, &loaded); !s.ok()) return s;
    for (size_t i = 0; i < events.size(); ++i) {
      const Event& e = events[i];
      if (absl::Status s = core::Apply(e, &ws.plan); !s.ok()) {
        ws.plan_stale = true;  // partly applied: rebuilt from the store by the next reader
        return absl::DataLossError(absl::StrCat("replicated event ", e.seq(), " of ", ws.name,
                                                " does not apply: ", s.message()));
      }
      batch.AddEvent(ws.id, e.seq(), e.event_id(), core::GoalIdOf(e.payload()), stored[i]);
      ws.bytes_since_snapshot += stored[i].size();
      const bool by_size = options_.snapshot_bytes > 0 &&
                           ws.bytes_since_snapshot >= options_.snapshot_bytes;
      const bool by_count = options_.snapshot_every > 0 && e.seq() % options_.snapshot_every == 0;
      if (by_size || by_count) {
        batch.PutSnapshot(ws.id, e.seq(), core::SerializeState(ws.plan));
        ws.bytes_since_snapshot = 0;
      }
      published.push_back(std::make_shared<const Event>(e));
    }
  }
  batch.SetHead(ws.id, events.back().seq(), events.back().hash());
  if (absl::Status s = store_.Commit(batch); !s.ok()) {
    absl::MutexLock lock(&ws.mu);
    ws.plan_stale = true;
    return s;
  }
  ws.registered = true;
  ws.tail_seq = events.back().seq();
  ws.tail_hash = events.back().hash();
  Publish(ws, published);
  if (loaded) EvictIdlePlans();
  return absl::OkStatus();
}

}  // namespace goalsync::server
