#include "goalsync/cluster_client.h"

#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "goalsync/v1/cluster.grpc.pb.h"

namespace goalsync::client {

absl::StatusOr<goalsync::v1::ClusterStatusResponse> ClusterStatus(const std::string& servers,
                                                                  const ConnectOptions& options,
                                                                  absl::Duration timeout) {
  absl::Status last = absl::InvalidArgumentError("no server address given");
  for (absl::string_view address : absl::StrSplit(servers, ',', absl::SkipEmpty())) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = Connect(std::string(address), options);
    if (!channel.ok()) return channel.status();
    auto stub = goalsync::v1::Cluster::NewStub(*channel);
    grpc::ClientContext ctx;
    AddToken(ctx, options.token);
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
    goalsync::v1::ClusterStatusResponse response;
    last = FromGrpcStatus(stub->Status(&ctx, goalsync::v1::ClusterStatusRequest(), &response));
    if (last.ok()) return response;
    if (!absl::IsUnavailable(last) && !absl::IsDeadlineExceeded(last)) return last;
  }
  return last;
}

}  // namespace goalsync::client
