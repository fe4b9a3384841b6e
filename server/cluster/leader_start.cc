// The start of a leader's epoch (docs/cluster.md, "Leader change"): promise, collect the
// logs of a majority, adopt per workspace the greatest (last_epoch, seq), mark the epoch.
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/cluster/cluster_node.h"
#include "spdlog/spdlog.h"

namespace goalsync::server::cluster {
namespace {

struct Candidate {
  std::string node_id;
  uint64_t last_epoch = 0;
  uint64_t seq = 0;
  std::string hash;
};

bool Better(const Candidate& a, const Candidate& b) {
  return a.last_epoch != b.last_epoch ? a.last_epoch > b.last_epoch : a.seq > b.seq;
}

std::unique_ptr<goalsync::v1::Replication::Stub> StubFor(const std::string& address) {
  return goalsync::v1::Replication::NewStub(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
}

}  // namespace

absl::Status ClusterNode::StartEpoch(uint64_t epoch) {
  const absl::Time started = absl::Now();
  ReplicationState state;
  {
    absl::MutexLock lock(&mu_);
    state_.promised_epoch = std::max(state_.promised_epoch, epoch);
    state = state_;
    // Our own follow stream ends before we read our log.
    mu_.Await(absl::Condition(&follow_idle_));
  }
  if (absl::Status s = SaveReplicationState(*store_, state); !s.ok()) return s;
  // A majority (us included) must have promised this epoch and told us their logs.
  const int majority = GroupSize() / 2 + 1;
  std::map<std::string, goalsync::v1::FollowHello> hellos;
  {
    absl::MutexLock lock(&mu_);
    auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      if (stopping_) return true;
      int n = 1;
      for (const auto& [id, f] : followers_) n += f.epoch == epoch ? 1 : 0;
      return n >= majority;
    };
    if (!mu_.AwaitWithTimeout(absl::Condition(&enough), 4 * options_.lease_ttl)) {
      return absl::UnavailableError(absl::StrCat("fewer than ", majority,
                                                 " members answered the new leader"));
    }
    if (stopping_) return absl::CancelledError("stopping");
    for (const auto& [id, f] : followers_) {
      if (f.epoch == epoch) hellos[id] = f.hello;
    }
  }
  // Per workspace, the best log among us and them.
  std::map<std::string, Candidate> best;
  absl::StatusOr<std::vector<std::pair<std::string, WorkspaceRecord>>> own = store_->ListWorkspaces();
  if (!own.ok()) return own.status();
  std::map<std::string, Candidate> mine;
  for (const auto& [name, rec] : *own) {
    mine[name] = {options_.node_id, state.last_epoch, rec.head_seq, rec.head_hash};
    best[name] = mine[name];
  }
  for (const auto& [id, hello] : hellos) {
    for (const auto& h : hello.heads()) {
      Candidate c{id, hello.last_epoch(), h.seq(), h.hash()};
      auto it = best.find(h.workspace());
      if (it == best.end() || Better(c, it->second)) best[h.workspace()] = c;
    }
  }
  absl::StatusOr<std::vector<KeyValue>> members = etcd_.RangePrefix(options_.Prefix() + "members/");
  if (!members.ok()) return members.status();
  std::map<std::string, std::string> addresses;
  for (const KeyValue& kv : *members) {
    addresses[kv.key.substr(kv.key.rfind('/') + 1)] = kv.value;
  }
  for (const auto& [name, b] : best) {
    if (b.node_id == options_.node_id) continue;
    const Candidate m = mine.count(name) ? mine[name] : Candidate{options_.node_id, 0, 0, ""};
    if (b.seq <= m.seq && (b.seq < m.seq || b.hash != m.hash)) {
      // Our tail is not on the adopted log: cut it (at restart) against the node that has it.
      start_hint_ = addresses[b.node_id];
      return absl::FailedPreconditionError(absl::StrCat("own log of ", name, " (seq ", m.seq,
                                                        ") is not on ", b.node_id, "'s"));
    }
    if (b.seq == m.seq) continue;
    auto stub = StubFor(addresses[b.node_id]);
    if (m.seq > 0) {
      grpc::ClientContext ctx;
      ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(3)));
      goalsync::v1::ChainAtRequest req;
      req.set_workspace(name);
      req.set_seq(m.seq);
      goalsync::v1::ChainAtResponse resp;
      grpc::Status s = stub->ChainAt(&ctx, req, &resp);
      if (!s.ok()) return absl::UnavailableError(absl::StrCat("ChainAt on ", b.node_id, ": ",
                                                              s.error_message()));
      if (!resp.found() || resp.hash() != m.hash) {
        start_hint_ = addresses[b.node_id];
        return absl::FailedPreconditionError(absl::StrCat("own log of ", name,
                                                          " diverges from ", b.node_id, "'s"));
      }
    }
    for (uint64_t from = m.seq + 1; from <= b.seq;) {
      grpc::ClientContext ctx;
      ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
      goalsync::v1::FetchRequest req;
      req.set_workspace(name);
      req.set_from_seq(from);
      req.set_to_seq(b.seq);
      req.set_max_events(1024);
      goalsync::v1::ReplicatedRun run;
      grpc::Status s = stub->Fetch(&ctx, req, &run);
      if (!s.ok() || run.events().empty()) {
        return absl::UnavailableError(absl::StrCat("fetching ", name, " from ", b.node_id, ": ",
                                                   s.error_message()));
      }
      std::vector<goalsync::v1::Event> events(run.events().begin(), run.events().end());
      if (absl::Status a = log_->AppendSealed(name, events); !a.ok()) return a;
      from = events.back().seq() + 1;
    }
    spdlog::info("cluster: adopted {} up to seq {} from {}", name, b.seq, b.node_id);
  }
  state.last_epoch = epoch;
  if (absl::Status s = SaveReplicationState(*store_, state); !s.ok()) return s;
  own = store_->ListWorkspaces();
  if (!own.ok()) return own.status();
  {
    absl::MutexLock lock(&mu_);
    state_.last_epoch = epoch;
    base_.clear();
    for (const auto& [name, rec] : *own) {
      heads_[name] = {rec.id, rec.head_seq};
      base_[name] = rec.head_seq;
    }
    ++heads_version_;
    role_ = Role::kLeader;
  }
  spdlog::info("cluster: node {} leads epoch {}, serving after {}", options_.node_id, epoch,
               absl::FormatDuration(absl::Now() - started));
  return absl::OkStatus();
}

}  // namespace goalsync::server::cluster
