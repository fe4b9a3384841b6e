// A follower's Replication.Follow stream to the leader: promise its epoch, tell it our log,
// then write what it sends (chain checked, synced), record its epoch mark, acknowledge.
#include <deque>
#include <map>

#include "absl/strings/str_cat.h"
#include "server/cluster/cluster_node.h"
#include "spdlog/spdlog.h"

namespace goalsync::server::cluster {

using goalsync::v1::FollowDown;
using goalsync::v1::FollowUp;

namespace {

// Most events written in one go (one synced batch per workspace) and held received.
constexpr size_t kMaxBatchEvents = 8192;
constexpr size_t kMaxQueuedEvents = 4 * kMaxBatchEvents;

size_t EventsIn(const FollowDown& down) {
  size_t n = 0;
  for (const auto& run : down.runs()) n += run.events_size();
  return n;
}

// The leader's messages received and not yet written, oldest first.
class Inbox {
 public:
  // Waits for room (or Stop), then queues `down`. False once stopped.
  bool Put(FollowDown down) {
    absl::MutexLock lock(&mu_);
    auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stopped_ || events_ < kMaxQueuedEvents;
    };
    mu_.Await(absl::Condition(&room));
    if (stopped_) return false;
    events_ += EventsIn(down);
    queue_.push_back(std::move(down));
    return true;
  }
  // Waits for a message (empty result once ended and drained), then takes every message
  // waiting, up to about `max_events` events (at least one message).
  std::deque<FollowDown> Take(size_t max_events) {
    absl::MutexLock lock(&mu_);
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !queue_.empty() || ended_ || stopped_;
    };
    mu_.Await(absl::Condition(&ready));
    std::deque<FollowDown> out;
    size_t events = 0;
    while (!stopped_ && !queue_.empty() &&
           (out.empty() || events + EventsIn(queue_.front()) <= max_events)) {
      events += EventsIn(queue_.front());
      out.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    events_ -= events;
    return out;
  }
  void End() {
    absl::MutexLock lock(&mu_);
    ended_ = true;
  }
  void Stop() {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
  }

 private:
  absl::Mutex mu_;
  std::deque<FollowDown> queue_ ABSL_GUARDED_BY(mu_);
  size_t events_ ABSL_GUARDED_BY(mu_) = 0;
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
};

void ReadInto(grpc::ClientReaderWriter<FollowUp, FollowDown>* stream, Inbox& inbox) {
  FollowDown down;
  while (stream->Read(&down)) {
    if (!inbox.Put(std::move(down))) return;
    down.Clear();
  }
  inbox.End();
}

}  // namespace

bool ClusterNode::ApplyBatch(uint64_t epoch, std::deque<FollowDown>& batch,
                             grpc::ClientReaderWriter<FollowUp, FollowDown>* stream,
                             std::string* restart_reason) {
  // Each workspace's events of every message, in order (the leader sends each workspace's
  // log consecutively), up to the first message this stream must not take.
  std::map<std::string, std::vector<goalsync::v1::Event>> runs;
  bool mark = false, go_on = true;
  for (FollowDown& down : batch) {
    if (down.epoch() != epoch) {
      go_on = false;
      break;
    }
    if (down.diverged()) {
      *restart_reason = "this node's log diverges from the leader's: cutting it back";
      go_on = false;
      break;
    }
    for (auto& run : *down.mutable_runs()) {
      auto& events = runs[run.workspace()];
      for (auto& e : *run.mutable_events()) events.push_back(std::move(e));
    }
    mark = mark || down.epoch_mark();
  }
  FollowUp ack_msg;
  auto* ack = ack_msg.mutable_ack();
  for (auto& [ws, events] : runs) {
    if (events.empty()) continue;
    const uint64_t last = events.back().seq();
    absl::Status applied = log_->AppendSealed(ws, std::move(events));
    if (absl::IsFailedPrecondition(applied)) {
      *restart_reason = absl::StrCat("replicated events do not follow this node's log (",
                                     applied.message(), "): cutting it back");
      return false;
    }
    if (!applied.ok()) {
      spdlog::error("cluster: writing replicated events: {}", applied.ToString());
      return false;
    }
    auto* h = ack->add_heads();
    h->set_workspace(ws);
    h->set_seq(last);
  }
  if (mark) {
    ReplicationState state;
    {
      absl::MutexLock lock(&mu_);
      state = state_;
    }
    state.last_epoch = epoch;
    if (absl::Status s = SaveReplicationState(*store_, state); !s.ok()) return false;
    absl::MutexLock lock(&mu_);
    state_.last_epoch = epoch;
    ack->set_marked(true);
  }
  if ((ack->heads_size() > 0 || mark) && !stream->Write(ack_msg)) return false;
  return go_on;
}

void ClusterNode::FollowOnce(uint64_t epoch, const std::string& address) {
  ReplicationState state;
  {
    absl::MutexLock lock(&mu_);
    if (epoch < state_.promised_epoch) return;  // a stale leader: wait for the next one
    state_.promised_epoch = epoch;
    state = state_;
  }
  // Durable before we tell the leader our log: from now on lower epochs are refused.
  if (absl::Status s = SaveReplicationState(*store_, state); !s.ok()) {
    spdlog::error("cluster: cannot record the promise of epoch {}: {}", epoch, s.ToString());
    return;
  }
  auto stub = goalsync::v1::Replication::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  {
    absl::MutexLock lock(&mu_);
    // The observer cancels follow_ctx_ when the leader changes; if it changed before the
    // context was published, that cancel missed this stream, which could then hang on a
    // replaced (paused) leader: follow the new one instead.
    if (stopping_ || role_ != Role::kFollower || leader_epoch_ != epoch) return;
    follow_ctx_ = &ctx;
  }
  auto stream = stub->Follow(&ctx);
  FollowUp up;
  auto* hello = up.mutable_hello();
  hello->set_node_id(options_.node_id);
  hello->set_epoch(epoch);
  hello->set_last_epoch(state.last_epoch);
  if (auto all = store_->ListWorkspaces(); all.ok()) {
    for (const auto& [name, rec] : *all) {
      auto* h = hello->add_heads();
      h->set_workspace(name);
      h->set_seq(rec.head_seq);
      h->set_hash(rec.head_hash);
    }
  }
  std::string restart_reason;
  if (stream->Write(up)) {
    // A reader thread takes the leader's messages as they come; this one writes everything
    // waiting at once (one synced batch per workspace) and acks once. A follower that falls
    // behind a fast leader so catches up with fewer fsyncs instead of one per group.
    Inbox inbox;
    std::thread reader([&] { ReadInto(stream.get(), inbox); });
    for (bool more = true; more;) {
      std::deque<FollowDown> batch = inbox.Take(kMaxBatchEvents);
      if (batch.empty()) break;  // the stream ended
      more = ApplyBatch(epoch, batch, stream.get(), &restart_reason);
    }
    inbox.Stop();
    ctx.TryCancel();
    reader.join();
  }
  ctx.TryCancel();
  grpc::Status finished = stream->Finish();
  {
    absl::MutexLock lock(&mu_);
    follow_ctx_ = nullptr;
  }
  if (!restart_reason.empty() && !Stopping()) Restart(restart_reason, address);
  if (!finished.ok() && finished.error_code() != grpc::StatusCode::CANCELLED) {
    spdlog::debug("cluster: follow stream to {} ended: {}", address, finished.error_message());
  }
}

}  // namespace goalsync::server::cluster
