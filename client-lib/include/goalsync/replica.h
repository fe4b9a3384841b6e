// Replica: a workspace's plan kept on this machine, usable with or without the server.
//
//   auto replica = goalsync::client::Replica::Open({.dir = "/home/li/.goalsync/acme",
//                                                   .server = "goals.example:7411",
//                                                   .workspace = "acme-2026",
//                                                   .actor = "li"});
//   (*replica)->Record(goalsync::v1::CheckInRecorded{...});   // works offline
//   (*replica)->Sync();                                        // when the server answers
//
// What it keeps (a RocksDB directory, see client-lib/src/replica_store.h):
//   - the confirmed log: events as the server committed them, with their seqs, hash-checked
//     as they arrive; and the confirmed state, the kernel's fold of that log;
//   - the outbox: local edits not yet confirmed, written durably before Record returns;
//   - the rejected list: local edits the server refused, with its reason, until dismissed.
// The state shown (State(), and every query) is the confirmed state with the outbox applied
// on top; an edit is validated against it by the same kernel the server runs, so an edit
// Record accepts offline is refused later only if a concurrent change made it invalid.
//
// Every local edit carries this replica's id, a hybrid-logical-clock reading (persisted, so
// it never goes back across restarts) and base_seq = the confirmed seq when it was made; the
// server's kernel merges concurrent edits by those (docs/architecture.md), and every replica
// folding the same log reaches the same state, conflict records included.
//
// Thread safety: all methods may be called from any thread.
#ifndef GOALSYNC_CLIENT_REPLICA_H_
#define GOALSYNC_CLIENT_REPLICA_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "goalsync/v1/event.pb.h"
#include "goalsync/v1/plan_service.pb.h"
#include "goalsync/v1/replica.pb.h"
#include "goalsync/v1/state.pb.h"

namespace goalsync::client {

// Every domain event as (message, Payload field): Replica has one Record overload each.
#define GOALSYNC_PAYLOAD_TYPES(X) \
  X(GoalCreated, goal_created) \
  X(GoalFieldSet, goal_field_set) \
  X(GoalArchived, goal_archived) \
  X(GoalRestored, goal_restored) \
  X(GoalMoved, goal_moved) \
  X(TargetsSet, targets_set) \
  X(PeriodTargetSet, period_target_set) \
  X(PeriodTargetRemoved, period_target_removed) \
  X(TaskAdded, task_added) \
  X(TaskFieldSet, task_field_set) \
  X(TaskStatusSet, task_status_set) \
  X(TaskDependencyAdded, task_dependency_added) \
  X(TaskDependencyRemoved, task_dependency_removed) \
  X(RaciAssigned, raci_assigned) \
  X(RaciUnassigned, raci_unassigned) \
  X(PeopleAllocated, people_allocated) \
  X(BudgetAllocated, budget_allocated) \
  X(TimeBlockReserved, time_block_reserved) \
  X(CheckInRecorded, check_in_recorded) \
  X(ReviewRecorded, review_recorded) \
  X(ChangeRequestOpened, change_request_opened) \
  X(ChangeRequestApproved, change_request_approved) \
  X(ChangeRequestRejected, change_request_rejected) \
  X(ConflictResolved, conflict_resolved)

struct ReplicaOptions {
  // Local directory (created if missing). One process at a time may open it.
  std::string dir;
  // host:port of goalsyncd; empty: offline only (Sync answers FAILED_PRECONDITION).
  std::string server;
  // The workspace; a directory once opened for one workspace refuses another.
  std::string workspace;
  // Who makes the edits recorded here.
  std::string actor;
  // Bearer token sent with every call (empty: none). With tokens, the server records the
  // token's identity as the actor of every edit, whatever `actor` says.
  std::string token;
  // PEM file of the CA of the server's TLS certificate (empty: plaintext).
  std::string tls_ca_file;
  // The wall clock (tests give a skewed one). Default: absl::Now.
  std::function<absl::Time()> clock;
  // This replica's id, stamped on every edit; it breaks ties between concurrent edits with
  // equal hlc readings (docs/merge.md). Empty: a random one, chosen when the directory is
  // created. Tests pin it so that a seeded schedule merges the same way on every run. Two
  // replicas must never share an id: each would take the other's edits for its own. Opening
  // an existing directory with another id is FAILED_PRECONDITION.
  std::string replica_id;
};

struct SyncOptions {
  // Attempts when the server cannot be reached, waiting initial_backoff, then twice as long
  // each time up to max_backoff. Edits keep working offline whatever Sync returns.
  int max_attempts = 4;
  absl::Duration initial_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(5);
  // Events per append request when pushing the outbox.
  int push_batch = 500;
  // A replica this many events or more behind starts from the server's current plan plus
  // the tail instead of reading the whole log (its local history then starts there).
  // 0: always read the whole log (an auditor's replica).
  uint64_t snapshot_threshold = 10000;
  // Sync begins with a pull (so that pushed edits are checked against the newest plan
  // locally first); false when the caller has just pulled.
  bool pull_first = true;
  // Called as a long pull goes on: events done out of the total to catch up.
  std::function<void(uint64_t done, uint64_t total)> on_progress;
};

struct SyncReport {
  uint64_t pulled = 0;      // events folded into the confirmed state
  uint64_t pushed = 0;      // local edits the server accepted
  uint64_t rejected = 0;    // local edits the server refused (now in Rejected())
  uint64_t restamped = 0;   // local edits re-stamped after a clock-skew refusal
  bool from_snapshot = false;
  uint64_t head = 0;        // the confirmed seq afterwards
};

struct ReplicaStatus {
  std::string workspace;
  std::string replica_id;
  uint64_t confirmed_seq = 0;
  uint64_t log_from = 1;    // the first seq held locally
  size_t outbox = 0;
  size_t rejected = 0;
  std::optional<absl::Time> last_sync;
  absl::Duration clock_offset;
  // Outbox edits that no longer apply on top of the confirmed state (the server will
  // refuse them too), with the kernel's reason.
  std::vector<std::pair<std::string, std::string>> stale;  // event_id, reason
};

class Replica {
 public:
  static absl::StatusOr<std::unique_ptr<Replica>> Open(ReplicaOptions options);
  ~Replica();  // stops live mode
  Replica(const Replica&) = delete;
  Replica& operator=(const Replica&) = delete;

  // --- Edits. Each validates against the shown state and, if valid, is in the outbox
  // (durably) when it returns OK. Errors change nothing: INVALID_ARGUMENT / NOT_FOUND /
  // FAILED_PRECONDITION from the kernel, naming the rule.
  absl::Status Submit(goalsync::v1::Payload payload);
#define GOALSYNC_RECORD_(Type, field) absl::Status Record(goalsync::v1::Type body);
  GOALSYNC_PAYLOAD_TYPES(GOALSYNC_RECORD_)
#undef GOALSYNC_RECORD_

  // Shorthands for the common edits.
  absl::Status CreateGoal(goalsync::v1::GoalCreated g) { return Record(std::move(g)); }
  absl::Status SetGoalField(const std::string& goal_id, const std::string& field,
                            const std::string& value);
  absl::Status SetTargets(goalsync::v1::TargetsSet t) { return Record(std::move(t)); }
  absl::Status CheckIn(goalsync::v1::CheckInRecorded c) { return Record(std::move(c)); }
  absl::Status AddTask(goalsync::v1::TaskAdded t) { return Record(std::move(t)); }
  absl::Status SetRaci(goalsync::v1::RaciAssigned r) { return Record(std::move(r)); }
  absl::Status OpenChangeRequest(goalsync::v1::ChangeRequestOpened c) { return Record(std::move(c)); }
  absl::Status ApproveChangeRequest(goalsync::v1::ChangeRequestApproved a) { return Record(std::move(a)); }
  absl::Status ResolveConflict(goalsync::v1::ConflictResolved r) { return Record(std::move(r)); }

  // --- Queries, over the shown state (confirmed + outbox). The same answers PlanService
  // gives for the same state (core/plan/queries).
  goalsync::v1::PlanState State() const;
  goalsync::v1::PlanState ConfirmedState() const;
  absl::StatusOr<goalsync::v1::Goal> GetGoal(const std::string& goal_id) const;
  goalsync::v1::ListGoalsResponse ListGoals(const goalsync::v1::ListGoalsRequest& r) const;
  // The goal's subtree (the goal first, then depth-first in id order).
  absl::StatusOr<std::vector<goalsync::v1::Goal>> Tree(const std::string& root_id) const;
  absl::StatusOr<goalsync::v1::GetProgressResponse> Progress(
      const goalsync::v1::GetProgressRequest& r) const;
  // Over the confirmed log held locally (from ReplicaStatus::log_from).
  absl::StatusOr<goalsync::v1::GetHistoryResponse> History(
      const goalsync::v1::GetHistoryRequest& r) const;
  absl::StatusOr<goalsync::v1::BlameResponse> Blame(const std::string& goal_id) const;
  std::vector<goalsync::v1::Conflict> Conflicts(bool include_resolved = false) const;
  // The confirmed state as of `seq` (needs the local log from the start or a snapshot at or
  // before `seq`).
  absl::StatusOr<goalsync::v1::PlanState> StateAsOf(uint64_t seq) const;
  // The confirmed events held locally from `from_seq` on (ReplicaStatus::log_from at the
  // earliest), in log order, until `on_event` returns false.
  absl::Status ReadLog(uint64_t from_seq,
                       const std::function<bool(const goalsync::v1::Event&)>& on_event) const;
  // The last confirmed seq the server accepted at or before `t` (0: none), from the local log.
  absl::StatusOr<uint64_t> SeqAt(absl::Time t) const;

  std::vector<goalsync::v1::Event> Outbox() const;
  std::vector<goalsync::v1::RejectedEdit> Rejected() const;
  // Forgets a rejected edit (after the user has seen it). NOT_FOUND if there is none.
  absl::Status DismissRejected(const std::string& event_id);
  ReplicaStatus Status() const;

  // --- Sync: pull the confirmed log from the server (a snapshot plus the tail when far
  // behind), push the outbox in batches, pull again to confirm. Pushes are idempotent by
  // event_id, so an interrupted sync never duplicates. UNAVAILABLE after max_attempts when
  // the server cannot be reached (the outbox is kept).
  absl::StatusOr<SyncReport> Sync(const SyncOptions& options = {});
  // The two halves of Sync, for callers that want them apart.
  absl::StatusOr<SyncReport> Pull(const SyncOptions& options = {});
  absl::StatusOr<SyncReport> Push(const SyncOptions& options = {});

  // --- Live mode: a background thread subscribes to the workspace and folds remote events
  // as they arrive, calling `on_event` (from that thread) for each; another pushes local
  // edits as they are made. StopLive (or the destructor) ends both.
  //
  // Errors go to `on_error` (if set; called from either live thread, so it must be
  // thread-safe) as they happen:
  //   - a subscription that ended (server restart, slow subscriber, network): reported, then
  //     resumed from the confirmed seq with backoff;
  //   - a push that failed (unreachable, token): reported, tried again on the next edit or
  //     tick; edits the server refused go to Rejected() as with Push;
  //   - the server sent events that do not extend this replica's chain (DATA_LOSS: the log
  //     was rewritten, or this replica is another server's), or that this kernel cannot
  //     apply (INTERNAL), or the server's log is shorter than ours (OUT_OF_RANGE): reported,
  //     and live mode stops for good; LiveStatus() returns that error until StopLive.
  absl::Status StartLive(std::function<void(const goalsync::v1::Event&)> on_event,
                         std::function<void(const absl::Status&)> on_error = {});
  // OK while live mode runs (or is off) without a fatal error; after one, the error that
  // stopped it (DATA_LOSS for a chain break), until StopLive or the next StartLive.
  absl::Status LiveStatus() const;
  void StopLive();

 private:
  struct Impl;
  explicit Replica(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace goalsync::client

#endif  // GOALSYNC_CLIENT_REPLICA_H_
