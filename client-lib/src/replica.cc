#include "goalsync/replica.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <future>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "core/envelope.h"
#include "core/hash_chain.h"
#include "core/hlc.h"
#include "core/plan/kernel.h"
#include "core/plan/undo.h"
#include "core/plan/queries.h"
#include "core/plan/queries_views.h"
#include "core/plan/state_pages.h"
#include "core/plan/tree.h"
#include "core/timestamps.h"
#include "goalsync/log_client.h"
#include "goalsync/server_group.h"
#include "replica_store.h"

namespace goalsync::client {

using namespace goalsync::v1;  // NOLINT: the generated messages

namespace {

// Confirmed events are folded and written in chunks of this many (one WriteBatch each).
constexpr size_t kApplyChunk = 1000;
// A snapshot of the confirmed state is stored every this many confirmed events, so that
// opening the replica and StateAsOf replay at most this many (about 50 ms); each costs an
// encoding of the whole plan.
constexpr uint64_t kSnapshotEvery = 50000;
// Bytes of events one push request carries at most (it always carries one).
constexpr size_t kMaxPushBytes = 3 << 20;

const absl::Status& StatusOf(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& StatusOf(const absl::StatusOr<T>& s) { return s.status(); }

bool Transient(const absl::Status& s) {
  return absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s);
}

// What a refused push means for the outbox, from the server's Refusal (errors.proto).
enum class PushVerdict {
  kKeep,     // the transport, the token or the server: the outbox stays, the error returns
  kRestamp,  // our clock is off: re-stamp the pending edits and push again
  kRefused,  // the edit itself is refused (a rule, a role, its size): it leaves the outbox
};

PushVerdict VerdictOf(const Refusal& refusal) {
  switch (refusal.reason()) {
    case Refusal::CLOCK_SKEW: return PushVerdict::kRestamp;
    case Refusal::INVALID:
    case Refusal::UNPARSEABLE:
    case Refusal::FORBIDDEN:  // a role that may not append here will not, however often asked
    case Refusal::NOT_FOUND:
    case Refusal::PRECONDITION:
    case Refusal::ALREADY_EXISTS:
    case Refusal::OUT_OF_RANGE:
    case Refusal::TOO_LARGE:
      return PushVerdict::kRefused;
    default:
      return PushVerdict::kKeep;
  }
}

// The server's message without the "events[i]: " it put in front for people: the index is
// relative to a request the user never saw.
std::string ReasonText(const absl::Status& s, const Refusal& refusal) {
  absl::string_view m = s.message();
  if (refusal.has_event_index()) {
    absl::ConsumePrefix(&m, absl::StrCat("events[", refusal.event_index(), "]: "));
  }
  return std::string(m);
}

}  // namespace

struct Replica::Impl {
  ReplicaOptions options;
  std::unique_ptr<ReplicaStore> store;
  std::unique_ptr<LogClient> client;  // null: offline only

  mutable absl::Mutex mu;
  ReplicaMeta meta ABSL_GUARDED_BY(mu);
  PlanState confirmed ABSL_GUARDED_BY(mu);
  // confirmed + outbox; only kept while the outbox is not empty (Shown() is confirmed then),
  // so that catching up copies no state.
  PlanState shown ABSL_GUARDED_BY(mu);
  std::vector<std::pair<uint64_t, Event>> outbox ABSL_GUARDED_BY(mu);  // in edit order
  std::vector<std::pair<uint64_t, RejectedEdit>> rejected ABSL_GUARDED_BY(mu);
  std::vector<std::pair<std::string, std::string>> stale ABSL_GUARDED_BY(mu);
  // Set when a write to the store failed after the in-memory state moved on: every later
  // edit and sync answers it until the replica is reopened (which reloads from the store).
  absl::Status broken ABSL_GUARDED_BY(mu);

  // One pull or push at a time (Sync, Pull, Push and live mode's pusher).
  absl::Mutex sync_mu;

  // Live mode.
  absl::Mutex live_mu;
  absl::CondVar live_cv;
  bool live_stop ABSL_GUARDED_BY(live_mu) = false;
  bool push_wanted ABSL_GUARDED_BY(live_mu) = false;
  std::unique_ptr<Cancellation> cancellation;
  std::thread subscriber, pusher;
  std::atomic<bool> live{false};
  std::function<void(const absl::Status&)> on_live_error;  // set before the threads start
  // The error that stopped live mode (OK: none).
  absl::Status live_error ABSL_GUARDED_BY(live_mu);

  const PlanState& Shown() const ABSL_SHARED_LOCKS_REQUIRED(mu) {
    return outbox.empty() ? confirmed : shown;
  }

  absl::Time Wall() const { return options.clock ? options.clock() : absl::Now(); }

  uint64_t NowMicros() const ABSL_SHARED_LOCKS_REQUIRED(mu) {
    const int64_t t = absl::ToUnixMicros(Wall()) + meta.clock_offset_micros();
    return t < 0 ? 0 : static_cast<uint64_t>(t);
  }

  absl::Status Load();
  absl::Status UpgradeLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  void RebuildShown() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  absl::Status SubmitLocked(Payload payload) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  // Checks, folds and stores confirmed events; `encodings` (if given) are their bytes as the
  // server stored them, checked and stored as they are.
  absl::Status ApplyConfirmed(const std::vector<Event>& events,
                              const std::vector<std::string>* encodings, const SyncOptions& options,
                              uint64_t total, uint64_t* done) ABSL_LOCKS_EXCLUDED(mu);
  absl::StatusOr<SyncReport> PullLocked(const SyncOptions& options)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu);
  absl::StatusOr<SyncReport> PushLocked(const SyncOptions& options)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(sync_mu);
  absl::Status Reject(uint64_t key, const absl::Status& why, const Refusal& refusal)
      ABSL_LOCKS_EXCLUDED(mu);
  absl::StatusOr<uint64_t> Restamp() ABSL_LOCKS_EXCLUDED(mu);
  absl::Status NeedServer() const;
  template <typename Fn>
  auto WithRetry(const SyncOptions& options, Fn fn) -> decltype(fn());
  void RunSubscriber(std::function<void(const Event&)> on_event);
  void RunPusher();
  void ReportLive(const absl::Status& s);
  void StopLiveFor(const absl::Status& s);
  bool SleepUnlessStopped(absl::Duration d);
};

absl::Status Replica::Impl::NeedServer() const {
  if (client) return absl::OkStatus();
  return absl::FailedPreconditionError(
      "this replica has no server address: edits stay in the outbox until it is opened with one");
}

template <typename Fn>
auto Replica::Impl::WithRetry(const SyncOptions& o, Fn fn) -> decltype(fn()) {
  absl::Duration wait = o.initial_backoff;
  for (int attempt = 1;; ++attempt) {
    auto result = fn();
    if (result.ok() || !Transient(StatusOf(result)) || attempt >= std::max(1, o.max_attempts)) {
      return result;
    }
    absl::SleepFor(wait);
    wait = std::min(wait * 2, o.max_backoff);
  }
}

absl::Status Replica::Impl::Load() {
  absl::MutexLock lock(&mu);
  absl::StatusOr<std::optional<ReplicaMeta>> loaded = store->LoadMeta();
  if (!loaded.ok()) return loaded.status();
  if (!options.replica_id.empty()) {
    if (absl::Status s = core::ValidateId("replica_id", options.replica_id); !s.ok()) return s;
  }
  if (!loaded->has_value()) {
    meta.set_format_version(kReplicaFormatVersion);
    meta.set_workspace(options.workspace);
    meta.set_replica_id(options.replica_id.empty() ? NewEventId() : options.replica_id);
    meta.set_log_from(1);
    ReplicaStore::Batch batch(*store);
    batch.PutMeta(meta);
    if (absl::Status s = store->Commit(batch, /*sync=*/true); !s.ok()) return s;
  } else {
    meta = std::move(**loaded);
    if (meta.format_version() > kReplicaFormatVersion) {
      return absl::FailedPreconditionError(absl::StrCat(
          "replica directory ", options.dir, " has format ", meta.format_version(),
          "; this goalsync understands up to ", kReplicaFormatVersion, ": upgrade goalsync"));
    }
    if (meta.workspace() != options.workspace) {
      return absl::FailedPreconditionError(absl::StrCat(
          "replica directory ", options.dir, " holds workspace ", meta.workspace(), ", not ",
          options.workspace, ": use another directory for another workspace"));
    }
    if (!options.replica_id.empty() && meta.replica_id() != options.replica_id) {
      return absl::FailedPreconditionError(absl::StrCat(
          "replica directory ", options.dir, " is replica ", meta.replica_id(), ", not ",
          options.replica_id, ": open it without a replica id, or use another directory"));
    }
    if (meta.format_version() < kReplicaFormatVersion) {
      if (absl::Status s = UpgradeLocked(); !s.ok()) return s;
    }
  }
  confirmed.set_workspace(meta.workspace());
  uint64_t from = meta.log_from();
  absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> snap =
      store->SnapshotAtOrBefore(meta.confirmed_seq());
  if (!snap.ok()) return snap.status();
  if (snap->has_value()) {
    if (!confirmed.ParseFromString((*snap)->second)) {
      return absl::DataLossError(absl::StrCat("replica snapshot at seq ", (*snap)->first,
                                              " is corrupt: remove ", options.dir,
                                              " and sync again"));
    }
    from = (*snap)->first + 1;
  }
  absl::Status scanned = store->ScanLog(from, [&](const Event& e) -> absl::StatusOr<bool> {
    if (e.seq() > meta.confirmed_seq()) return false;
    if (absl::Status s = core::Apply(e, &confirmed); !s.ok()) {
      return absl::DataLossError(absl::StrCat("replica log event ", e.seq(),
                                              " no longer applies: ", s.message()));
    }
    return true;
  });
  if (!scanned.ok()) return scanned;
  if (confirmed.seq() != meta.confirmed_seq()) {
    return absl::DataLossError(absl::StrCat("replica log ends at seq ", confirmed.seq(),
                                            " but seq ", meta.confirmed_seq(),
                                            " was confirmed: remove ", options.dir,
                                            " and sync again"));
  }
  absl::StatusOr<std::vector<std::pair<uint64_t, Event>>> out = store->LoadOutbox();
  if (!out.ok()) return out.status();
  outbox = std::move(*out);
  absl::StatusOr<std::vector<std::pair<uint64_t, RejectedEdit>>> rej = store->LoadRejected();
  if (!rej.ok()) return rej.status();
  rejected = std::move(*rej);
  RebuildShown();
  return absl::OkStatus();
}

absl::Status Replica::Impl::UpgradeLocked() {
  // Format 1 snapshots are of the old plan shape: drop them. A log from seq 1 folds again;
  // one that began at a server snapshot cannot, so the confirmed part is forgotten and the
  // next sync joins again (the outbox and the rejected list are kept).
  ReplicaStore::Batch batch(*store);
  batch.ClearSnapshots();
  if (meta.log_from() > 1) {
    batch.ClearLog();
    meta.set_confirmed_seq(0);
    meta.clear_confirmed_hash();
    meta.set_log_from(1);
    meta.set_snapshot_seq(0);
  }
  meta.set_format_version(kReplicaFormatVersion);
  batch.PutMeta(meta);
  return store->Commit(batch, /*sync=*/true);
}

void Replica::Impl::RebuildShown() {
  stale.clear();
  if (outbox.empty()) {
    shown.Clear();
    return;
  }
  shown = confirmed;
  for (const auto& [key, pending] : outbox) {
    Event e = pending;
    e.set_seq(shown.seq() + 1);
    if (absl::Status s = core::Apply(e, &shown); !s.ok()) {
      stale.emplace_back(e.event_id(), std::string(s.message()));
    }
  }
}

absl::Status Replica::Impl::SubmitLocked(Payload payload) {
  if (!broken.ok()) return broken;
  Event e;
  e.set_workspace(meta.workspace());
  e.set_event_id(NewEventId());
  e.set_actor(options.actor);
  e.set_replica_id(meta.replica_id());
  *e.mutable_hlc() = core::HlcTick(meta.hlc(), NowMicros());
  e.set_base_seq(meta.confirmed_seq());
  *e.mutable_payload() = std::move(payload);
  if (absl::Status s = core::ValidateSubmittedEvent(e, meta.workspace()); !s.ok()) return s;
  if (outbox.empty()) shown = confirmed;
  Event applied = e;
  applied.set_seq(shown.seq() + 1);
  core::UndoRecord checkpoint = core::Save(applied, shown);
  if (absl::Status s = core::Apply(applied, &shown); !s.ok()) return s;
  ReplicaMeta next = meta;
  *next.mutable_hlc() = e.hlc();
  const uint64_t key = next.next_outbox();
  next.set_next_outbox(key + 1);
  ReplicaStore::Batch batch(*store);
  batch.PutOutbox(key, e);
  batch.PutMeta(next);
  if (absl::Status s = store->Commit(batch, /*sync=*/true); !s.ok()) {
    core::Restore(std::move(checkpoint), &shown);
    return s;
  }
  meta = std::move(next);
  outbox.emplace_back(key, std::move(e));
  return absl::OkStatus();
}

absl::Status Replica::Impl::ApplyConfirmed(const std::vector<Event>& events,
                                           const std::vector<std::string>* encodings,
                                           const SyncOptions& o, uint64_t total,
                                           uint64_t* done) {
  for (size_t begin = 0; begin < events.size(); begin += kApplyChunk) {
    const size_t end = std::min(events.size(), begin + kApplyChunk);
    absl::MutexLock lock(&mu);
    ReplicaMeta next = meta;
    ReplicaStore::Batch batch(*store);
    absl::flat_hash_map<std::string, uint64_t> mine;  // our pending event_id -> outbox key
    for (const auto& [key, e] : outbox) mine.emplace(e.event_id(), key);
    std::vector<uint64_t> confirmed_keys;
    std::string encoding;  // of the event at hand: verified, then stored as is
    // An event that does not chain or apply stops the chunk; the events before it are
    // folded and written (they are the server's, in order), so no checkpoints are needed.
    absl::Status failed;
    size_t i = begin;
    for (; i < end; ++i) {
      const Event& e = events[i];
      if (e.seq() <= next.confirmed_seq()) continue;  // already folded (overlapping pulls)
      const std::string& prev = next.confirmed_seq() == 0 ? core::GenesisHash()
                                                          : next.confirmed_hash();
      const bool hashed = encodings != nullptr ? core::VerifyEncodedEvent((*encodings)[i], e)
                                               : core::VerifyEventHash(e, &encoding);
      if (e.seq() != next.confirmed_seq() + 1 || e.prev_hash() != prev || !hashed) {
        failed = absl::DataLossError(absl::StrCat(
            "the server sent seq ", e.seq(), " which does not extend this replica's chain at seq ",
            next.confirmed_seq(), ": the server's log was rewritten, or this replica was made "
            "against another server (check with goalsyncd verify)"));
        break;
      }
      if (absl::Status s = core::Apply(e, &confirmed); !s.ok()) {
        failed = absl::InternalError(absl::StrCat("committed event ", e.seq(),
                                                  " does not apply here (", s.message(),
                                                  "): this goalsync is older than the server's"));
        break;
      }
      batch.AddLogBytes(e.seq(), encodings != nullptr ? (*encodings)[i] : encoding);
      next.set_confirmed_seq(e.seq());
      next.set_confirmed_hash(e.hash());
      if (core::HlcLess(next.confirmed_hlc(), e.hlc())) *next.mutable_confirmed_hlc() = e.hlc();
      *next.mutable_hlc() = core::HlcObserve(next.hlc(), e.hlc());
      if (e.replica_id() == meta.replica_id()) {
        if (auto it = mine.find(e.event_id()); it != mine.end()) {
          batch.DeleteOutbox(it->second);
          confirmed_keys.push_back(it->second);
        }
      }
    }
    if (next.confirmed_seq() >= next.snapshot_seq() + kSnapshotEvery) {
      batch.PutSnapshot(next.confirmed_seq(), core::SerializeState(confirmed));
      next.set_snapshot_seq(next.confirmed_seq());
    }
    batch.PutMeta(next);
    if (absl::Status s = store->Commit(batch, /*sync=*/false); !s.ok()) {
      broken = absl::UnavailableError(absl::StrCat(
          "the replica store failed a write (", s.message(), "): reopen the replica"));
      return broken;
    }
    meta = std::move(next);
    if (!confirmed_keys.empty()) {
      std::erase_if(outbox, [&](const auto& entry) {
        return std::find(confirmed_keys.begin(), confirmed_keys.end(), entry.first) !=
               confirmed_keys.end();
      });
    }
    *done += i - begin;
    if (o.on_progress) o.on_progress(std::min(*done, total), total);
    if (!failed.ok()) {
      RebuildShown();
      return failed;
    }
  }
  absl::MutexLock lock(&mu);
  RebuildShown();
  return absl::OkStatus();
}

absl::StatusOr<SyncReport> Replica::Impl::PullLocked(const SyncOptions& o) {
  if (absl::Status s = NeedServer(); !s.ok()) return s;
  {
    absl::MutexLock lock(&mu);
    if (!broken.ok()) return broken;
  }
  SyncReport report;
  absl::StatusOr<HeadResponse> head =
      WithRetry(o, [&] { return client->Head(options.workspace); });
  if (!head.ok()) return head.status();
  uint64_t confirmed_seq;
  {
    absl::MutexLock lock(&mu);
    confirmed_seq = meta.confirmed_seq();
  }
  if (head->seq() < confirmed_seq) {
    return absl::DataLossError(absl::StrCat(
        "the server's workspace ", options.workspace, " ends at seq ", head->seq(),
        " but this replica confirmed seq ", confirmed_seq,
        ": the server lost events, or this replica belongs to another server"));
  }
  if (head->seq() == confirmed_seq && confirmed_seq > 0) {
    absl::MutexLock lock(&mu);
    if (head->hash() != meta.confirmed_hash()) {
      return absl::DataLossError(absl::StrCat(
          "the server's event ", confirmed_seq, " is not the one this replica confirmed: the "
          "server's log was rewritten or replaced; move ", options.dir, " aside and sync again"));
    }
  }
  const uint64_t behind = head->seq() - confirmed_seq;
  if (o.snapshot_threshold > 0 && behind >= o.snapshot_threshold) {
    // Far behind: start from the server's plan now (paged, each page retried on its own),
    // then read the tail.
    GetStateRequest request;
    request.set_workspace(options.workspace);
    PlanState paged;
    std::string head_hash;
    do {
      absl::StatusOr<GetStateResponse> page = WithRetry(o, [&] { return client->GetStatePage(request); });
      if (!page.ok()) return page.status();
      if (absl::Status s = core::MergeStatePage(std::move(*page->mutable_state()), &paged); !s.ok()) {
        return s;
      }
      head_hash = page->head_hash();
      request.set_page_token(page->next_page_token());
    } while (!request.page_token().empty());
    absl::StatusOr<PlanState> state = std::move(paged);
    const uint64_t at = state->seq();
    absl::StatusOr<Event> last = WithRetry(o, [&]() -> absl::StatusOr<Event> {
      Event found;
      absl::Status s = client->Read(options.workspace, at, 1, [&](const Event& e) {
        found = e;
        return absl::OkStatus();
      });
      if (!s.ok()) return s;
      if (found.seq() != at) return absl::DataLossError(absl::StrCat("the server has no event ", at));
      return found;
    });
    if (!last.ok()) return last.status();
    if (last->hash() != head_hash || core::ComputeEventHash(*last) != last->hash()) {
      return absl::DataLossError(absl::StrCat(
          "the server's plan of ", options.workspace, " was cut at seq ", at,
          " but its event ", at, " has another hash: retry the sync; if it persists, the "
          "server's log was rewritten"));
    }
    absl::MutexLock lock(&mu);
    if (at > meta.confirmed_seq()) {
      ReplicaMeta next = meta;
      next.set_confirmed_seq(at);
      next.set_confirmed_hash(last->hash());
      next.set_log_from(at + 1);
      next.set_snapshot_seq(at);
      *next.mutable_confirmed_hlc() = last->hlc();
      *next.mutable_hlc() = core::HlcObserve(next.hlc(), last->hlc());
      ReplicaStore::Batch batch(*store);
      batch.ClearLog();
      batch.PutSnapshot(at, core::SerializeState(*state));
      batch.PutMeta(next);
      if (absl::Status s = store->Commit(batch, /*sync=*/true); !s.ok()) return s;
      meta = std::move(next);
      confirmed = std::move(*state);
      report.pulled += at - confirmed_seq;
      report.from_snapshot = true;
      confirmed_seq = at;
      RebuildShown();
    }
  }
  const uint64_t total = head->seq() > confirmed_seq ? head->seq() - confirmed_seq : 0;
  uint64_t done = 0;
  // Read to the head as it was, in pages. The next page is read (on another thread) while
  // this one is checked, folded and written: the wire and the fold overlap.
  const uint64_t until = head->seq();
  // A page: the events as the server stored them, and parsed.
  struct Page {
    std::vector<std::string> encoded;
    std::vector<Event> events;
  };
  auto read_page = [this, &o, until](uint64_t from) -> absl::StatusOr<Page> {
    Page page;
    if (from > until) return page;
    absl::Status read = WithRetry(o, [&] {
      page.encoded.clear();
      page.events.clear();
      const uint64_t limit = std::min<uint64_t>(10 * kApplyChunk, until - from + 1);
      page.encoded.reserve(limit);
      page.events.reserve(limit);
      return client->ReadEncoded(options.workspace, from, limit, [&](std::string&& bytes) {
        if (!page.events.emplace_back().ParseFromString(bytes)) {
          return absl::DataLossError(absl::StrCat("the server sent an event after seq ",
                                                  from + page.encoded.size() - 1,
                                                  " that does not parse"));
        }
        page.encoded.push_back(std::move(bytes));
        return absl::OkStatus();
      });
    });
    if (!read.ok()) return read;
    return page;
  };
  uint64_t from;
  {
    absl::MutexLock lock(&mu);
    from = meta.confirmed_seq() + 1;
  }
  absl::StatusOr<Page> page = read_page(from);
  while (page.ok() && !page->events.empty()) {
    const uint64_t next_from = page->events.back().seq() + 1;
    std::future<absl::StatusOr<Page>> next = std::async(std::launch::async, read_page, next_from);
    absl::Status applied = ApplyConfirmed(page->events, &page->encoded, o, total, &done);
    absl::StatusOr<Page> following = next.get();  // joined before returning
    if (!applied.ok()) return applied;
    report.pulled += page->events.size();
    page = std::move(following);
  }
  if (!page.ok()) return page.status();
  absl::MutexLock lock(&mu);
  report.head = meta.confirmed_seq();
  return report;
}

absl::Status Replica::Impl::Reject(uint64_t key, const absl::Status& why,
                                   const Refusal& refusal) {
  absl::MutexLock lock(&mu);
  auto it = std::find_if(outbox.begin(), outbox.end(), [&](const auto& e) { return e.first == key; });
  if (it == outbox.end()) return absl::OkStatus();
  RejectedEdit edit;
  *edit.mutable_event() = it->second;
  edit.set_code(static_cast<int32_t>(why.code()));
  edit.set_reason(ReasonText(why, refusal));
  *edit.mutable_refusal() = refusal;
  *edit.mutable_rejected_at() = core::ToTimestamp(Wall());
  ReplicaMeta next = meta;
  const uint64_t rkey = next.next_rejected();
  next.set_next_rejected(rkey + 1);
  ReplicaStore::Batch batch(*store);
  batch.DeleteOutbox(key);
  batch.PutRejected(rkey, edit);
  batch.PutMeta(next);
  if (absl::Status s = store->Commit(batch, /*sync=*/true); !s.ok()) return s;
  meta = std::move(next);
  outbox.erase(it);
  rejected.emplace_back(rkey, std::move(edit));
  RebuildShown();
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> Replica::Impl::Restamp() {
  absl::StatusOr<HeadResponse> head = client->Head(options.workspace);
  if (!head.ok()) return head.status();
  absl::MutexLock lock(&mu);
  ReplicaMeta next = meta;
  next.set_clock_offset_micros(absl::ToUnixMicros(core::FromTimestamp(head->server_time())) -
                               absl::ToUnixMicros(Wall()));
  // Readings given out under the wrong clock are taken back: pending edits are stamped
  // again after everything confirmed.
  *next.mutable_hlc() = next.confirmed_hlc();
  meta.set_clock_offset_micros(next.clock_offset_micros());
  ReplicaStore::Batch batch(*store);
  std::vector<std::pair<uint64_t, Event>> stamped = outbox;
  for (auto& [key, e] : stamped) {
    *e.mutable_hlc() = core::HlcTick(next.hlc(), NowMicros());
    *next.mutable_hlc() = e.hlc();
    batch.PutOutbox(key, e);
  }
  batch.PutMeta(next);
  if (absl::Status s = store->Commit(batch, /*sync=*/true); !s.ok()) return s;
  meta = std::move(next);
  outbox = std::move(stamped);
  RebuildShown();
  return outbox.size();
}

absl::StatusOr<SyncReport> Replica::Impl::PushLocked(const SyncOptions& o) {
  if (absl::Status s = NeedServer(); !s.ok()) return s;
  SyncReport report;
  std::deque<std::pair<uint64_t, Event>> pending;
  uint64_t confirmed_seq;
  {
    absl::MutexLock lock(&mu);
    pending.assign(outbox.begin(), outbox.end());
    confirmed_seq = meta.confirmed_seq();
  }
  const size_t batch_max = static_cast<size_t>(std::max(1, o.push_batch));
  size_t next_size = batch_max;
  bool restamped = false;
  while (!pending.empty()) {
    AppendRequest request;
    request.set_workspace(options.workspace);
    // At most next_size events, and no more once kMaxPushBytes are in (at least one event):
    // a request stays under the server's 4 MiB limit.
    size_t n = 0, bytes = 0;
    while (n < std::min(pending.size(), next_size) && (n == 0 || bytes < kMaxPushBytes)) {
      bytes += pending[n].second.ByteSizeLong();
      *request.add_events() = pending[n++].second;
    }
    absl::StatusOr<AppendResponse> response = WithRetry(o, [&] { return client->Append(request); });
    if (response.ok()) {
      std::vector<uint64_t> done;  // already committed before this sync saw them
      for (size_t i = 0; i < n; ++i) {
        const AppendResult& r = response->results(static_cast<int>(i));
        if (!r.duplicate()) ++report.pushed;
        if (r.duplicate() && r.seq() <= confirmed_seq) done.push_back(pending[i].first);
      }
      if (!done.empty()) {
        absl::MutexLock lock(&mu);
        ReplicaStore::Batch batch(*store);
        for (uint64_t key : done) batch.DeleteOutbox(key);
        if (absl::Status s = store->Commit(batch, /*sync=*/true); !s.ok()) return s;
        std::erase_if(outbox, [&](const auto& e) {
          return std::find(done.begin(), done.end(), e.first) != done.end();
        });
        RebuildShown();
      }
      pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(n));
      next_size = batch_max;
      continue;
    }
    const absl::Status& s = response.status();
    const Refusal refusal = RefusalOf(s);
    const PushVerdict verdict = VerdictOf(refusal);
    if (verdict == PushVerdict::kRestamp && !restamped) {
      absl::StatusOr<uint64_t> count = Restamp();
      if (!count.ok()) return count.status();
      report.restamped += *count;
      restamped = true;
      absl::MutexLock lock(&mu);
      pending.assign(outbox.begin(), outbox.end());
      continue;
    }
    // A second skew after re-stamping is the edit's own: refused like any other, so that
    // the edits behind it go on.
    if (verdict == PushVerdict::kKeep) return s;
    const int index = refusal.has_event_index() ? refusal.event_index() : -1;
    if (index > 0 && static_cast<size_t>(index) < n) {
      next_size = static_cast<size_t>(index);  // send the good prefix alone
      continue;
    }
    if (index != 0 && n > 1) {
      next_size = 1;  // cannot tell which: one at a time
      continue;
    }
    if (absl::Status r = Reject(pending.front().first, s, refusal); !r.ok()) return r;
    ++report.rejected;
    pending.pop_front();
    next_size = batch_max;
  }
  absl::MutexLock lock(&mu);
  report.head = meta.confirmed_seq();
  return report;
}

// --- Replica ------------------------------------------------------------------------

Replica::Replica(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Replica::~Replica() { StopLive(); }

absl::StatusOr<std::unique_ptr<Replica>> Replica::Open(ReplicaOptions options) {
  if (options.dir.empty()) return absl::InvalidArgumentError("replica directory is empty");
  if (absl::Status s = core::ValidateWorkspaceName(options.workspace); !s.ok()) return s;
  if (options.actor.empty()) {
    return absl::InvalidArgumentError("no actor: say who makes the edits recorded here");
  }
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  absl::StatusOr<std::unique_ptr<ReplicaStore>> store = ReplicaStore::Open(impl->options.dir);
  if (!store.ok()) return store.status();
  impl->store = std::move(*store);
  if (!impl->options.server.empty()) {
    // A list of servers (a replica group): pushes follow its leader; the outbox keeps what
    // a failover refused (NOT_LEADER, UNAVAILABLE) for the next sync.
    absl::StatusOr<std::unique_ptr<LogClient>> client = ConnectLogClient(
        impl->options.server, {.token = impl->options.token, .tls_ca_file = impl->options.tls_ca_file});
    if (!client.ok()) return client.status();
    impl->client = std::move(*client);
  }
  if (absl::Status s = impl->Load(); !s.ok()) return s;
  return std::unique_ptr<Replica>(new Replica(std::move(impl)));
}

absl::Status Replica::Submit(Payload payload) {
  {
    absl::MutexLock lock(&impl_->mu);
    if (absl::Status s = impl_->SubmitLocked(std::move(payload)); !s.ok()) return s;
  }
  if (impl_->live) {
    absl::MutexLock lock(&impl_->live_mu);
    impl_->push_wanted = true;
    impl_->live_cv.Signal();
  }
  return absl::OkStatus();
}

#define GOALSYNC_RECORD_(Type, field)                      \
  absl::Status Replica::Record(goalsync::v1::Type body) {  \
    Payload p;                                             \
    *p.mutable_##field() = std::move(body);                \
    return Submit(std::move(p));                           \
  }
GOALSYNC_PAYLOAD_TYPES(GOALSYNC_RECORD_)
#undef GOALSYNC_RECORD_

absl::Status Replica::SetGoalField(const std::string& goal_id, const std::string& field,
                                   const std::string& value) {
  GoalFieldSet set;
  set.set_goal_id(goal_id);
  set.set_field(field);
  set.set_value(value);
  return Record(std::move(set));
}

PlanState Replica::State() const {
  absl::MutexLock lock(&impl_->mu);
  return impl_->Shown();
}

PlanState Replica::ConfirmedState() const {
  absl::MutexLock lock(&impl_->mu);
  return impl_->confirmed;
}

absl::StatusOr<Goal> Replica::GetGoal(const std::string& goal_id) const {
  absl::MutexLock lock(&impl_->mu);
  return core::FindGoal(impl_->Shown(), goal_id);
}

ListGoalsResponse Replica::ListGoals(const ListGoalsRequest& r) const {
  absl::MutexLock lock(&impl_->mu);
  return core::ListGoals(impl_->Shown(), r);
}

absl::StatusOr<std::vector<Goal>> Replica::Tree(const std::string& root_id) const {
  absl::MutexLock lock(&impl_->mu);
  if (absl::StatusOr<Goal> g = core::FindGoal(impl_->Shown(), root_id); !g.ok()) return g.status();
  std::vector<Goal> out;
  for (const Goal* g : core::Subtree(impl_->Shown(), root_id)) out.push_back(*g);
  return out;
}

absl::StatusOr<GetProgressResponse> Replica::Progress(const GetProgressRequest& r) const {
  absl::MutexLock lock(&impl_->mu);
  return core::ProgressReport(impl_->Shown(), r);
}

absl::StatusOr<GetHistoryResponse> Replica::History(const GetHistoryRequest& r) const {
  absl::MutexLock lock(&impl_->mu);
  const size_t limit = r.limit() == 0 ? 1000 : r.limit();
  GetHistoryResponse out;
  absl::Status s = impl_->store->ScanLog(impl_->meta.log_from(), [&](const Event& e)
                                                                    -> absl::StatusOr<bool> {
    if (e.seq() > impl_->meta.confirmed_seq()) return false;
    if (core::HistoryMatches(e, r, impl_->confirmed)) *out.add_events() = e;
    return static_cast<size_t>(out.events_size()) < limit;
  });
  if (!s.ok()) return s;
  return out;
}

absl::StatusOr<BlameResponse> Replica::Blame(const std::string& goal_id) const {
  absl::StatusOr<BlameResponse> out;
  {
    absl::MutexLock lock(&impl_->mu);
    out = core::Blame(impl_->Shown(), goal_id);
  }
  // The values before each change, from the plan as of the seq before it (StateAsOf locks).
  if (out.ok()) core::AddPreviousValues(goal_id, [this](uint64_t seq) { return StateAsOf(seq); }, &*out);
  return out;
}

std::vector<Conflict> Replica::Conflicts(bool include_resolved) const {
  absl::MutexLock lock(&impl_->mu);
  std::vector<Conflict> out;
  for (const Conflict& c : impl_->Shown().conflicts()) {
    if (include_resolved || !c.resolved()) out.push_back(c);
  }
  return out;
}

absl::StatusOr<PlanState> Replica::StateAsOf(uint64_t seq) const {
  absl::MutexLock lock(&impl_->mu);
  const ReplicaMeta& meta = impl_->meta;
  if (seq > meta.confirmed_seq()) {
    return absl::OutOfRangeError(absl::StrCat("seq ", seq, " is past this replica's confirmed seq ",
                                              meta.confirmed_seq(), ": sync first"));
  }
  PlanState state;
  state.set_workspace(meta.workspace());
  uint64_t from = 1;
  absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> snap =
      impl_->store->SnapshotAtOrBefore(seq);
  if (!snap.ok()) return snap.status();
  if (snap->has_value()) {
    if (!state.ParseFromString((*snap)->second)) {
      return absl::DataLossError(absl::StrCat("replica snapshot at seq ", (*snap)->first, " is corrupt"));
    }
    from = (*snap)->first + 1;
  } else if (meta.log_from() > 1) {
    // The replica joined from the server's plan and holds no history before it: the server
    // does (paged, like a join).
    if (impl_->client != nullptr) return impl_->client->GetState(meta.workspace(), seq);
    return absl::FailedPreconditionError(absl::StrCat(
        "this replica's history starts at seq ", meta.log_from(),
        " (it started from a server snapshot) and it has no server to ask for older states: "
        "give it --server, or sync --full for the whole history"));
  }
  absl::Status s = impl_->store->ScanLog(from, [&](const Event& e) -> absl::StatusOr<bool> {
    if (e.seq() > seq) return false;
    if (absl::Status a = core::Apply(e, &state); !a.ok()) return a;
    return true;
  });
  if (!s.ok()) return s;
  return state;
}

absl::Status Replica::ReadLog(uint64_t from_seq,
                              const std::function<bool(const Event&)>& on_event) const {
  absl::MutexLock lock(&impl_->mu);
  const uint64_t head = impl_->meta.confirmed_seq();
  return impl_->store->ScanLog(std::max(from_seq, impl_->meta.log_from()),
                               [&](const Event& e) -> absl::StatusOr<bool> {
                                 return e.seq() <= head && on_event(e);
                               });
}

absl::StatusOr<uint64_t> Replica::SeqAt(absl::Time t) const {
  absl::MutexLock lock(&impl_->mu);
  const int64_t limit = absl::ToUnixNanos(t);
  uint64_t found = impl_->meta.log_from() - 1;
  absl::Status s = impl_->store->ScanLog(impl_->meta.log_from(), [&](const Event& e)
                                                                    -> absl::StatusOr<bool> {
    if (e.seq() > impl_->meta.confirmed_seq() || core::TimestampNanos(e.server_time()) > limit) {
      return false;
    }
    found = e.seq();
    return true;
  });
  if (!s.ok()) return s;
  return found;
}

std::vector<Event> Replica::Outbox() const {
  absl::MutexLock lock(&impl_->mu);
  std::vector<Event> out;
  for (const auto& [key, e] : impl_->outbox) out.push_back(e);
  return out;
}

std::vector<RejectedEdit> Replica::Rejected() const {
  absl::MutexLock lock(&impl_->mu);
  std::vector<RejectedEdit> out;
  for (const auto& [key, r] : impl_->rejected) out.push_back(r);
  return out;
}

absl::Status Replica::DismissRejected(const std::string& event_id) {
  absl::MutexLock lock(&impl_->mu);
  auto& rejected = impl_->rejected;
  auto it = std::find_if(rejected.begin(), rejected.end(),
                         [&](const auto& r) { return r.second.event().event_id() == event_id; });
  if (it == rejected.end()) {
    return absl::NotFoundError(absl::StrCat("no rejected edit has event_id ", event_id));
  }
  ReplicaStore::Batch batch(*impl_->store);
  batch.DeleteRejected(it->first);
  if (absl::Status s = impl_->store->Commit(batch, /*sync=*/true); !s.ok()) return s;
  rejected.erase(it);
  return absl::OkStatus();
}

ReplicaStatus Replica::Status() const {
  absl::MutexLock lock(&impl_->mu);
  ReplicaStatus st;
  st.workspace = impl_->meta.workspace();
  st.replica_id = impl_->meta.replica_id();
  st.confirmed_seq = impl_->meta.confirmed_seq();
  st.log_from = impl_->meta.log_from();
  st.outbox = impl_->outbox.size();
  st.rejected = impl_->rejected.size();
  if (impl_->meta.has_last_sync()) st.last_sync = core::FromTimestamp(impl_->meta.last_sync());
  st.clock_offset = absl::Microseconds(impl_->meta.clock_offset_micros());
  st.stale = impl_->stale;
  return st;
}

absl::StatusOr<SyncReport> Replica::Pull(const SyncOptions& options) {
  absl::MutexLock lock(&impl_->sync_mu);
  return impl_->PullLocked(options);
}

absl::StatusOr<SyncReport> Replica::Push(const SyncOptions& options) {
  absl::MutexLock lock(&impl_->sync_mu);
  return impl_->PushLocked(options);
}

absl::StatusOr<SyncReport> Replica::Sync(const SyncOptions& options) {
  absl::MutexLock lock(&impl_->sync_mu);
  absl::StatusOr<SyncReport> pulled = options.pull_first ? impl_->PullLocked(options) : SyncReport();
  if (!pulled.ok()) return pulled.status();
  absl::StatusOr<SyncReport> pushed = impl_->PushLocked(options);
  if (!pushed.ok()) return pushed.status();
  SyncReport report = *pulled;
  report.pushed = pushed->pushed;
  report.rejected = pushed->rejected;
  report.restamped = pushed->restamped;
  if (pushed->pushed > 0) {
    // Fold our own edits back in as the server committed them (merged, with seqs).
    SyncOptions quiet = options;
    quiet.on_progress = nullptr;
    quiet.snapshot_threshold = 0;
    absl::StatusOr<SyncReport> confirmed = impl_->PullLocked(quiet);
    if (!confirmed.ok()) return confirmed.status();
    report.pulled += confirmed->pulled;
  }
  absl::MutexLock state_lock(&impl_->mu);
  *impl_->meta.mutable_last_sync() = core::ToTimestamp(impl_->Wall());
  ReplicaStore::Batch batch(*impl_->store);
  batch.PutMeta(impl_->meta);
  if (absl::Status s = impl_->store->Commit(batch, /*sync=*/false); !s.ok()) return s;
  report.head = impl_->meta.confirmed_seq();
  return report;
}

// --- Live mode ----------------------------------------------------------------------

bool Replica::Impl::SleepUnlessStopped(absl::Duration d) {
  absl::MutexLock lock(&live_mu);
  const absl::Time until = absl::Now() + d;
  while (!live_stop && absl::Now() < until) live_cv.WaitWithDeadline(&live_mu, until);
  return !live_stop;
}

void Replica::Impl::ReportLive(const absl::Status& s) {
  if (on_live_error) on_live_error(s);
}

// A fatal error: live mode ends, and says why, instead of retrying what cannot succeed.
void Replica::Impl::StopLiveFor(const absl::Status& s) {
  {
    absl::MutexLock lock(&live_mu);
    live_error = s;
    live_stop = true;
    live_cv.SignalAll();
  }
  ReportLive(s);
}

namespace {

// Errors a live subscriber cannot get past by reconnecting.
bool FatalForLive(const absl::Status& s) {
  return absl::IsDataLoss(s) || absl::IsInternal(s) || absl::IsOutOfRange(s);
}

}  // namespace

void Replica::Impl::RunSubscriber(std::function<void(const Event&)> on_event) {
  absl::Duration wait = absl::Milliseconds(200);
  SyncOptions quiet;
  while (true) {
    {
      absl::MutexLock lock(&live_mu);
      if (live_stop) return;
    }
    uint64_t from;
    {
      absl::MutexLock lock(&mu);
      from = meta.confirmed_seq() + 1;
    }
    absl::Status failed;
    absl::Status ended = client->Subscribe(
        options.workspace, from,
        [&](const SubscribeResponse& msg) {
          if (msg.events().empty()) return true;
          std::vector<Event> events(msg.events().begin(), msg.events().end());
          uint64_t done = 0;
          if (absl::Status s = ApplyConfirmed(events, nullptr, quiet, events.size(), &done); !s.ok()) {
            failed = s;
            return false;
          }
          wait = absl::Milliseconds(200);
          if (on_event) {
            for (const Event& e : events) on_event(e);
          }
          return true;
        },
        cancellation.get());
    if (cancellation->cancelled()) return;
    const absl::Status& why = failed.ok() ? ended : failed;
    if (FatalForLive(why)) return StopLiveFor(why);
    if (!why.ok()) ReportLive(why);
    if (!SleepUnlessStopped(wait)) return;
    wait = std::min(wait * 2, absl::Seconds(5));
  }
}

void Replica::Impl::RunPusher() {
  SyncOptions once;
  once.max_attempts = 1;
  while (true) {
    {
      absl::MutexLock lock(&live_mu);
      const absl::Time until = absl::Now() + absl::Seconds(2);
      while (!live_stop && !push_wanted && absl::Now() < until) {
        live_cv.WaitWithDeadline(&live_mu, until);
      }
      if (live_stop) return;
      push_wanted = false;
    }
    bool any;
    {
      absl::MutexLock lock(&mu);
      any = !outbox.empty();
    }
    if (!any) continue;
    absl::StatusOr<SyncReport> pushed;
    {
      absl::MutexLock lock(&sync_mu);
      pushed = PushLocked(once);
    }
    if (!pushed.ok()) ReportLive(pushed.status());  // tried again on the next edit or tick
  }
}

absl::Status Replica::StartLive(std::function<void(const Event&)> on_event,
                                std::function<void(const absl::Status&)> on_error) {
  if (absl::Status s = impl_->NeedServer(); !s.ok()) return s;
  if (impl_->live) return absl::FailedPreconditionError("live mode is already on");
  {
    absl::MutexLock lock(&impl_->live_mu);
    impl_->live_stop = false;
    impl_->live_error = absl::OkStatus();
  }
  impl_->on_live_error = std::move(on_error);
  impl_->cancellation = std::make_unique<Cancellation>();
  impl_->live = true;
  impl_->subscriber = std::thread([this, cb = std::move(on_event)] { impl_->RunSubscriber(cb); });
  impl_->pusher = std::thread([this] { impl_->RunPusher(); });
  return absl::OkStatus();
}

absl::Status Replica::LiveStatus() const {
  absl::MutexLock lock(&impl_->live_mu);
  return impl_->live_error;
}

void Replica::StopLive() {
  if (!impl_ || !impl_->live) return;
  {
    absl::MutexLock lock(&impl_->live_mu);
    impl_->live_stop = true;
    impl_->live_cv.SignalAll();
  }
  impl_->cancellation->Cancel();
  impl_->subscriber.join();
  impl_->pusher.join();
  impl_->live = false;
  absl::MutexLock lock(&impl_->live_mu);
  impl_->live_error = absl::OkStatus();
}

}  // namespace goalsync::client
