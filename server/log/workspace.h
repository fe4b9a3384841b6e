// Workspace: the in-memory face of one workspace's log: its committed head, its live
// subscribers and, while loaded, its plan.
//
// A Workspace lives as long as its EventLog (stream reactors keep pointers to it); only its
// plan, the memory, may be evicted and loaded again (EventLog, --max-loaded-workspaces).
//
// Thread safety: `id` and `name` are immutable. The stager-only fields are touched by the
// EventLog's stager thread alone. `last_used` is atomic. The rest is guarded by `mu`.
#ifndef GOALSYNC_SERVER_LOG_WORKSPACE_H_
#define GOALSYNC_SERVER_LOG_WORKSPACE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "goalsync/v1/event.pb.h"
#include "goalsync/v1/admin.pb.h"
#include "core/plan/state_pages.h"
#include "goalsync/v1/state.pb.h"

namespace goalsync::server {

using EventPtr = std::shared_ptr<const goalsync::v1::Event>;

// A live subscriber of a workspace, fed by the EventLog's writer thread.
class LiveSink {
 public:
  virtual ~LiveSink() = default;
  // Hands over newly committed events, consecutive and in log order. Called with the
  // workspace lock held, so it must not block or call back into the workspace. Returns
  // false if the sink wants no more events (it is then dropped from the workspace).
  // Sets *wake if Wake() must be called once the lock is released.
  virtual bool Offer(const std::vector<EventPtr>& events, bool* wake) = 0;
  // Called without any workspace lock, after Offer asked for it or to close the sink.
  virtual void Wake() = 0;
  // Ends the subscription with `status` (shutdown). Called without any workspace lock.
  virtual void Close(const absl::Status& status) = 0;
};

// Who appends, when goalsyncd checks (not in --insecure-no-auth mode): the authenticated
// identity becomes every event's actor, and the role decides which events are allowed
// (core::AuthorizeEvent).
struct Writer {
  std::string actor;
  goalsync::v1::Role role = goalsync::v1::ROLE_UNSPECIFIED;
};

// A plan cut at one seq for paging out (PlanService.GetState), with the hash of that seq's
// event. Immutable.
struct PlanCut {
  core::StatePager pager;
  std::string head_hash;
};

// One plan per workspace, applied once per event by the stager. Readers see it only when no
// staged event is ahead of the committed head (ReadCommittedPlan), so a query never shows an
// event that is not yet durable.
struct Workspace {
  Workspace(std::string name, uint32_t id, bool registered, uint64_t seq, std::string hash,
            goalsync::v1::PlanState plan)
      : name(std::move(name)),
        id(id),
        registered(registered),
        tail_seq(seq),
        tail_hash(hash),
        committed_seq(seq),
        committed_hash(std::move(hash)),
        plan(std::move(plan)) {}

  const std::string name;
  const uint32_t id;
  // Set when the stored log could not be folded into a plan at load (tampering, or a kernel
  // that no longer accepts an old event): raw reads still work, so `goalctl log verify` can
  // find out why; appends and plan queries fail with it. Immutable after construction.
  absl::Status load_error;

  // Stager-only: whether meta maps the name to `id` (or will once the sealed groups are
  // written), the head including every event staged so far, and the log bytes staged since
  // the last snapshot (snapshots are written by size).
  bool registered;
  uint64_t tail_seq;
  std::string tail_hash;
  uint64_t bytes_since_snapshot = 0;

  absl::Mutex mu;
  // Every event up to committed_seq is durable and readable from the store.
  uint64_t committed_seq ABSL_GUARDED_BY(mu);
  std::string committed_hash ABSL_GUARDED_BY(mu);
  // The plan with every staged event applied (plan.seq() == tail_seq, at most two groups
  // ahead of committed_seq). The stager changes it under `mu`, event by event. Meaningful
  // only while `plan_loaded`.
  goalsync::v1::PlanState plan ABSL_GUARDED_BY(mu);
  // False once the plan was evicted: whoever needs it loads it again at committed_seq first
  // (EventLog::PinPlan, ReadCommittedPlan, AppendSealed). Only a plan with nothing staged ahead
  // of committed_seq, no reader waiting and no pin is evicted, so an unloaded plan has nothing
  // in flight. An evicted `plan` is empty with seq kEvictedSeq, which no event follows: a
  // stager that met one would have its events refused, never applied to a partial plan.
  bool plan_loaded ABSL_GUARDED_BY(mu) = true;
  static constexpr uint64_t kEvictedSeq = ~uint64_t{0};
  // Stagers staging into the plan now (EventLog::PinPlan): while any do, it is not evicted.
  int pins ABSL_GUARDED_BY(mu) = 0;
  // Readers waiting for the plan to be committed; the stager stages nothing into this
  // workspace while there are any, so a reader waits at most for the groups in flight.
  int readers_waiting ABSL_GUARDED_BY(mu) = 0;
  // Set when a group failed to be written: `plan` is ahead of the store for good and must be
  // rebuilt from it (at committed_seq) before anyone reads it.
  bool plan_stale ABSL_GUARDED_BY(mu) = false;
  // The last plan cut for paging, so that the pages after the first do not cut it again.
  std::shared_ptr<const PlanCut> cut ABSL_GUARDED_BY(mu);
  std::vector<std::shared_ptr<LiveSink>> sinks ABSL_GUARDED_BY(mu);
  // Set at shutdown: no new live subscribers.
  bool closed ABSL_GUARDED_BY(mu) = false;
  // When the workspace was last asked for, on the EventLog's use clock (least recently used
  // plans are evicted first).
  std::atomic<uint64_t> last_used{0};

  uint64_t CommittedSeq() {
    absl::MutexLock lock(&mu);
    return committed_seq;
  }
};

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_LOG_WORKSPACE_H_
