// EventLog's plan memory (--max-loaded-workspaces): which plans stay loaded, which are
// evicted, and the holds that keep a plan loaded between GetWorkspace and its use.
//
// Invariant: a plan is evicted only under its ws.mu, when it is loaded, nothing is staged
// ahead of the committed head (plan.seq() == committed_seq: the stager's tail is the
// plan's seq), no reader waits for it, and no thread holds it. So an unloaded plan has
// nothing in flight, and loading it at committed_seq gives the plan every later event
// follows. Lock order: registry_mu_, then one ws.mu, then loaded_mu_; holds_mu_ alone.
#include <algorithm>
#include <thread>
#include <utility>

#include "server/log/event_log.h"

namespace goalsync::server {
namespace {

// The EventLog this thread last took a hold in: a hint that spares threads that never hold
// (the writer) a lookup. Compared, never dereferenced.
thread_local const EventLog* t_holds_in = nullptr;

}  // namespace

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

absl::Status EventLog::HoldForThisThread(Workspace* ws, bool* loaded) {
  Workspace* before = nullptr;
  {
    absl::MutexLock lock(&holds_mu_);
    const std::thread::id me = std::this_thread::get_id();
    if (ws != nullptr) {
      before = std::exchange(holds_[me], ws);
    } else if (auto it = holds_.find(me); it != holds_.end()) {
      before = it->second;
      holds_.erase(it);
    }
  }
  absl::Status s;
  if (ws != nullptr) {
    t_holds_in = this;
    absl::MutexLock lock(&ws->mu);
    if (before != ws) ++ws->holds;
    // Held now, so not evicted from here on: the plan the caller gets stays.
    s = LoadPlanLocked(*ws, loaded);
  }
  if (before != nullptr && before != ws) {
    absl::MutexLock lock(&before->mu);
    --before->holds;
  }
  return s;
}

void EventLog::ReleaseHold() {
  if (t_holds_in != this) return;
  bool unused = false;
  (void)HoldForThisThread(nullptr, &unused);
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
    if (!ws->plan_loaded || ws->holds > 0 || ws->readers_waiting > 0 || ws->plan_stale ||
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
