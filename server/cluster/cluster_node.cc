#include "server/cluster/cluster_node.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "core/refusal.h"
#include "spdlog/spdlog.h"

namespace goalsync::server::cluster {

namespace {

// A leader that cannot get a group onto enough members within this many lease TTLs steps
// down (cut off from its followers): about as long as etcd takes to replace a dead leader.
constexpr double kQuorumWait = 1.5;

// Whether `won` (a Campaign's answer under `lease`) still leads: etcd also ends a campaign
// whose own key went with its expired lease, and after a stall it may end one whose lease
// has expired but is not revoked yet (a keep-alive then waits for the revocation).
bool StillLeads(EtcdClient& etcd, const std::string& election, const LeaderInfo& won,
                int64_t lease) {
  absl::StatusOr<LeaderInfo> now = etcd.Leader(election);
  return now.ok() && now->key == won.key && now->epoch == won.epoch &&
         etcd.KeepAliveOnce(lease).ok();
}

}  // namespace

absl::StatusOr<AckMode> ParseAckMode(const std::string& text) {
  if (text == "majority") return AckMode::kMajority;
  if (text == "all") return AckMode::kAll;
  if (text == "leader") return AckMode::kLeader;
  return absl::InvalidArgumentError(
      absl::StrCat("--replication-acks ", text, ": use majority, all or leader"));
}

const char* AckModeName(AckMode mode) {
  switch (mode) {
    case AckMode::kMajority: return "majority";
    case AckMode::kAll: return "all";
    case AckMode::kLeader: return "leader";
  }
  return "?";
}

ClusterNode::ClusterNode(ClusterOptions options)
    : options_(std::move(options)), etcd_(options_.etcd) {}

ClusterNode::~ClusterNode() { Stop(); }

bool ClusterNode::Stopping() {
  absl::MutexLock lock(&mu_);
  return stopping_;
}

int ClusterNode::GroupSize() {
  absl::MutexLock lock(&mu_);
  return std::max(options_.cluster_size, registered_members_);
}

int ClusterNode::AcksNeeded() {
  const int n = GroupSize();
  switch (options_.acks) {
    case AckMode::kMajority: return n / 2 + 1;
    case AckMode::kAll: return n;
    case AckMode::kLeader: return 1;
  }
  return n;
}

absl::Status ClusterNode::Start(EventLog& log, LogStore& store) {
  log_ = &log;
  store_ = &store;
  data_dir_ = store.options().dir;
  absl::StatusOr<ReplicationState> state = LoadReplicationState(store);
  if (!state.ok()) return state.status();
  absl::StatusOr<int64_t> lease = absl::UnavailableError("not tried");
  // etcd may start after us (a whole group booting): wait for it, boundedly.
  for (int attempt = 0; attempt < 60 && !lease.ok(); ++attempt) {
    lease = etcd_.GrantLease(options_.lease_ttl);
    if (!lease.ok()) {
      spdlog::warn("cluster: etcd not reachable ({}), retrying", lease.status().ToString());
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Milliseconds(500));
    }
  }
  if (!lease.ok()) return lease.status();
  const std::string prefix = options_.Prefix();
  if (absl::Status s = etcd_.Put(prefix + "members/" + options_.node_id, options_.advertise);
      !s.ok()) {
    return s;
  }
  // Beside the member record, not in it: members/ values stay plain addresses.
  if (!options_.public_key_pem.empty()) {
    if (absl::Status s = etcd_.Put(prefix + "keys/" + options_.node_id, options_.public_key_pem);
        !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = etcd_.Put(prefix + "alive/" + options_.node_id, options_.advertise, *lease);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<std::vector<KeyValue>> members = etcd_.RangePrefix(prefix + "members/");
  {
    absl::MutexLock lock(&mu_);
    state_ = *state;
    lease_ = *lease;
    if (members.ok()) registered_members_ = static_cast<int>(members->size());
  }
  spdlog::info("cluster {}: node {} at {} joined (promised epoch {}, last epoch {}, acks {})",
               options_.cluster_name, options_.node_id, options_.advertise,
               state->promised_epoch, state->last_epoch, AckModeName(options_.acks));
  lease_thread_ = std::thread([this] { RunLease(); });
  observer_thread_ = std::thread([this] { RunObserver(); });
  follow_thread_ = std::thread([this] { RunFollow(); });
  campaign_thread_ = std::thread([this] { RunCampaign(); });
  return absl::OkStatus();
}

void ClusterNode::Stop() {
  LeaderInfo mine;
  int64_t lease = 0;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
    if (follow_ctx_ != nullptr) follow_ctx_->TryCancel();
    if (role_ != Role::kFollower) mine = my_leadership_;
    lease = lease_;
  }
  etcd_.CancelCampaign();
  etcd_.CancelObserve();
  if (!mine.key.empty()) (void)etcd_.Resign(mine);
  if (lease != 0) (void)etcd_.RevokeLease(lease);
  for (std::thread* t : {&lease_thread_, &campaign_thread_, &observer_thread_, &follow_thread_}) {
    if (t->joinable()) t->join();
  }
}

void ClusterNode::Restart(const std::string& reason, const std::string& truncate_against) {
  LeaderInfo mine;
  int64_t lease = 0;
  {
    absl::MutexLock lock(&mu_);
    if (role_ != Role::kFollower) mine = my_leadership_;
    lease = lease_;
  }
  // Hand leadership on at once rather than after the lease's TTL.
  if (!mine.key.empty()) (void)etcd_.Resign(mine);
  if (lease != 0) (void)etcd_.RevokeLease(lease);
  RestartInPlace(options_.argv, data_dir_, reason, truncate_against);
}

absl::Status ClusterNode::Admit() {
  absl::MutexLock lock(&mu_);
  if (role_ == Role::kLeader) return absl::OkStatus();
  goalsync::v1::Refusal refusal;
  refusal.set_reason(goalsync::v1::Refusal::NOT_LEADER);
  std::string where;
  if (role_ == Role::kStarting) {
    refusal.set_leader_address(options_.advertise);
    refusal.set_leader_node_id(options_.node_id);
    where = "this node is the new leader and is catching up: retry in a moment";
  } else if (!leader_address_.empty() && leader_id_ != options_.node_id) {
    refusal.set_leader_address(leader_address_);
    refusal.set_leader_node_id(leader_id_);
    where = absl::StrCat("send appends to the leader, ", leader_id_, " at ", leader_address_);
  } else {
    where = "no leader is elected yet: retry in a moment";
  }
  return core::WithRefusal(
      absl::UnavailableError(absl::StrCat("node ", options_.node_id, " is not the leader of ",
                                          options_.cluster_name, ": ", where)),
      refusal);
}

absl::Status ClusterNode::Replicate(const std::vector<Replicator::Head>& heads) {
  const int needed = AcksNeeded();
  absl::MutexLock lock(&mu_);
  if (role_ != Role::kLeader) {
    return absl::UnavailableError("this node lost its leadership before the group was replicated");
  }
  const uint64_t epoch = my_epoch_;
  for (const Replicator::Head& h : heads) {
    auto& [id, seq] = heads_[h.workspace];
    id = h.ws_id;
    seq = std::max(seq, h.seq);
  }
  ++heads_version_;
  auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (stopping_ || role_ != Role::kLeader || my_epoch_ != epoch) return true;
    int copies = 1;  // ours: written before the hook
    for (const auto& [id, f] : followers_) {
      if (!f.marked || f.epoch != epoch) continue;
      bool has_all = true;
      for (const Replicator::Head& h : heads) {
        auto it = f.acked.find(h.workspace);
        if (it == f.acked.end() || it->second < h.seq) has_all = false;
      }
      if (has_all) ++copies;
    }
    return copies >= needed;
  };
  // A leader that cannot reach enough members for this long steps down, so that one that
  // can (the partition's other side) takes over.
  const bool done = mu_.AwaitWithTimeout(absl::Condition(&enough), kQuorumWait * options_.lease_ttl);
  if (stopping_ || role_ != Role::kLeader || my_epoch_ != epoch) {
    return absl::UnavailableError("this node lost its leadership before the group was replicated");
  }
  if (!done) {
    mu_.Unlock();
    Restart(absl::StrCat("no ", needed, " copies of a group within ",
                         absl::FormatDuration(kQuorumWait * options_.lease_ttl), ": stepping down"));
  }
  return absl::OkStatus();
}

void ClusterNode::RunLease() {
  absl::Time last_ok = absl::Now();
  for (;;) {
    int64_t lease;
    Role role;
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.lease_ttl / 4)) return;
      lease = lease_;
      role = role_;
    }
    absl::StatusOr<int64_t> ttl = etcd_.KeepAliveOnce(lease);
    if (ttl.ok()) {
      last_ok = absl::Now();
    } else if (absl::IsNotFound(ttl.status())) {
      if (Stopping()) return;
      // Its leadership (if it led or was starting to) ended with the lease. A follower had
      // none: restarting it too would take every member down at once after an etcd stall
      // longer than the TTL, and the group could not serve until a majority was back.
      if (role != Role::kFollower) {
        Restart("this node's etcd lease expired (paused or cut off from etcd)");
      }
      if (!RenewLease()) return;
      last_ok = absl::Now();
    } else if (role != Role::kFollower && absl::Now() - last_ok > options_.lease_ttl * 3 / 4) {
      // Cut off from etcd: our lease is about to expire and another node to lead.
      if (!Stopping()) Restart("the leader cannot reach etcd: stepping down before its lease ends");
      return;
    }
    absl::StatusOr<std::vector<KeyValue>> members =
        etcd_.RangePrefix(options_.Prefix() + "members/");
    if (members.ok()) {
      absl::MutexLock lock(&mu_);
      registered_members_ = static_cast<int>(members->size());
    }
  }
}

bool ClusterNode::RenewLease() {
  const std::string alive = options_.Prefix() + "alive/" + options_.node_id;
  for (;;) {
    absl::StatusOr<int64_t> lease = etcd_.GrantLease(options_.lease_ttl);
    absl::Status put = lease.ok() ? etcd_.Put(alive, options_.advertise, *lease) : lease.status();
    if (put.ok()) {
      bool stopping, leading;
      {
        absl::MutexLock lock(&mu_);
        stopping = stopping_;
        leading = role_ != Role::kFollower;
        if (!stopping && !leading) lease_ = *lease;
      }
      if (stopping || leading) (void)etcd_.RevokeLease(*lease);  // Stop() revoked the old one
      if (stopping) return false;
      // It won with the old lease meanwhile: that leadership ended with the lease too.
      if (leading) Restart("this node's etcd lease expired while it started to lead");
      // The campaign under the old lease is void (its key went with it): campaign anew.
      etcd_.InterruptCampaign();
      spdlog::warn("cluster: node {}'s etcd lease expired; it follows on under a new one",
                   options_.node_id);
      return true;
    }
    if (lease.ok()) (void)etcd_.RevokeLease(*lease);
    spdlog::warn("cluster: cannot renew node {}'s etcd lease ({}), retrying", options_.node_id,
                 put.ToString());
    absl::MutexLock lock(&mu_);
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), options_.lease_ttl / 4)) return false;
  }
}

void ClusterNode::RunCampaign() {
  const std::string election = options_.Prefix() + "election";
  for (;;) {
    int64_t lease;
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      lease = lease_;
    }
    absl::StatusOr<LeaderInfo> won =
        etcd_.Campaign(election, lease, absl::StrCat(options_.node_id, " ", options_.advertise));
    if (won.ok() && !StillLeads(etcd_, election, *won, lease)) {
      won = absl::AbortedError("the campaign's key is gone (its lease expired)");
    }
    if (!won.ok()) {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Milliseconds(300))) return;
      continue;
    }
    spdlog::info("cluster: node {} won the election, epoch {}", options_.node_id, won->epoch);
    {
      absl::MutexLock lock(&mu_);
      role_ = Role::kStarting;
      my_leadership_ = *won;
      my_epoch_ = static_cast<uint64_t>(won->epoch);
      if (follow_ctx_ != nullptr) follow_ctx_->TryCancel();
    }
    absl::Status started = StartEpoch(static_cast<uint64_t>(won->epoch));
    if (!started.ok() && !Stopping()) {
      Restart(absl::StrCat("could not start epoch ", won->epoch, ": ", started.message()),
              start_hint_);
    }
    return;  // leader until this process restarts
  }
}

void ClusterNode::RunObserver() {
  const std::string election = options_.Prefix() + "election";
  while (!Stopping()) {
    bool lost = false;
    absl::Status s = etcd_.Observe(election, [&](const LeaderInfo& l) {
      std::vector<std::string> parts = absl::StrSplit(l.value, absl::MaxSplits(' ', 1));
      absl::MutexLock lock(&mu_);
      leader_id_ = parts[0];
      leader_address_ = parts.size() > 1 ? parts[1] : "";
      const uint64_t before = leader_epoch_;
      leader_epoch_ = static_cast<uint64_t>(l.epoch);
      // A new leader: drop the stream to the old one (it may hang, paused) and follow anew.
      if (leader_epoch_ != before && role_ == Role::kFollower && follow_ctx_ != nullptr) {
        follow_ctx_->TryCancel();
      }
      if (role_ != Role::kFollower && leader_epoch_ != my_epoch_ && leader_epoch_ > my_epoch_) {
        lost = true;
        return false;
      }
      return true;
    });
    if (lost && !Stopping()) Restart("another node leads a newer epoch");
    absl::MutexLock lock(&mu_);
    if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Milliseconds(200))) return;
  }
}

void ClusterNode::RunFollow() {
  uint64_t followed = 0;
  absl::Time last_try = absl::InfinitePast();
  for (;;) {
    uint64_t epoch;
    std::string address;
    {
      absl::MutexLock lock(&mu_);
      follow_idle_ = true;
      auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stopping_ || (role_ == Role::kFollower && leader_epoch_ > 0 &&
                             leader_id_ != options_.node_id && !leader_address_.empty());
      };
      mu_.Await(absl::Condition(&ready));
      if (stopping_) return;
      // The same leader again: its stream broke; do not spin on a leader that refuses.
      if (leader_epoch_ == followed) {
        const absl::Duration wait = absl::Milliseconds(100) - (absl::Now() - last_try);
        if (wait > absl::ZeroDuration() &&
            mu_.AwaitWithTimeout(absl::Condition(&stopping_), wait)) {
          return;
        }
      }
      epoch = leader_epoch_;
      address = leader_address_;
      follow_idle_ = false;
    }
    followed = epoch;
    last_try = absl::Now();
    FollowOnce(epoch, address);
  }
}

goalsync::v1::NodeStateResponse ClusterNode::NodeState() {
  goalsync::v1::NodeStateResponse r;
  r.set_node_id(options_.node_id);
  r.set_address(options_.advertise);
  {
    absl::MutexLock lock(&mu_);
    r.set_role(role_ == Role::kLeader ? "leader" : role_ == Role::kStarting ? "candidate" : "follower");
    r.set_epoch(role_ == Role::kFollower ? leader_epoch_ : my_epoch_);
    r.set_last_epoch(state_.last_epoch);
    r.set_promised_epoch(state_.promised_epoch);
  }
  if (store_ == nullptr) return r;
  auto all = store_->ListWorkspaces();
  if (all.ok()) {
    for (const auto& [name, rec] : *all) {
      auto* h = r.add_heads();
      h->set_workspace(name);
      h->set_seq(rec.head_seq);
      h->set_hash(rec.head_hash);
    }
  }
  return r;
}

}  // namespace goalsync::server::cluster
