#include "server/log/group_commit.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/authz.h"
#include "core/envelope.h"
#include "core/refusal.h"
#include "core/timestamps.h"
#include "core/hash_chain.h"
#include "core/plan/kernel.h"
#include "core/plan/undo.h"
#include "server/store/keys.h"

namespace goalsync::server {

using goalsync::v1::AppendRequest;
using goalsync::v1::AppendResponse;
using goalsync::v1::Event;

GroupCommit::GroupCommit(LogStore& store, absl::Time now,
                         std::vector<std::shared_ptr<const GroupCommit>> in_flight,
                         uint64_t snapshot_bytes, uint64_t snapshot_every,
                         absl::Duration max_clock_skew)
    : store_(store),
      in_flight_(std::move(in_flight)),
      snapshot_bytes_(snapshot_bytes),
      snapshot_every_(snapshot_every),
      batch_(store),
      server_time_(core::ToTimestamp(now)),
      now_micros_(absl::ToUnixMicros(now)),
      max_skew_micros_(absl::ToInt64Microseconds(max_clock_skew)) {}

absl::Status GroupCommit::FindDuplicates(const Workspace& ws, const std::vector<std::string>& keys,
                                         std::vector<std::optional<uint64_t>>* seqs) {
  seqs->assign(keys.size(), std::nullopt);
  std::vector<size_t> on_disk;  // indexes of keys to look up in the store
  for (size_t i = 0; i < keys.size(); ++i) {
    if (auto it = staged_ids_.find(keys[i]); it != staged_ids_.end()) {
      (*seqs)[i] = it->second;
      continue;
    }
    for (const auto& group : in_flight_) {
      if (((*seqs)[i] = group->FindStaged(keys[i])).has_value()) break;
    }
    // A workspace not yet in meta has nothing on disk to collide with.
    if (!(*seqs)[i].has_value() && ws.registered) on_disk.push_back(i);
  }
  if (on_disk.empty()) return absl::OkStatus();
  // One batched lookup for the request: cheaper per key than a Get each.
  std::vector<absl::string_view> ids;
  ids.reserve(on_disk.size());
  for (size_t i : on_disk) ids.push_back(absl::string_view(keys[i]).substr(4));
  absl::StatusOr<std::vector<std::optional<uint64_t>>> found = store_.FindEventIds(ws.id, ids);
  if (!found.ok()) return found.status();
  for (size_t k = 0; k < on_disk.size(); ++k) (*seqs)[on_disk[k]] = (*found)[k];
  return absl::OkStatus();
}

absl::StatusOr<AppendResponse> GroupCommit::Stage(Workspace& ws, const AppendRequest& request,
                                                  const std::optional<Writer>& writer,
                                                  std::vector<EventPtr>* staged) {
  if (!ws.load_error.ok()) return ws.load_error;
  // Look everything up before staging anything, so that an error leaves no trace.
  AppendResponse response;
  std::vector<std::string> id_keys;
  id_keys.reserve(request.events_size());
  size_t fresh = 0;
  for (const Event& e : request.events()) id_keys.push_back(keys::EventIdKey(ws.id, e.event_id()));
  std::vector<std::optional<uint64_t>> dups;
  if (absl::Status st = FindDuplicates(ws, id_keys, &dups); !st.ok()) return st;
  for (const std::optional<uint64_t>& dup : dups) {
    auto* result = response.add_results();
    if (dup.has_value()) {
      result->set_seq(*dup);
      result->set_duplicate(true);
    } else {
      ++fresh;
    }
  }
  if (fresh > 0 && request.has_expected_seq() && request.expected_seq() != ws.tail_seq) {
    return absl::AbortedError(absl::StrCat(
        "expected_seq ", request.expected_seq(), " but the head of workspace ", ws.name,
        " is seq ", ws.tail_seq, " (hash ", absl::BytesToHexString(ws.tail_hash),
        "): read the new events and retry"));
  }
  if (max_skew_micros_ > 0) {
    for (int i = 0; i < request.events_size(); ++i) {
      const Event& e = request.events(i);
      if (response.results(i).duplicate() || !e.has_hlc()) continue;
      const int64_t ahead = static_cast<int64_t>(e.hlc().physical_micros()) -
                            static_cast<int64_t>(now_micros_);
      if (ahead > max_skew_micros_) {
        return core::AtEvent(core::WithReason(absl::FailedPreconditionError(absl::StrCat(
            "hlc is ", absl::FormatDuration(absl::Microseconds(ahead)),
            " ahead of the server clock (", core::kClockSkewMarker, " ",
            absl::FormatDuration(absl::Microseconds(max_skew_micros_)),
            "): fix the writer's clock or re-stamp the event and retry")),
            goalsync::v1::Refusal::CLOCK_SKEW), i);
      }
    }
  }
  // Seal and apply every new event in order; the kernel may refuse any of them, and then
  // the whole request is taken back.
  const uint64_t head_before = ws.tail_seq;
  const std::string hash_before = ws.tail_hash;
  const uint64_t bytes_before = ws.bytes_since_snapshot;
  std::vector<std::pair<std::shared_ptr<Event>, std::string>> sealed;
  std::vector<std::pair<uint64_t, std::string>> snapshots;
  absl::Status applied;
  {
    absl::MutexLock lock(&ws.mu);
    ws.mu.Await(absl::Condition(
        +[](Workspace* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->mu) { return w->readers_waiting == 0; },
        &ws));
    applied = ApplyAll(ws, request, response, writer, head_before, &sealed, &snapshots);
  }
  if (!applied.ok()) {
    ws.tail_seq = head_before;
    ws.tail_hash = hash_before;
    ws.bytes_since_snapshot = bytes_before;
    return applied;
  }
  if (fresh > 0 && std::find(touched_.begin(), touched_.end(), &ws) == touched_.end()) {
    touched_.push_back(&ws);
  }
  size_t next = 0;
  for (int i = 0; i < request.events_size(); ++i) {
    auto* result = response.mutable_results(i);
    if (result->duplicate()) continue;
    auto& [event, stored] = sealed[next++];
    batch_.AddEvent(ws.id, event->seq(), event->event_id(), core::GoalIdOf(event->payload()),
                    stored);
    result->set_seq(event->seq());
    staged_ids_[id_keys[i]] = event->seq();
    if (response.first_seq() == 0) response.set_first_seq(event->seq());
    response.set_last_seq(event->seq());
    staged->push_back(std::move(event));
  }
  for (const auto& [seq, bytes] : snapshots) batch_.PutSnapshot(ws.id, seq, bytes);
  response.set_head_seq(ws.tail_seq);
  return response;
}

absl::Status GroupCommit::ApplyAll(Workspace& ws, const AppendRequest& request,
                                   const AppendResponse& response,
                                   const std::optional<Writer>& writer, uint64_t head_before,
                                   std::vector<std::pair<std::shared_ptr<Event>, std::string>>* sealed,
                                   std::vector<std::pair<uint64_t, std::string>>* snapshots) {
  // A lone event needs no undo: the kernel validates fully before it changes anything.
  const bool batch = request.events_size() > 1;
  std::vector<core::UndoRecord> undo;
  if (batch) undo.reserve(request.events_size());
  for (int i = 0; i < request.events_size(); ++i) {
    if (response.results(i).duplicate()) continue;
    std::string stored;
    std::shared_ptr<Event> event = Sign(ws, request.events(i), /*base_seq=*/ws.tail_seq, writer, &stored);
    if (batch) undo.push_back(core::Save(*event, ws.plan));
    absl::Status s = writer.has_value()
                         ? core::AuthorizeEvent(writer->role, writer->actor, *event, ws.plan)
                         : absl::OkStatus();
    if (s.ok()) s = core::Apply(*event, &ws.plan);
    if (!s.ok()) {
      // The refused event changed nothing; take back the ones before it, newest first.
      if (batch) undo.pop_back();
      while (!undo.empty()) {
        core::Restore(std::move(undo.back()), &ws.plan);
        undo.pop_back();
      }
      return core::AtEvent(s, i);
    }
    ws.bytes_since_snapshot += stored.size();
    const bool by_size = snapshot_bytes_ > 0 && ws.bytes_since_snapshot >= snapshot_bytes_;
    const bool by_count = snapshot_every_ > 0 && event->seq() % snapshot_every_ == 0;
    if (by_size || by_count) {
      snapshots->emplace_back(event->seq(), core::SerializeState(ws.plan));
      ws.bytes_since_snapshot = 0;
    }
    sealed->emplace_back(std::move(event), std::move(stored));
  }
  return absl::OkStatus();
}

std::shared_ptr<Event> GroupCommit::Sign(Workspace& ws, const Event& submitted,
                                         uint64_t base_seq, const std::optional<Writer>& writer,
                                         std::string* stored) {
  auto event = std::make_shared<Event>(submitted);
  if (writer.has_value()) event->set_actor(writer->actor);
  event->set_workspace(ws.name);
  event->set_seq(ws.tail_seq + 1);
  if (event->schema_version() == 0) event->set_schema_version(core::kSchemaVersion);
  if (!event->has_hlc()) event->mutable_hlc()->set_physical_micros(now_micros_);
  if (!event->has_base_seq()) event->set_base_seq(base_seq);
  *event->mutable_server_time() = server_time_;
  event->set_prev_hash(ws.tail_hash.empty() ? core::GenesisHash() : ws.tail_hash);
  *stored = core::SealEvent(event.get());
  ws.tail_seq = event->seq();
  ws.tail_hash = event->hash();
  return event;
}

std::optional<uint64_t> GroupCommit::FindStaged(const std::string& key) const {
  if (auto it = staged_ids_.find(key); it != staged_ids_.end()) return it->second;
  return std::nullopt;
}

void GroupCommit::Seal() {
  for (Workspace* ws : touched_) {
    if (!ws->registered) {
      batch_.RegisterWorkspace(ws->name, ws->id);
      ws->registered = true;
    }
    batch_.SetHead(ws->id, ws->tail_seq, ws->tail_hash);
  }
}

}  // namespace goalsync::server
