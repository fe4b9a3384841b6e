// The leader's side of one follower's Replication.Follow stream: take its hello (promise and
// log), check its log is a prefix of ours, then send it what it lacks (from our store, or
// from memory for the groups shipped lately: those may not be in our store yet), the epoch
// mark once it holds our starting log, and every group after; count its acks.
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

bool ClusterNode::ShippedHolds(const goalsync::v1::WorkspaceHead& h) {
  absl::MutexLock lock(&mu_);
  auto tail = shipped_.find(h.workspace());
  if (tail == shipped_.end() || h.seq() < tail->second.events.front()->seq() ||
      h.seq() > tail->second.events.back()->seq()) {
    return false;
  }
  const size_t i = h.seq() - tail->second.events.front()->seq();
  return tail->second.events[i]->hash() == h.hash();
}

std::vector<ClusterNode::Slice> ClusterNode::NextSlices(std::map<std::string, uint64_t>& sent,
                                                      size_t budget, bool* more) {
  std::vector<Slice> out;
  auto add = [&](const std::string& ws, uint32_t ws_id, uint64_t durable,
                 const ShippedTail* tail) {
    uint64_t& at = sent[ws];
    const uint64_t top = tail != nullptr ? tail->events.back()->seq() : durable;
    if (at >= top) return;
    if (budget == 0) {
      *more = true;
      return;
    }
    Slice slice{.workspace = ws, .ws_id = ws_id};
    const uint64_t first_shipped = tail != nullptr ? tail->events.front()->seq() : top + 1;
    if (at + 1 < first_shipped) {
      // Older than what memory holds, so durable here: from the store. (Memory drops only
      // events at or below the durable head.)
      slice.from = at + 1;
      slice.to = std::min({first_shipped - 1, durable, at + budget});
    } else {
      auto from = tail->events.begin() + static_cast<ptrdiff_t>(at + 1 - first_shipped);
      const size_t n = std::min<size_t>(budget, tail->events.end() - from);
      slice.shipped.assign(from, from + static_cast<ptrdiff_t>(n));
      slice.to = slice.from - 1;  // nothing from the store
    }
    const size_t n = slice.shipped.empty() ? slice.to - slice.from + 1 : slice.shipped.size();
    if (n == 0) return;  // cannot happen: what the store must give is durable
    budget -= n;
    // A store slice advances `at` once read (ServeFollower); a shipped one now.
    if (!slice.shipped.empty()) at = slice.shipped.back()->seq();
    if (slice.to < top && slice.shipped.empty()) *more = true;
    if (!slice.shipped.empty() && at < top) *more = true;
    out.push_back(std::move(slice));
  };
  for (const auto& [ws, tail] : shipped_) {
    auto durable = heads_.find(ws);
    add(ws, tail.ws_id, durable != heads_.end() ? durable->second.second : 0, &tail);
  }
  for (const auto& [ws, head] : heads_) {
    if (!shipped_.contains(ws)) add(ws, head.first, head.second, nullptr);
  }
  return out;
}

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
    if (!ShippedHolds(h) && !OnOurChain(*store_, h)) {
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
    std::vector<Slice> slices;
    std::map<std::string, uint64_t> base;
    bool more = false;
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
      slices = NextSlices(sent, kMaxEventsPerMessage, &more);
      base = base_;
    }
    FollowDown down;
    down.set_epoch(epoch);
    bool failed = false;
    for (const Slice& slice : slices) {
      auto* run = down.add_runs();
      run->set_workspace(slice.workspace);
      for (const EventPtr& e : slice.shipped) *run->add_events() = *e;
      if (slice.from > slice.to) continue;
      std::vector<goalsync::v1::Event> page;
      if (absl::Status s = store_->ReadEvents(slice.ws_id, slice.from, slice.to,
                                              slice.to - slice.from + 1, &page);
          !s.ok() || page.empty()) {
        // Everything asked for is durable here: a failed read is the store's.
        spdlog::error("cluster: reading {} {}..{} for {}: {}", slice.workspace, slice.from,
                      slice.to, id, s.ToString());
        failed = true;
        break;
      }
      // A page may stop short (a byte bound): the rest goes in the next message.
      sent[slice.workspace] = page.back().seq();
      if (page.back().seq() < slice.to) more = true;
      for (auto& e : page) *run->add_events() = std::move(e);
    }
    if (failed) break;
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
