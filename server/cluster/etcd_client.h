// EtcdClient: the few calls of etcd's v3 gRPC API a replica group needs: KV (put, range),
// Lease (grant, keep-alive, revoke) and the v3election service (Campaign, Leader, Observe,
// Resign). Stubs are generated at build time from Debian's golang-etcd-server-dev protos.
//
// Several endpoints may be given; a call that finds one unavailable tries the next. Every
// call has a deadline; errors are UNAVAILABLE (retry) unless etcd said otherwise.
//
// Thread safety: every method may be called from any thread.
#ifndef GOALSYNC_SERVER_CLUSTER_ETCD_CLIENT_H_
#define GOALSYNC_SERVER_CLUSTER_ETCD_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "etcd/etcdserver/api/v3election/v3electionpb/v3election.grpc.pb.h"
#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace goalsync::server::cluster {

struct KeyValue {
  std::string key;
  std::string value;
  int64_t create_revision = 0;
  int64_t lease = 0;
};

// Who leads an election: the leader key's value (ours: "node_id address"), and its create
// revision, which etcd makes monotonic: the epoch.
struct LeaderInfo {
  std::string key;
  std::string value;
  int64_t epoch = 0;
  int64_t lease = 0;
};

class EtcdClient {
 public:
  // `endpoints`: host:port of etcd's client URLs (plaintext).
  explicit EtcdClient(std::vector<std::string> endpoints,
                      absl::Duration call_timeout = absl::Seconds(3));

  absl::Status Put(const std::string& key, const std::string& value, int64_t lease = 0);
  // Every key starting with `prefix`, in key order.
  absl::StatusOr<std::vector<KeyValue>> RangePrefix(const std::string& prefix);

  // A lease of `ttl`; the id.
  absl::StatusOr<int64_t> GrantLease(absl::Duration ttl);
  // One keep-alive round trip: the TTL left, NOT_FOUND if the lease has expired.
  absl::StatusOr<int64_t> KeepAliveOnce(int64_t lease);
  absl::Status RevokeLease(int64_t lease);

  // Blocks until this lease's holder leads `election` (or the call fails): the leader key.
  // Cancel from another thread with CancelCampaign() or InterruptCampaign(). etcd also
  // returns success when the campaign's own key went with its expired lease while it
  // waited: check with Leader() that the key returned still leads.
  absl::StatusOr<LeaderInfo> Campaign(const std::string& election, int64_t lease,
                                      const std::string& value);
  void CancelCampaign();
  // Ends the Campaign call in progress (it returns CANCELLED); later calls campaign as usual.
  void InterruptCampaign();
  // The current leader; NOT_FOUND if there is none.
  absl::StatusOr<LeaderInfo> Leader(const std::string& election);
  absl::Status Resign(const LeaderInfo& leader);
  // Calls `on_leader` for the leader now and each later one until it returns false, the
  // stream fails (its status) or CancelObserve() is called (OK).
  absl::Status Observe(const std::string& election,
                       absl::FunctionRef<bool(const LeaderInfo&)> on_leader);
  void CancelObserve();

 private:
  struct Endpoint {
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<etcdserverpb::KV::Stub> kv;
    std::unique_ptr<etcdserverpb::Lease::Stub> lease;
    std::unique_ptr<v3electionpb::Election::Stub> election;
  };
  // Runs `call` against the endpoints in turn, starting from the last that answered, until
  // one does not fail with UNAVAILABLE.
  grpc::Status Try(absl::FunctionRef<grpc::Status(Endpoint&, grpc::ClientContext&)> call,
                   absl::Duration timeout);

  std::vector<Endpoint> endpoints_;
  const absl::Duration timeout_;
  std::atomic<size_t> current_{0};
  absl::Mutex mu_;
  grpc::ClientContext* campaign_ctx_ ABSL_GUARDED_BY(mu_) = nullptr;
  grpc::ClientContext* observe_ctx_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool observe_cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool campaign_cancelled_ ABSL_GUARDED_BY(mu_) = false;
};

// Translates a gRPC status from etcd, prefixed with `what`.
absl::Status FromEtcd(const grpc::Status& s, absl::string_view what);

}  // namespace goalsync::server::cluster

#endif  // GOALSYNC_SERVER_CLUSTER_ETCD_CLIENT_H_
