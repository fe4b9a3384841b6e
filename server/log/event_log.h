// EventLog: goalsyncd's append path and read side, independent of gRPC.
//
// Append: validate (caller's thread) -> queue -> the stager thread takes every queued
// request, resolves duplicates and expected_seq, assigns seqs and chains hashes into one
// group -> the writer thread writes the group in one synced WriteBatch (group commit) ->
// committed head advances -> live subscribers are offered the events -> the acker thread
// runs each request's callback (while the writer writes the next group). A callback with OK means the events are on disk. The stager prepares the
// next group while the writer waits for the disk. When nothing is queued, staged or being
// written, a request skips both hand-offs: its caller stages, writes and acks it (while the
// stager may already stage the requests that arrived meanwhile).
//
// If a write fails, the log stops taking appends (UNAVAILABLE) until goalsyncd restarts:
// what is on disk is consistent, but a disk that failed an fsync is not to be trusted.
//
// Thread safety: every public method may be called from any thread.
#ifndef GOALSYNC_SERVER_LOG_EVENT_LOG_H_
#define GOALSYNC_SERVER_LOG_EVENT_LOG_H_

#include <atomic>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "goalsync/v1/log.pb.h"
#include "server/log/group_commit.h"
#include "server/log/replicator.h"
#include "server/log/workspace.h"
#include "server/ops/log_observer.h"
#include "server/store/log_store.h"

namespace goalsync::server {

struct EventLogOptions {
  // Most events one append request may carry. Larger requests get INVALID_ARGUMENT; a
  // bigger cap lets one request hold the stager (and every other writer) longer.
  size_t max_batch_events = 10000;
  // A group commit stops taking requests once it holds this many bytes of events; the rest
  // wait for the next fsync. Larger groups amortize the fsync further but delay every ack
  // in the group.
  size_t max_group_bytes = 16 << 20;
  // A snapshot of a workspace's plan is stored once this many bytes of its events have been
  // appended since the last one (0: never by size). Loading a workspace (first use after a
  // start) and "state as of" queries replay at most this many bytes of events from the
  // nearest snapshot; each snapshot costs a write of the whole plan (which is bounded by the
  // plan, not by its history), so smaller values trade disk and write time for faster
  // restarts and as-of queries.
  uint64_t snapshot_bytes = 1 << 20;
  // Also a snapshot every this many events (0: no count bound; tests use small values).
  uint64_t snapshot_every = 0;
  // An event whose hlc is further ahead of the server's clock than this is refused with
  // FAILED_PRECONDITION naming the skew, so that a writer with a wrong clock re-stamps its
  // edits instead of winning every later merge (architecture.md). Zero: no bound.
  absl::Duration max_clock_skew = absl::Minutes(5);
  // Hears of every group staged and written, and may refuse appends before they are queued
  // (server/ops/log_observer.h). Null: nobody. Not owned; must outlive the EventLog.
  LogObserver* observer = nullptr;
  // In a replica group: admits appends (on the leader only) and gets each written group
  // durable on enough nodes before it is published and acked (replicator.h). Null: a single
  // node. Not owned; must outlive the EventLog.
  Replicator* replicator = nullptr;
  // Most workspaces whose plan is held in memory at once (0: no bound). Past it, the least
  // recently used idle plans are evicted (never one with events staged or being written, a
  // reader waiting on it, or a thread between GetWorkspace and its use of the plan); a plan
  // evicted is loaded again on its next use from the newest snapshot and the log after it,
  // which costs up to `snapshot_bytes` of replay. The bound is exceeded only while every
  // loaded plan is in use. The Workspace itself (name, heads, subscribers: a few hundred
  // bytes) stays.
  size_t max_loaded_workspaces = 0;
};

class EventLog {
 public:
  using AppendDone = absl::AnyInvocable<void(absl::StatusOr<goalsync::v1::AppendResponse>) &&>;

  // `store` must outlive the EventLog. Starts the stager and writer threads.
  EventLog(LogStore& store, EventLogOptions options);
  // Stop()s.
  ~EventLog();

  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  // Appends request.events to request.workspace (semantics and errors: log.proto's Append).
  // `request` must stay valid until `done` has run. `done` runs exactly once, where it must
  // not block: inline for invalid requests and after Stop(); inline too, after the write,
  // when the log was idle (a lone append is staged and written on the caller's thread);
  // else on the acker thread. So the caller must not hold a lock `done` takes.
  // `writer`: the authenticated caller (its identity becomes each event's actor and its role
  // is checked per event); nullopt in --insecure-no-auth mode.
  void Append(const goalsync::v1::AppendRequest& request, AppendDone done,
              std::optional<Writer> writer = std::nullopt);

  // The committed heads (name, seq, hash) of the workspaces in memory: every workspace
  // appended to since the start is.
  struct CommittedHead {
    std::string workspace;
    uint64_t seq;
    std::string hash;
  };
  std::vector<CommittedHead> CommittedHeads();

  // The committed head of `workspace` (0 and empty when it has no events).
  absl::StatusOr<goalsync::v1::HeadResponse> Head(absl::string_view workspace);

  // The workspace named `name`, loaded from the store or made empty in memory on first use.
  // The pointer stays valid as long as the EventLog. Its plan may be evicted: it is loaded
  // again where it is used (ReadCommittedPlan, staging, AppendSealed). An error is the
  // store's (loading a new workspace failed).
  absl::StatusOr<Workspace*> GetWorkspace(absl::string_view name);

  // Workspaces whose plan is in memory now (at most max_loaded_workspaces while some are
  // idle).
  size_t LoadedWorkspaces();

  // Calls `read` with `ws`'s plan as of its committed head, under the workspace's lock (so
  // `read` must be quick and must not call back into the log): waits for the groups staged
  // ahead of the head to be written, and holds new staging into `ws` off meanwhile. Returns
  // the workspace's load error, or DATA_LOSS if the plan had to be rebuilt and could not be.
  absl::Status ReadCommittedPlan(Workspace& ws,
                                 absl::FunctionRef<void(const goalsync::v1::PlanState&)> read);

  // The plan of `ws` cut at `seq` for paging (the last cut is kept: the pages after the first
  // reuse it). INVALID_ARGUMENT if `seq` is past the committed head.
  absl::StatusOr<std::shared_ptr<const PlanCut>> CutPlan(Workspace& ws, uint64_t seq);

  // The plan of `ws` as of `seq` (at most the committed head): the nearest snapshot at or
  // before it plus the events after it. DATA_LOSS if a stored event does not apply.
  absl::StatusOr<goalsync::v1::PlanState> StateAsOf(Workspace& ws, uint64_t seq);

  // Bytes of stored events one ReadCommitted page holds at most (at least one event).
  static constexpr size_t kMaxReadBytes = 2 << 20;

  // Appends to `out` committed events of `ws` from `from_seq`, at most `max_events` and
  // about kMaxReadBytes.
  absl::Status ReadCommitted(Workspace& ws, uint64_t from_seq, size_t max_events,
                             std::vector<goalsync::v1::Event>* out);
  // The same, as the bytes stored (see ReadRequest.encoded).
  absl::Status ReadCommittedEncoded(Workspace& ws, uint64_t from_seq, size_t max_events,
                                    std::vector<std::string>* out);

  // Adds `sink` to `ws`'s live subscribers if it has seen everything committed, that is if
  // next_seq == committed head + 1: true. false if there is more to catch up first.
  // OUT_OF_RANGE if next_seq is past head + 1; UNAVAILABLE after CloseSubscribers().
  absl::StatusOr<bool> TryGoLive(Workspace& ws, uint64_t next_seq, std::shared_ptr<LiveSink> sink);
  void RemoveSink(Workspace& ws, const LiveSink* sink);

  // Ends every live subscription with UNAVAILABLE and refuses new ones. Appends go on.
  void CloseSubscribers();
  // Commits every queued append, then stops the threads; later appends get UNAVAILABLE.
  void Stop();

  // A follower's write of events the leader sealed (server/cluster/, event_log_sealed.cc):
  // `events` are the next events of `workspace`, consecutive and with their hash chain, as
  // the leader stores them. Checks that they extend this node's chain (FAILED_PRECONDITION
  // "diverged" if event 0 does not follow the local head, DATA_LOSS if a hash is wrong),
  // writes them in one synced batch (with `replication_state` if not empty, and snapshots
  // as the stager would), applies them to the plan and publishes them. Only while this
  // node takes no appends; called from one thread.
  absl::Status AppendSealed(absl::string_view workspace,
                            const std::vector<goalsync::v1::Event>& events,
                            absl::string_view replication_state = {});

  LogStore& store() { return store_; }
  const EventLogOptions& options() const { return options_; }

 private:
  struct Pending {
    const goalsync::v1::AppendRequest* request;
    AppendDone done;
    std::optional<Writer> writer;
  };
  // A sealed group on its way to the writer, with each request's outcome so far.
  struct Staged {
    std::shared_ptr<GroupCommit> commit;
    std::vector<Pending> requests;
    std::vector<absl::StatusOr<goalsync::v1::AppendResponse>> responses;
    std::vector<Workspace*> workspaces;
    std::vector<std::vector<EventPtr>> events;
  };

  void RunStager();
  void RunWriter();
  std::unique_ptr<Staged> StageGroup(std::vector<Pending> requests);
  // Stages `requests` as one group (the caller has set staging_) and clears staging_; the
  // group goes to the writer's queue (nullptr returned) or, for a caller that holds writing_
  // and writes the group itself, back to the caller.
  std::unique_ptr<Staged> StageAndHandOver(std::vector<Pending> requests, bool to_writer);
  // Writes a sealed group (the caller has set writing_; groups are written in the order they
  // were sealed), then publishes its events; Ack then runs each request's callback.
  void WriteGroup(Staged& group);
  void Ack(Staged& group);
  // Acks the groups the writer thread wrote, in order.
  void RunAcker();
  void Publish(Workspace& ws, const std::vector<EventPtr>& events);
  // Hands the heads of a written group to options_.replicator (event_log_sealed.cc).
  absl::Status Replicate(const Staged& group);
  // After a failed write: every plan ahead of its committed head is marked for a rebuild.
  void MarkPlansStale();
  // The plan of a workspace as of `seq`: the newest snapshot at or before it plus the events
  // after it, whose bytes are added to *replayed_bytes if given.
  absl::StatusOr<goalsync::v1::PlanState> Rebuild(uint32_t ws_id, const std::string& name,
                                                  uint64_t seq, uint64_t* replayed_bytes = nullptr);
  // Builds the workspace from the store (newest snapshot + tail), or an empty one.
  absl::StatusOr<std::unique_ptr<Workspace>> LoadWorkspace(absl::string_view name);
  // The registered workspace `name`, or a new one loaded and registered (*loaded set then).
  absl::StatusOr<Workspace*> FindOrLoadWorkspace(absl::string_view name, bool* loaded);

  // Plan memory (--max-loaded-workspaces; event_log_memory.cc): loads the plan of `ws` at
  // its committed head from the store if it was evicted, setting *loaded.
  absl::Status LoadPlanLocked(Workspace& ws, bool* loaded) ABSL_EXCLUSIVE_LOCKS_REQUIRED(ws.mu);
  // Loads the plan of `ws` if it was evicted and keeps it loaded until UnpinPlan: whoever
  // stages into it pins it first (the plan is used outside ws.mu's critical sections there).
  absl::Status PinPlan(Workspace& ws);
  void UnpinPlan(Workspace& ws);
  // Evicts least recently used idle plans until at most max_loaded_workspaces are loaded.
  void EvictIdlePlans();
  void Touch(Workspace& ws) { ws.last_used.store(++use_clock_, std::memory_order_relaxed); }

  LogStore& store_;
  const EventLogOptions options_;

  absl::Mutex registry_mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<Workspace>> workspaces_
      ABSL_GUARDED_BY(registry_mu_);
  bool subscribers_closed_ ABSL_GUARDED_BY(registry_mu_) = false;

  absl::Mutex queue_mu_;
  std::deque<Pending> queue_ ABSL_GUARDED_BY(queue_mu_);
  bool stopping_ ABSL_GUARDED_BY(queue_mu_) = false;
  // Sealed groups, oldest first; the writer pops them. At most kMaxStagedGroups.
  std::deque<std::unique_ptr<Staged>> staged_ ABSL_GUARDED_BY(queue_mu_);
  // Groups sealed and not yet written, for the stager's duplicate checks.
  std::vector<std::shared_ptr<const GroupCommit>> in_flight_ ABSL_GUARDED_BY(queue_mu_);
  bool stager_done_ ABSL_GUARDED_BY(queue_mu_) = false;
  // Whether a group is being staged / written, by the stager and writer threads or by a
  // caller of Append that found the pipeline idle (one stager and one writer at a time).
  bool staging_ ABSL_GUARDED_BY(queue_mu_) = false;
  bool writing_ ABSL_GUARDED_BY(queue_mu_) = false;
  // Set once a write failed; every later append fails with it.
  absl::Status broken_ ABSL_GUARDED_BY(queue_mu_);
  // Loaded plans (leaf lock: taken alone or under one ws.mu).
  absl::Mutex loaded_mu_;
  std::vector<Workspace*> loaded_ ABSL_GUARDED_BY(loaded_mu_);
  std::atomic<uint64_t> use_clock_{0};
  // Groups written by the writer thread, waiting for the acker thread to run their callbacks.
  absl::Mutex ack_mu_;
  std::deque<std::unique_ptr<Staged>> acks_ ABSL_GUARDED_BY(ack_mu_);
  bool writer_done_ ABSL_GUARDED_BY(ack_mu_) = false;
  std::thread stager_;
  std::thread writer_;
  std::thread acker_;
};

// Validates an append request as a writer sent it (workspace name, event count, each event's
// envelope, duplicate event_ids within the request). INVALID_ARGUMENT naming the first bad
// event's index otherwise.
absl::Status ValidateAppendRequest(const goalsync::v1::AppendRequest& request,
                                   size_t max_batch_events);

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_LOG_EVENT_LOG_H_
