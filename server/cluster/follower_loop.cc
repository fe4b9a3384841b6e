// A follower's Replication.Follow stream to the leader: promise its epoch, tell it our log,
// then write what it sends (chain checked, synced), record its epoch mark, acknowledge.
#include "absl/strings/str_cat.h"
#include "server/cluster/cluster_node.h"
#include "spdlog/spdlog.h"

namespace goalsync::server::cluster {

using goalsync::v1::FollowDown;
using goalsync::v1::FollowUp;

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
    FollowDown down;
    while (stream->Read(&down)) {
      if (down.epoch() != epoch) break;
      if (down.diverged()) {
        restart_reason = "this node's log diverges from the leader's: cutting it back";
        break;
      }
      FollowUp ack_msg;
      auto* ack = ack_msg.mutable_ack();
      absl::Status applied;
      for (const auto& run : down.runs()) {
        std::vector<goalsync::v1::Event> events(run.events().begin(), run.events().end());
        applied = log_->AppendSealed(run.workspace(), events);
        if (!applied.ok()) break;
        auto* h = ack->add_heads();
        h->set_workspace(run.workspace());
        h->set_seq(events.back().seq());
      }
      if (absl::IsFailedPrecondition(applied)) {
        restart_reason = absl::StrCat("replicated events do not follow this node's log (",
                                      applied.message(), "): cutting it back");
        break;
      }
      if (!applied.ok()) {
        spdlog::error("cluster: writing replicated events: {}", applied.ToString());
        break;
      }
      if (down.epoch_mark()) {
        state.last_epoch = epoch;
        if (absl::Status s = SaveReplicationState(*store_, state); !s.ok()) break;
        absl::MutexLock lock(&mu_);
        state_.last_epoch = epoch;
        ack->set_marked(true);
      }
      if (!stream->Write(ack_msg)) break;
    }
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
