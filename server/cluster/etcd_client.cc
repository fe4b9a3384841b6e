#include "server/cluster/etcd_client.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace goalsync::server::cluster {

absl::Status FromEtcd(const grpc::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      absl::StrCat("etcd ", what, ": ", s.error_message()));
}

namespace {

LeaderInfo FromKv(const mvccpb::KeyValue& kv) {
  return {kv.key(), kv.value(), kv.create_revision(), kv.lease()};
}

// etcd's prefix range end: the prefix with its last byte incremented.
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    if (static_cast<unsigned char>(prefix.back()) < 0xff) {
      prefix.back() = static_cast<char>(prefix.back() + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string(1, '\0');
}

}  // namespace

EtcdClient::EtcdClient(std::vector<std::string> endpoints, absl::Duration call_timeout)
    : timeout_(call_timeout) {
  for (const std::string& e : endpoints) {
    Endpoint ep;
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
    ep.channel = grpc::CreateCustomChannel(e, grpc::InsecureChannelCredentials(), args);
    ep.kv = etcdserverpb::KV::NewStub(ep.channel);
    ep.lease = etcdserverpb::Lease::NewStub(ep.channel);
    ep.election = v3electionpb::Election::NewStub(ep.channel);
    endpoints_.push_back(std::move(ep));
  }
}

grpc::Status EtcdClient::Try(
    absl::FunctionRef<grpc::Status(Endpoint&, grpc::ClientContext&)> call,
    absl::Duration timeout) {
  grpc::Status last(grpc::StatusCode::UNAVAILABLE, "no etcd endpoint given");
  const size_t start = current_.load();
  for (size_t i = 0; i < endpoints_.size(); ++i) {
    const size_t at = (start + i) % endpoints_.size();
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    last = call(endpoints_[at], ctx);
    if (last.error_code() != grpc::StatusCode::UNAVAILABLE) {
      current_.store(at);
      return last;
    }
  }
  return last;
}

absl::Status EtcdClient::Put(const std::string& key, const std::string& value, int64_t lease) {
  etcdserverpb::PutRequest req;
  req.set_key(key);
  req.set_value(value);
  req.set_lease(lease);
  etcdserverpb::PutResponse resp;
  return FromEtcd(Try([&](Endpoint& e, grpc::ClientContext& c) { return e.kv->Put(&c, req, &resp); },
                      timeout_),
                  absl::StrCat("put ", key));
}

absl::StatusOr<std::vector<KeyValue>> EtcdClient::RangePrefix(const std::string& prefix) {
  etcdserverpb::RangeRequest req;
  req.set_key(prefix);
  req.set_range_end(PrefixEnd(prefix));
  etcdserverpb::RangeResponse resp;
  grpc::Status s =
      Try([&](Endpoint& e, grpc::ClientContext& c) { return e.kv->Range(&c, req, &resp); }, timeout_);
  if (!s.ok()) return FromEtcd(s, absl::StrCat("range ", prefix));
  std::vector<KeyValue> out;
  for (const mvccpb::KeyValue& kv : resp.kvs()) {
    out.push_back({kv.key(), kv.value(), kv.create_revision(), kv.lease()});
  }
  return out;
}

absl::StatusOr<int64_t> EtcdClient::GrantLease(absl::Duration ttl) {
  etcdserverpb::LeaseGrantRequest req;
  req.set_ttl(absl::ToInt64Seconds(ttl));
  etcdserverpb::LeaseGrantResponse resp;
  grpc::Status s = Try(
      [&](Endpoint& e, grpc::ClientContext& c) { return e.lease->LeaseGrant(&c, req, &resp); },
      timeout_);
  if (!s.ok()) return FromEtcd(s, "lease grant");
  if (!resp.error().empty()) return absl::UnavailableError("etcd lease grant: " + resp.error());
  return resp.id();
}

absl::StatusOr<int64_t> EtcdClient::KeepAliveOnce(int64_t lease) {
  etcdserverpb::LeaseKeepAliveResponse resp;
  bool got = false;
  grpc::Status s = Try(
      [&](Endpoint& e, grpc::ClientContext& c) {
        auto stream = e.lease->LeaseKeepAlive(&c);
        etcdserverpb::LeaseKeepAliveRequest req;
        req.set_id(lease);
        if (stream->Write(req) && stream->Read(&resp)) got = true;
        stream->WritesDone();
        c.TryCancel();
        grpc::Status st = stream->Finish();
        return got ? grpc::Status::OK : st;
      },
      timeout_);
  if (!got) return FromEtcd(s.ok() ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "no answer") : s,
                            "lease keep-alive");
  if (resp.ttl() <= 0) return absl::NotFoundError(absl::StrCat("etcd lease ", lease, " expired"));
  return resp.ttl();
}

absl::Status EtcdClient::RevokeLease(int64_t lease) {
  etcdserverpb::LeaseRevokeRequest req;
  req.set_id(lease);
  etcdserverpb::LeaseRevokeResponse resp;
  return FromEtcd(
      Try([&](Endpoint& e, grpc::ClientContext& c) { return e.lease->LeaseRevoke(&c, req, &resp); },
          timeout_),
      "lease revoke");
}

absl::StatusOr<LeaderInfo> EtcdClient::Campaign(const std::string& election, int64_t lease,
                                                const std::string& value) {
  v3electionpb::CampaignRequest req;
  req.set_name(election);
  req.set_lease(lease);
  req.set_value(value);
  v3electionpb::CampaignResponse resp;
  // Campaign blocks while another node leads: no deadline, cancelled by CancelCampaign.
  grpc::ClientContext ctx;
  {
    absl::MutexLock lock(&mu_);
    if (campaign_cancelled_) return absl::CancelledError("campaign cancelled");
    campaign_ctx_ = &ctx;
  }
  Endpoint& e = endpoints_[current_.load() % endpoints_.size()];
  grpc::Status s = e.election->Campaign(&ctx, req, &resp);
  {
    absl::MutexLock lock(&mu_);
    campaign_ctx_ = nullptr;
  }
  if (!s.ok()) {
    current_.fetch_add(1);  // try another endpoint next time
    return FromEtcd(s, "campaign");
  }
  const auto& l = resp.leader();
  return LeaderInfo{l.key(), value, l.rev(), l.lease()};
}

void EtcdClient::CancelCampaign() {
  absl::MutexLock lock(&mu_);
  campaign_cancelled_ = true;
  if (campaign_ctx_ != nullptr) campaign_ctx_->TryCancel();
}

void EtcdClient::InterruptCampaign() {
  absl::MutexLock lock(&mu_);
  if (campaign_ctx_ != nullptr) campaign_ctx_->TryCancel();
}

absl::StatusOr<LeaderInfo> EtcdClient::Leader(const std::string& election) {
  v3electionpb::LeaderRequest req;
  req.set_name(election);
  v3electionpb::LeaderResponse resp;
  grpc::Status s = Try(
      [&](Endpoint& e, grpc::ClientContext& c) { return e.election->Leader(&c, req, &resp); },
      timeout_);
  if (!s.ok()) {
    if (s.error_message().find("no leader") != std::string::npos) {
      return absl::NotFoundError("no leader elected");
    }
    return FromEtcd(s, "leader");
  }
  if (!resp.has_kv()) return absl::NotFoundError("no leader elected");
  return FromKv(resp.kv());
}

absl::Status EtcdClient::Resign(const LeaderInfo& leader) {
  v3electionpb::ResignRequest req;
  req.mutable_leader()->set_key(leader.key);
  req.mutable_leader()->set_rev(leader.epoch);
  req.mutable_leader()->set_lease(leader.lease);
  v3electionpb::ResignResponse resp;
  return FromEtcd(
      Try([&](Endpoint& e, grpc::ClientContext& c) { return e.election->Resign(&c, req, &resp); },
          timeout_),
      "resign");
}

absl::Status EtcdClient::Observe(const std::string& election,
                                 absl::FunctionRef<bool(const LeaderInfo&)> on_leader) {
  grpc::ClientContext ctx;
  {
    absl::MutexLock lock(&mu_);
    if (observe_cancelled_) return absl::OkStatus();
    observe_ctx_ = &ctx;
  }
  v3electionpb::LeaderRequest req;
  req.set_name(election);
  Endpoint& e = endpoints_[current_.load() % endpoints_.size()];
  auto stream = e.election->Observe(&ctx, req);
  v3electionpb::LeaderResponse resp;
  bool stopped = false;
  while (stream->Read(&resp)) {
    if (resp.has_kv() && !on_leader(FromKv(resp.kv()))) {
      stopped = true;
      ctx.TryCancel();
      break;
    }
  }
  grpc::Status s = stream->Finish();
  bool cancelled;
  {
    absl::MutexLock lock(&mu_);
    observe_ctx_ = nullptr;
    cancelled = observe_cancelled_;
  }
  if (stopped || cancelled) return absl::OkStatus();
  current_.fetch_add(1);
  return FromEtcd(s.ok() ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "observe ended") : s,
                  "observe");
}

void EtcdClient::CancelObserve() {
  absl::MutexLock lock(&mu_);
  observe_cancelled_ = true;
  if (observe_ctx_ != nullptr) observe_ctx_->TryCancel();
}

}  // namespace goalsync::server::cluster
