// The leader's side of one follower's Replication.Follow stream: take its hello (promise and
// log), check its log is a prefix of ours, then send it what it lacks from our store, the
// epoch mark once it holds our starting log, and every group after; count its acks.
#include <map>

#include "absl/strings/str_cat.h"
#include "server/cluster/cluster_node.h"
#include "spdlog/spdlog.h"

namespace goalsync::server::cluster {

using goalsync::v1::FollowDown;
using goalsync::v1::FollowUp;

namespace {

// Most events in one FollowDown: bounds the message and the follower's synced batch.
constexpr size_t kMaxEventsPerMessage = 2048;

// Whether the follower's head `h` lies on our chain.
bool OnOurChain(LogStore& store, const goalsync::v1::WorkspaceHead& h) {
  if (h.seq() == 0) return true;
  absl::StatusOr<WorkspaceRecord> rec = store.FindWorkspace(h.workspace());
  if (!rec.ok() || rec->head_seq < h.seq()) return false;
  absl::StatusOr<goalsync::v1::Event> e = store.ReadEvent(rec->id, h.seq());
  return e.ok() && e->hash() == h.hash();
}

}  // namespace

grpc::Status ClusterNode::ServeFollower(grpc::ServerContext* ctx,
                                        grpc::ServerReaderWriter<FollowDown, FollowUp>* stream) {
  FollowUp up;
  if (!stream->Read(&up) || !up.has_hello()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "Follow starts with a hello");
  }
  const goalsync::v1::FollowHello hello = up.hello();
  const uint64_t epoch = hello.epoch();
  const std::string id = hello.node_id();
  uint64_t stream_id;
  // This stream's own entry for the follower (a newer stream of it may have replaced it).
  auto mine = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) -> Follower* {
    auto it = followers_.find(id);
    return it != followers_.end() && it->second.stream == stream_id ? &it->second : nullptr;
  };
  {
    absl::MutexLock lock(&mu_);
    if (role_ == Role::kFollower || my_epoch_ != epoch) {
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                          absl::StrCat(options_.node_id, " does not lead epoch ", epoch));
    }
    stream_id = ++follower_streams_;
    followers_[id] = Follower{.epoch = epoch, .stream = stream_id, .hello = hello};
    // Serve only once the epoch has started (StartEpoch reads the hellos first).
    auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stopping_ || role_ != Role::kStarting || my_epoch_ != epoch || ctx->IsCancelled();
    };
    mu_.Await(absl::Condition(&ready));
    if (stopping_ || role_ != Role::kLeader || my_epoch_ != epoch) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "the leader is stepping down");
    }
  }
  std::map<std::string, uint64_t> sent;
  for (const auto& h : hello.heads()) {
    if (!OnOurChain(*store_, h)) {
      spdlog::warn("cluster: {}'s log of {} (seq {}) is not on ours: it cuts back", id,
                   h.workspace(), h.seq());
      FollowDown down;
      down.set_epoch(epoch);
      down.set_diverged(true);
      stream->Write(down);
      absl::MutexLock lock(&mu_);
      if (mine() != nullptr) followers_.erase(id);
      return grpc::Status::OK;
    }
    sent[h.workspace()] = h.seq();
  }
  {
    absl::MutexLock lock(&mu_);
    Follower* f = mine();
    if (f == nullptr) return grpc::Status(grpc::StatusCode::ABORTED, "a newer stream replaced it");
    for (const auto& [ws, seq] : sent) f->acked[ws] = seq;
  }
  bool reader_done = false;
  std::thread reader([&] {
    FollowUp ack;
    while (stream->Read(&ack)) {
      if (!ack.has_ack()) continue;
      absl::MutexLock lock(&mu_);
      Follower* f = mine();
      if (f == nullptr) continue;
      for (const auto& h : ack.ack().heads()) {
        f->acked[h.workspace()] = std::max(f->acked[h.workspace()], h.seq());
      }
      if (ack.ack().marked()) f->marked = true;
    }
    absl::MutexLock lock(&mu_);
    reader_done = true;
  });
  uint64_t seen = 0;
  bool mark_sent = false;
  for (;;) {
    std::map<std::string, std::pair<uint32_t, uint64_t>> heads;
    std::map<std::string, uint64_t> base;
    {
      absl::MutexLock lock(&mu_);
      auto work = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || role_ != Role::kLeader || my_epoch_ != epoch || reader_done ||
               mine() == nullptr || heads_version_ != seen;
      };
      mu_.Await(absl::Condition(&work));
      if (stopping_ || role_ != Role::kLeader || my_epoch_ != epoch || reader_done ||
          mine() == nullptr) {
        break;
      }
      seen = heads_version_;
      heads = heads_;
      base = base_;
    }
    FollowDown down;
    down.set_epoch(epoch);
    size_t events = 0;
    bool more = false;
    for (const auto& [ws, head] : heads) {
      uint64_t& at = sent[ws];
      if (at >= head.second) continue;
      if (events >= kMaxEventsPerMessage) {
        more = true;
        break;
      }
      std::vector<goalsync::v1::Event> page;
      if (absl::Status s = store_->ReadEvents(head.first, at + 1, head.second,
                                              kMaxEventsPerMessage - events, &page);
          !s.ok() || page.empty()) {
        spdlog::error("cluster: reading {} for {}: {}", ws, id, s.ToString());
        more = true;
        break;
      }
      auto* run = down.add_runs();
      run->set_workspace(ws);
      for (auto& e : page) *run->add_events() = std::move(e);
      events += page.size();
      at = run->events(run->events_size() - 1).seq();
      if (at < head.second) more = true;
    }
    if (!mark_sent) {
      bool holds_base = true;
      for (const auto& [ws, seq] : base) {
        if (sent[ws] < seq) holds_base = false;
      }
      if (holds_base) {
        down.set_epoch_mark(true);
        mark_sent = true;
      }
    }
    if (more) seen = 0;  // send the rest without waiting for a new group
    if (down.runs().empty() && !down.epoch_mark()) continue;
    if (!stream->Write(down)) break;
  }
  ctx->TryCancel();
  reader.join();
  absl::MutexLock lock(&mu_);
  if (mine() != nullptr) followers_.erase(id);
  return grpc::Status::OK;
}

}  // namespace goalsync::server::cluster
