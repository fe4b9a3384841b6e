#include "server/log/event_log.h"

#include <pthread.h>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/envelope.h"
#include "core/refusal.h"
#include "core/timestamps.h"
#include "core/plan/kernel.h"
#include "server/log/group_commit.h"
#include "spdlog/spdlog.h"

namespace goalsync::server {

using goalsync::v1::AppendRequest;
using goalsync::v1::AppendResponse;
using goalsync::v1::Event;

absl::Status ValidateAppendRequest(const AppendRequest& request, size_t max_batch_events) {
  if (absl::Status s = core::ValidateWorkspaceName(request.workspace()); !s.ok()) return s;
  if (request.events().empty()) {
    return absl::InvalidArgumentError("events is empty: send at least one event");
  }
  if (static_cast<size_t>(request.events_size()) > max_batch_events) {
    return absl::InvalidArgumentError(absl::StrCat(request.events_size(),
                                                   " events in one request; at most ",
                                                   max_batch_events, ": split it"));
  }
  absl::flat_hash_set<absl::string_view> ids;
  for (int i = 0; i < request.events_size(); ++i) {
    const Event& e = request.events(i);
    if (absl::Status s = core::ValidateSubmittedEvent(e, request.workspace()); !s.ok()) {
      return core::AtEvent(s, i);
    }
    if (request.events_size() > 1 && !ids.insert(e.event_id()).second) {
      return core::AtEvent(absl::InvalidArgumentError(absl::StrCat(
                               "event_id ", e.event_id(), " appears twice")), i);
    }
  }
  return absl::OkStatus();
}

namespace {

// Sealed groups that may wait for the writer: one, ready while the writer writes the one
// before, keeps the disk busy. Requests that arrive meanwhile pile up in the queue and go into
// the next group whole; a second ready group would split them into smaller groups, each
// waiting for its own fsync (at 64 clients: ~3 fsyncs of latency instead of ~2).
constexpr size_t kMaxStagedGroups = 1;

}  // namespace

EventLog::EventLog(LogStore& store, EventLogOptions options)
    : store_(store),
      options_(options),
      stager_([this] {
        pthread_setname_np(pthread_self(), "gs-stager");  // names for top, perf and gdb
        RunStager();
      }),
      writer_([this] {
        pthread_setname_np(pthread_self(), "gs-writer");
        RunWriter();
      }),
      acker_([this] {
        pthread_setname_np(pthread_self(), "gs-acker");
        RunAcker();
      }) {}

EventLog::~EventLog() {
  CloseSubscribers();
  Stop();
}

void EventLog::Append(const AppendRequest& request, AppendDone done, std::optional<Writer> writer) {
  if (absl::Status s = ValidateAppendRequest(request, options_.max_batch_events); !s.ok()) {
    std::move(done)(std::move(s));
    return;
  }
  if (absl::Status s = options_.replicator ? options_.replicator->Admit() : absl::OkStatus();
      !s.ok()) {
    std::move(done)(std::move(s));  // a follower: the client goes to the leader
    return;
  }
  if (absl::Status s = options_.observer ? options_.observer->Admit() : absl::OkStatus(); !s.ok()) {
    std::move(done)(std::move(s));  // e.g. the disk is full: refused before anything is staged
    return;
  }
  bool stopping;
  {
    absl::MutexLock lock(&queue_mu_);
    stopping = stopping_;
    // An idle pipeline: stage, write and ack this request on the caller's thread, sparing it
    // two thread hand-offs (about a third of a lone append's latency on a small machine).
    // Requests that arrive meanwhile queue up for the stager as usual. Not in a replica
    // group, whose replication waits on the network and must not hold a gRPC thread.
    const bool idle = queue_.empty() && staged_.empty() && !staging_ && !writing_ &&
                      options_.replicator == nullptr;
    if (!stopping && !idle) {
      queue_.push_back({&request, std::move(done), std::move(writer)});
      return;
    }
    if (!stopping) {
      staging_ = true;
      writing_ = true;
    }
  }
  if (stopping) {
    std::move(done)(absl::UnavailableError("goalsyncd is shutting down: retry on another server "
                                           "or after restart"));
    return;
  }
  std::vector<Pending> lone;
  lone.push_back({&request, std::move(done), std::move(writer)});
  std::unique_ptr<Staged> group = StageAndHandOver(std::move(lone), /*to_writer=*/false);
  WriteGroup(*group);
  {
    absl::MutexLock lock(&queue_mu_);
    writing_ = false;
  }
  Ack(*group);
}

void EventLog::RunStager() {
  for (;;) {
    std::vector<Pending> requests;
    {
      absl::MutexLock lock(&queue_mu_);
      queue_mu_.Await(absl::Condition(
          +[](EventLog* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->queue_mu_) {
            if (self->staging_) return false;  // a caller stages its lone request
            return (!self->queue_.empty() && self->staged_.size() < kMaxStagedGroups) ||
                   (self->queue_.empty() && self->stopping_);
          },
          this));
      if (queue_.empty()) {  // stopping, and everything queued is staged
        stager_done_ = true;
        return;
      }
      // Take every request waiting now, up to the group's byte budget (always at least one).
      size_t bytes = 0;
      while (!queue_.empty() && (requests.empty() || bytes < options_.max_group_bytes)) {
        bytes += queue_.front().request->ByteSizeLong();
        requests.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      staging_ = true;
    }
    StageAndHandOver(std::move(requests), /*to_writer=*/true);
  }
}

std::unique_ptr<EventLog::Staged> EventLog::StageAndHandOver(std::vector<Pending> requests,
                                                             bool to_writer) {
  const absl::Time staging = absl::Now();
  const size_t taken = requests.size();
  std::unique_ptr<Staged> group = StageGroup(std::move(requests));
  if (options_.observer) options_.observer->OnGroupStaged(absl::Now() - staging, taken);
  absl::MutexLock lock(&queue_mu_);
  in_flight_.push_back(group->commit);
  staging_ = false;
  if (!to_writer) return group;
  staged_.push_back(std::move(group));
  return nullptr;
}

std::unique_ptr<EventLog::Staged> EventLog::StageGroup(std::vector<Pending> requests) {
  std::vector<std::shared_ptr<const GroupCommit>> in_flight;
  absl::Status broken;
  {
    absl::MutexLock lock(&queue_mu_);
    in_flight = in_flight_;
    broken = broken_;
  }
  auto group = std::make_unique<Staged>();
  group->commit = std::make_shared<GroupCommit>(store_, absl::Now(), std::move(in_flight),
                                                options_.snapshot_bytes, options_.snapshot_every,
                                                options_.max_clock_skew);
  const size_t n = requests.size();
  group->responses.resize(n, absl::UnknownError("not staged"));
  group->workspaces.resize(n, nullptr);
  group->events.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (!broken.ok()) {
      group->responses[i] = broken;
      continue;
    }
    absl::StatusOr<Workspace*> ws = GetWorkspace(requests[i].request->workspace());
    if (!ws.ok()) {
      group->responses[i] = ws.status();
      continue;
    }
    group->workspaces[i] = *ws;
    if (absl::Status s = PinPlan(**ws); !s.ok()) {
      group->responses[i] = s;
      continue;
    }
    group->responses[i] = group->commit->Stage(**ws, *requests[i].request, requests[i].writer,
                                                &group->events[i]);
    UnpinPlan(**ws);
  }
  group->commit->Seal();
  group->requests = std::move(requests);
  return group;
}

void EventLog::RunWriter() {
  for (;;) {
    std::unique_ptr<Staged> group;
    {
      absl::MutexLock lock(&queue_mu_);
      queue_mu_.Await(absl::Condition(
          +[](EventLog* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->queue_mu_) {
            if (self->writing_) return false;  // a caller writes its lone request's group
            return !self->staged_.empty() || (self->stager_done_ && !self->staging_);
          },
          this));
      if (staged_.empty()) return;  // the stager is done and everything is written
      group = std::move(staged_.front());
      staged_.pop_front();
      writing_ = true;
    }
    WriteGroup(*group);
    {
      absl::MutexLock lock(&queue_mu_);
      writing_ = false;
    }
    // The acks go out from the acker thread while this one writes the next group: sending
    // them (a message per request) would otherwise sit between one fsync and the next.
    absl::MutexLock lock(&ack_mu_);
    acks_.push_back(std::move(group));
  }
}

void EventLog::RunAcker() {
  for (;;) {
    std::unique_ptr<Staged> group;
    {
      absl::MutexLock lock(&ack_mu_);
      ack_mu_.Await(absl::Condition(
          +[](EventLog* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->ack_mu_) {
            return !self->acks_.empty() || self->writer_done_;
          },
          this));
      if (acks_.empty()) return;  // the writer is done and every ack is sent
      group = std::move(acks_.front());
      acks_.pop_front();
    }
    Ack(*group);
  }
}

void EventLog::Ack(Staged& group) {
  for (size_t i = 0; i < group.requests.size(); ++i) {
    std::move(group.requests[i].done)(std::move(group.responses[i]));
  }
}

void EventLog::WriteGroup(Staged& group) {
  absl::Status broken;
  {
    absl::MutexLock lock(&queue_mu_);
    broken = broken_;
  }
  const absl::Time writing = absl::Now();
  absl::Status written = broken.ok() ? group.commit->Write() : broken;
  if (written.ok() && options_.replicator != nullptr) written = Replicate(group);
  if (options_.observer && broken.ok()) {
    size_t events = 0;
    for (const auto& e : group.events) events += e.size();
    if (events > 0 || !written.ok()) {
      options_.observer->OnGroupWritten(absl::Now() - writing, events, written);
    }
  }
  if (!written.ok()) {
    if (broken.ok()) {
      spdlog::error("goalsync: writing the log failed; refusing appends until restart: {}",
                    written.ToString());
    }
    written = absl::UnavailableError(absl::StrCat(
        "goalsyncd could not write its log and refuses appends until restarted: ",
        written.message()));
    for (auto& r : group.responses) {
      if (r.ok()) r = written;
    }
  }
  {
    absl::MutexLock lock(&queue_mu_);
    if (!written.ok()) broken_ = written;
    std::erase(in_flight_, group.commit);
  }
  if (!written.ok()) MarkPlansStale();
  // Advance the committed head before acking, so that a reader who got an ack sees its event.
  for (size_t i = 0; i < group.requests.size(); ++i) {
    if (written.ok() && !group.events[i].empty()) Publish(*group.workspaces[i], group.events[i]);
  }
}

void EventLog::Publish(Workspace& ws, const std::vector<EventPtr>& events) {
  std::vector<std::shared_ptr<LiveSink>> wake;
  {
    absl::MutexLock lock(&ws.mu);
    ws.committed_seq = events.back()->seq();
    ws.committed_hash = events.back()->hash();
    for (auto it = ws.sinks.begin(); it != ws.sinks.end();) {
      bool w = false;
      const bool keep = (*it)->Offer(events, &w);
      if (w) wake.push_back(*it);
      it = keep ? it + 1 : ws.sinks.erase(it);
    }
  }
  for (auto& sink : wake) sink->Wake();
}

void EventLog::MarkPlansStale() {
  absl::MutexLock lock(&registry_mu_);
  for (auto& [name, ws] : workspaces_) {
    absl::MutexLock ws_lock(&ws->mu);
    if (ws->plan_loaded && ws->plan.seq() != ws->committed_seq) ws->plan_stale = true;
  }
}

absl::Status EventLog::ReadCommittedPlan(Workspace& ws,
                                         absl::FunctionRef<void(const goalsync::v1::PlanState&)> read) {
  if (!ws.load_error.ok()) return ws.load_error;
  Touch(ws);
  bool loaded = false;
  {
    absl::MutexLock lock(&ws.mu);
    ++ws.readers_waiting;
    // An evicted plan has nothing staged: it is loaded at the committed head below.
    ws.mu.Await(absl::Condition(
        +[](Workspace* w) ABSL_EXCLUSIVE_LOCKS_REQUIRED(w->mu) {
          return !w->plan_loaded || w->plan.seq() == w->committed_seq || w->plan_stale;
        },
        &ws));
    --ws.readers_waiting;
    if (ws.plan_stale) {
      // A group failed to be written: the plan holds events the store does not. Fold the
      // store again up to what is committed (appends are refused from now on).
      absl::StatusOr<goalsync::v1::PlanState> plan = Rebuild(ws.id, ws.name, ws.committed_seq);
      if (!plan.ok()) return plan.status();
      ws.plan = std::move(*plan);
      ws.plan_stale = false;
    }
    if (absl::Status s = LoadPlanLocked(ws, &loaded); !s.ok()) return s;
    read(ws.plan);
  }
  if (loaded) EvictIdlePlans();
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<const PlanCut>> EventLog::CutPlan(Workspace& ws, uint64_t seq) {
  uint64_t committed;
  std::string committed_hash;
  {
    absl::MutexLock lock(&ws.mu);
    if (ws.cut != nullptr && ws.cut->pager.plan().seq() == seq) return ws.cut;
    committed = ws.committed_seq;
    committed_hash = ws.committed_hash;
  }
  if (seq > committed) {
    return absl::InvalidArgumentError(absl::StrCat("seq ", seq, " is past the head of ", ws.name,
                                                   " (seq ", committed, ")"));
  }
  auto plan = std::make_shared<goalsync::v1::PlanState>();
  std::string hash;
  if (seq == committed) {
    absl::Status s = ReadCommittedPlan(ws, [&](const goalsync::v1::PlanState& p) {
      if (p.seq() != seq) return;  // moved on meanwhile: cut from the store below
      *plan = p;
      hash = committed_hash;
    });
    if (!s.ok()) return s;
  }
  if (plan->seq() != seq || (seq == 0 && plan->workspace().empty())) {
    absl::StatusOr<goalsync::v1::PlanState> at = Rebuild(ws.id, ws.name, seq);
    if (!at.ok()) return at.status();
    *plan = std::move(*at);
    if (seq > 0) {
      absl::StatusOr<Event> e = store_.ReadEvent(ws.id, seq);
      if (!e.ok()) return e.status();
      hash = e->hash();
    }
  }
  auto cut = std::make_shared<const PlanCut>(PlanCut{core::StatePager(std::move(plan)), hash});
  absl::MutexLock lock(&ws.mu);
  ws.cut = cut;
  return cut;
}

std::vector<EventLog::CommittedHead> EventLog::CommittedHeads() {
  std::vector<Workspace*> all;
  {
    absl::MutexLock lock(&registry_mu_);
    for (auto& [name, ws] : workspaces_) all.push_back(ws.get());
  }
  std::vector<CommittedHead> out;
  for (Workspace* ws : all) {
    absl::MutexLock lock(&ws->mu);
    if (ws->committed_seq > 0) out.push_back({ws->name, ws->committed_seq, ws->committed_hash});
  }
  return out;
}

absl::StatusOr<goalsync::v1::HeadResponse> EventLog::Head(absl::string_view workspace) {
  if (absl::Status s = core::ValidateWorkspaceName(workspace); !s.ok()) return s;
  absl::StatusOr<Workspace*> ws = GetWorkspace(workspace);
  if (!ws.ok()) return ws.status();
  goalsync::v1::HeadResponse head;
  absl::MutexLock lock(&(*ws)->mu);
  head.set_seq((*ws)->committed_seq);
  head.set_hash((*ws)->committed_hash);
  *head.mutable_server_time() = core::ToTimestamp(absl::Now());
  return head;
}

absl::StatusOr<Workspace*> EventLog::GetWorkspace(absl::string_view name) {
  bool loaded = false;
  absl::StatusOr<Workspace*> ws = FindOrLoadWorkspace(name, &loaded);
  if (!ws.ok()) return ws.status();
  Touch(**ws);
  if (loaded) EvictIdlePlans();
  return ws;
}

absl::StatusOr<Workspace*> EventLog::FindOrLoadWorkspace(absl::string_view name, bool* loaded) {
  {
    absl::MutexLock lock(&registry_mu_);
    if (auto it = workspaces_.find(name); it != workspaces_.end()) return it->second.get();
  }
  // Load without the registry lock: replaying a long log must not stall every other
  // workspace's appends and reads. Two threads may load the same workspace at once; the
  // first to register wins and the other copy is dropped.
  absl::StatusOr<std::unique_ptr<Workspace>> made = LoadWorkspace(name);
  if (!made.ok()) return made.status();
  absl::MutexLock lock(&registry_mu_);
  if (auto it = workspaces_.find(name); it != workspaces_.end()) return it->second.get();
  Workspace* raw = made->get();
  Touch(*raw);
  {
    absl::MutexLock ws_lock(&raw->mu);
    if (subscribers_closed_) raw->closed = true;
    if (raw->plan_loaded) {
      absl::MutexLock loaded_lock(&loaded_mu_);
      loaded_.push_back(raw);
      *loaded = true;
    }
  }
  workspaces_.emplace(std::string(name), std::move(*made));
  return raw;
}

absl::StatusOr<goalsync::v1::PlanState> EventLog::Rebuild(uint32_t ws_id, const std::string& name,
                                                          uint64_t seq, uint64_t* replayed_bytes) {
  goalsync::v1::PlanState state;
  state.set_workspace(name);
  absl::StatusOr<std::optional<std::pair<uint64_t, std::string>>> snapshot =
      store_.LatestSnapshot(ws_id, seq);
  if (!snapshot.ok()) return snapshot.status();
  if (snapshot->has_value() && !state.ParseFromString((*snapshot)->second)) {
    return absl::DataLossError(absl::StrCat("snapshot of ", name, " at seq ", (*snapshot)->first,
                                            " does not parse"));
  }
  std::vector<Event> page;
  while (state.seq() < seq) {
    page.clear();
    if (absl::Status s = store_.ReadEvents(ws_id, state.seq() + 1, seq, 4096, &page); !s.ok()) {
      return s;
    }
    if (page.empty()) {
      return absl::DataLossError(absl::StrCat("log of ", name, " ends at seq ", state.seq(),
                                              ", before its head ", seq));
    }
    for (const Event& e : page) {
      if (absl::Status s = core::Apply(e, &state); !s.ok()) {
        return absl::DataLossError(absl::StrCat("stored event ", e.seq(), " of ", name,
                                                " does not apply: ", s.message()));
      }
      if (replayed_bytes != nullptr) *replayed_bytes += e.ByteSizeLong();
    }
  }
  return state;
}

absl::StatusOr<goalsync::v1::PlanState> EventLog::StateAsOf(Workspace& ws, uint64_t seq) {
  return Rebuild(ws.id, ws.name, std::min(seq, ws.CommittedSeq()));
}

absl::StatusOr<std::unique_ptr<Workspace>> EventLog::LoadWorkspace(absl::string_view name) {
  absl::StatusOr<WorkspaceRecord> rec = store_.FindWorkspace(name);
  std::unique_ptr<Workspace> ws;
  if (rec.ok()) {
    uint64_t replayed = 0;
    absl::StatusOr<goalsync::v1::PlanState> plan =
        Rebuild(rec->id, std::string(name), rec->head_seq, &replayed);
    if (!plan.ok() && !absl::IsDataLoss(plan.status())) return plan.status();
    ws = std::make_unique<Workspace>(std::string(name), rec->id, true, rec->head_seq,
                                     rec->head_hash,
                                     plan.ok() ? std::move(*plan) : goalsync::v1::PlanState());
    ws->bytes_since_snapshot = replayed;
    if (!plan.ok()) {
      spdlog::error("workspace {} cannot be loaded, appends refused: {}", std::string(name),
                    plan.status().ToString());
      ws->load_error = absl::DataLossError(absl::StrCat(
          "workspace ", name, " cannot be loaded (", plan.status().message(),
          "); run `goalctl log verify` or `goalsyncd verify`"));
      absl::MutexLock lock(&ws->mu);
      ws->plan_loaded = false;  // nothing uses it: every use returns load_error first
    }
  } else if (absl::IsNotFound(rec.status())) {
    goalsync::v1::PlanState empty;
    empty.set_workspace(std::string(name));
    ws = std::make_unique<Workspace>(std::string(name), store_.AllocateWorkspaceId(), false, 0,
                                     "", std::move(empty));
  } else {
    return rec.status();
  }
  return ws;
}

absl::Status EventLog::ReadCommitted(Workspace& ws, uint64_t from_seq, size_t max_events,
                                     std::vector<Event>* out) {
  const uint64_t committed = ws.CommittedSeq();
  // A page stops at kMaxReadBytes so that a message carrying it stays well under gRPC's
  // default 4 MiB limit whatever the events hold.
  return store_.ReadEvents(ws.id, std::max<uint64_t>(from_seq, 1), committed, max_events, out,
                           kMaxReadBytes);
}

absl::Status EventLog::ReadCommittedEncoded(Workspace& ws, uint64_t from_seq, size_t max_events,
                                            std::vector<std::string>* out) {
  const uint64_t committed = ws.CommittedSeq();
  return store_.ReadEncodedEvents(ws.id, std::max<uint64_t>(from_seq, 1), committed, max_events,
                                  kMaxReadBytes, out);
}

absl::StatusOr<bool> EventLog::TryGoLive(Workspace& ws, uint64_t next_seq,
                                         std::shared_ptr<LiveSink> sink) {
  absl::MutexLock lock(&ws.mu);
  if (ws.closed) return absl::UnavailableError("goalsyncd is shutting down");
  if (next_seq <= ws.committed_seq) return false;
  if (next_seq > ws.committed_seq + 1) {
    return absl::OutOfRangeError(absl::StrCat("from_seq ", next_seq, " is past the head of ",
                                              ws.name, " (seq ", ws.committed_seq,
                                              "): subscribe from at most ",
                                              ws.committed_seq + 1));
  }
  ws.sinks.push_back(std::move(sink));
  return true;
}

void EventLog::RemoveSink(Workspace& ws, const LiveSink* sink) {
  absl::MutexLock lock(&ws.mu);
  std::erase_if(ws.sinks, [sink](const auto& s) { return s.get() == sink; });
}

void EventLog::CloseSubscribers() {
  std::vector<std::shared_ptr<LiveSink>> sinks;
  {
    absl::MutexLock lock(&registry_mu_);
    subscribers_closed_ = true;
    for (auto& [name, ws] : workspaces_) {
      absl::MutexLock ws_lock(&ws->mu);
      ws->closed = true;
      for (auto& s : ws->sinks) sinks.push_back(std::move(s));
      ws->sinks.clear();
    }
  }
  const absl::Status closing =
      absl::UnavailableError("goalsyncd is shutting down: resubscribe after it restarts");
  for (auto& s : sinks) s->Close(closing);
}

void EventLog::Stop() {
  {
    absl::MutexLock lock(&queue_mu_);
    stopping_ = true;
  }
  if (stager_.joinable()) stager_.join();
  if (writer_.joinable()) writer_.join();
  {
    absl::MutexLock lock(&ack_mu_);
    writer_done_ = true;
  }
  if (acker_.joinable()) acker_.join();
}

}  // namespace goalsync::server
