// goalsync.v1.Replication and goalsync.v1.Cluster on a node (cluster.proto). Replication is
// for the group's members only: serve it on a private network (docs/cluster.md).
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/cluster/cluster_node.h"

namespace goalsync::server::cluster {
namespace {

using namespace goalsync::v1;  // NOLINT: the generated message types

grpc::Status ToGrpc(const absl::Status& s) {
  return s.ok() ? grpc::Status::OK
                : grpc::Status(static_cast<grpc::StatusCode>(s.code()), std::string(s.message()));
}

class ReplicationServiceImpl final : public Replication::Service {
 public:
  explicit ReplicationServiceImpl(ClusterNode& node) : node_(node) {}

  grpc::Status Follow(grpc::ServerContext* ctx,
                      grpc::ServerReaderWriter<FollowDown, FollowUp>* stream) override {
    return node_.ServeFollower(ctx, stream);
  }

  grpc::Status ChainAt(grpc::ServerContext*, const ChainAtRequest* req,
                       ChainAtResponse* resp) override {
    if (node_.store() == nullptr) return ToGrpc(absl::UnavailableError("not started"));
    resp->set_serving_leader(node_.NodeState().role() == "leader");
    absl::StatusOr<WorkspaceRecord> rec = node_.store()->FindWorkspace(req->workspace());
    if (absl::IsNotFound(rec.status())) return grpc::Status::OK;
    if (!rec.ok()) return ToGrpc(rec.status());
    resp->set_head_seq(rec->head_seq);
    if (req->seq() == 0 || req->seq() > rec->head_seq) return grpc::Status::OK;
    absl::StatusOr<Event> e = node_.store()->ReadEvent(rec->id, req->seq());
    if (!e.ok()) return ToGrpc(e.status());
    resp->set_found(true);
    resp->set_hash(e->hash());
    return grpc::Status::OK;
  }

  grpc::Status Fetch(grpc::ServerContext*, const FetchRequest* req, ReplicatedRun* run) override {
    if (node_.store() == nullptr) return ToGrpc(absl::UnavailableError("not started"));
    absl::StatusOr<WorkspaceRecord> rec = node_.store()->FindWorkspace(req->workspace());
    if (!rec.ok()) return ToGrpc(rec.status());
    std::vector<Event> events;
    const uint64_t to = std::min(req->to_seq(), rec->head_seq);
    const size_t max = req->max_events() == 0 ? 1024 : std::min<size_t>(req->max_events(), 4096);
    if (absl::Status s = node_.store()->ReadEvents(rec->id, req->from_seq(), to, max, &events);
        !s.ok()) {
      return ToGrpc(s);
    }
    run->set_workspace(req->workspace());
    for (auto& e : events) *run->add_events() = std::move(e);
    return grpc::Status::OK;
  }

  grpc::Status NodeState(grpc::ServerContext*, const NodeStateRequest*,
                         NodeStateResponse* resp) override {
    *resp = node_.NodeState();
    return grpc::Status::OK;
  }

 private:
  ClusterNode& node_;
};

class ClusterServiceImpl final : public Cluster::Service {
 public:
  explicit ClusterServiceImpl(ClusterNode& node) : node_(node) {}
  grpc::Status Status(grpc::ServerContext*, const ClusterStatusRequest*,
                      ClusterStatusResponse* resp) override {
    absl::StatusOr<ClusterStatusResponse> status = node_.Status();
    if (!status.ok()) return ToGrpc(status.status());
    *resp = *std::move(status);
    return grpc::Status::OK;
  }

 private:
  ClusterNode& node_;
};

uint64_t Total(const NodeStateResponse& s) {
  uint64_t total = 0;
  for (const auto& h : s.heads()) total += h.seq();
  return total;
}

}  // namespace

grpc::Service* ClusterNode::replication_service() {
  if (replication_service_ == nullptr) {
    replication_service_ = std::make_unique<ReplicationServiceImpl>(*this);
  }
  return replication_service_.get();
}

grpc::Service* ClusterNode::cluster_service() {
  if (cluster_service_ == nullptr) cluster_service_ = std::make_unique<ClusterServiceImpl>(*this);
  return cluster_service_.get();
}

absl::StatusOr<ClusterStatusResponse> ClusterNode::Status() {
  ClusterStatusResponse out;
  out.set_cluster_name(options_.cluster_name);
  out.set_acks_needed(static_cast<uint32_t>(AcksNeeded()));
  absl::StatusOr<LeaderInfo> leader = etcd_.Leader(options_.Prefix() + "election");
  absl::StatusOr<std::vector<KeyValue>> members = etcd_.RangePrefix(options_.Prefix() + "members/");
  absl::StatusOr<std::vector<KeyValue>> alive = etcd_.RangePrefix(options_.Prefix() + "alive/");
  absl::StatusOr<std::vector<KeyValue>> keys = etcd_.RangePrefix(options_.Prefix() + "keys/");
  // Cut off from etcd, this node cannot tell who leads: "no leader" would be a wrong answer.
  for (const absl::Status& s : {absl::IsNotFound(leader.status()) ? absl::OkStatus() : leader.status(),
                                members.status(), alive.status(), keys.status()}) {
    if (!s.ok()) {
      return absl::UnavailableError(absl::StrCat("node ", options_.node_id,
                                                 " cannot reach etcd: ", s.message()));
    }
  }
  if (leader.ok()) {
    const size_t space = leader->value.find(' ');
    out.set_leader(leader->value.substr(0, space));
    if (space != std::string::npos) out.set_leader_address(leader->value.substr(space + 1));
    out.set_epoch(static_cast<uint64_t>(leader->epoch));
  }
  uint64_t leader_total = 0;
  for (const KeyValue& kv : *members) {
    ClusterMember* m = out.add_members();
    m->set_node_id(kv.key.substr(kv.key.rfind('/') + 1));
    m->set_address(kv.value);
    m->set_role("down");
    for (const KeyValue& k : *keys) {
      if (k.key.ends_with("/" + m->node_id())) m->set_public_key(k.value);
    }
    bool is_alive = false;
    for (const KeyValue& a : *alive) is_alive |= a.key.ends_with("/" + m->node_id());
    NodeStateResponse st;
    if (m->node_id() == options_.node_id) {
      st = NodeState();
    } else if (is_alive) {
      auto stub = Replication::NewStub(grpc::CreateChannel(kv.value, grpc::InsecureChannelCredentials()));
      grpc::ClientContext ctx;
      ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
      if (!stub->NodeState(&ctx, NodeStateRequest(), &st).ok()) continue;
    } else {
      continue;
    }
    // The node's own word: "leader" only once it serves (holds every acknowledged event).
    m->set_role(st.role());
    m->set_committed_seq(Total(st));
    m->set_last_epoch(st.last_epoch());
    if (m->node_id() == out.leader()) leader_total = m->committed_seq();
  }
  for (ClusterMember& m : *out.mutable_members()) {
    if (m.role() != "down") m.set_lag(leader_total > m.committed_seq() ? leader_total - m.committed_seq() : 0);
  }
  return out;
}

}  // namespace goalsync::server::cluster
