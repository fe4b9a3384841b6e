// EventLog's plan memory (--max-loaded-workspaces): which plans stay loaded and which are
// evicted. A plan is loaded where it is used, under ws.mu: by the reader
// (ReadCommittedPlan), by a follower's write (AppendSealed), and by PinPlan for the stager.
//
// Invariant: a plan is evicted only under its ws.mu, when it is loaded, nothing is staged
// ahead of the committed head (plan.seq() == committed_seq: the stager's tail is the
// plan's seq), no reader waits for it, and nobody stages into it (pins). So an unloaded plan
// has nothing in flight, and loading it at committed_seq gives the plan every later event
// follows. Lock order: registry_mu_, then one ws.mu, then loaded_mu_.
#include <algorithm>
#include <utility>

#include "server/log/event_log.h"

namespace goalsync::server {
size_t EventLog::LoadedWorkspaces() {
  absl::MutexLock lock(&loaded_mu_);
  return loaded_.size();
}

absl::Status EventLog::LoadPlanLocked(Workspace& ws, bool* loaded) {
  if (ws.plan_loaded || !ws.load_error.ok()) return absl::OkStatus();
  absl::StatusOr<goalsync::v1::PlanState> plan = Rebuild(ws.id, ws.name, ws.committed_seq);
  if (!plan.ok()) return plan.status();
  ws.plan = std::move(*plan);
  ws.plan_loaded = true;
  ws.plan_stale = false;
  absl::MutexLock lock(&loaded_mu_);
  loaded_.push_back(&ws);
  *loaded = true;
  return absl::OkStatus();
}

absl::Status EventLog::PinPlan(Workspace& ws) {
  bool loaded = false;
  {
    absl::MutexLock lock(&ws.mu);
    if (absl::Status s = LoadPlanLocked(ws, &loaded); !s.ok()) return s;
    ++ws.pins;
  }
  if (loaded) EvictIdlePlans();  // never this one: it is pinned
  return absl::OkStatus();
}

void EventLog::UnpinPlan(Workspace& ws) {
  absl::MutexLock lock(&ws.mu);
  --ws.pins;
}

void EventLog::EvictIdlePlans() {
  const size_t max = options_.max_loaded_workspaces;
  if (max == 0) return;
  std::vector<Workspace*> oldest_first;
  {
    absl::MutexLock lock(&loaded_mu_);
    if (loaded_.size() <= max) return;
    oldest_first = loaded_;
  }
  std::sort(oldest_first.begin(), oldest_first.end(), [](Workspace* a, Workspace* b) {
    return a->last_used.load(std::memory_order_relaxed) < b->last_used.load(std::memory_order_relaxed);
  });
  // Freed once every lock is released: a big plan takes a while to destroy.
  std::vector<goalsync::v1::PlanState> evicted;
  std::vector<std::shared_ptr<const PlanCut>> cuts;
  for (Workspace* ws : oldest_first) {
    absl::MutexLock lock(&ws->mu);
    if (!ws->plan_loaded || ws->pins > 0 || ws->readers_waiting > 0 || ws->plan_stale ||
        ws->plan.seq() != ws->committed_seq) {
      continue;  // in use: staged ahead, read, or held
    }
    absl::MutexLock loaded_lock(&loaded_mu_);
    if (loaded_.size() <= max) break;
    evicted.emplace_back().Swap(&ws->plan);
    ws->plan.set_seq(Workspace::kEvictedSeq);
    ws->plan_loaded = false;
    cuts.push_back(std::move(ws->cut));
    ws->cut.reset();
    std::erase(loaded_, ws);
  }
}

}  // namespace goalsync::server
