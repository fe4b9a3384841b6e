#include "server/service/status_map.h"

#include <string>

#include "absl/time/clock.h"
#include "core/refusal.h"
#include "core/timestamps.h"
#include "goalsync/v1/errors.pb.h"
#include "spdlog/spdlog.h"

namespace goalsync::server {

std::string StatusDetails(const absl::Status& status) {
  if (status.ok()) return "";
  goalsync::v1::Refusal refusal = core::RefusalOf(status);
  *refusal.mutable_server_time() = core::ToTimestamp(absl::Now());
  goalsync::v1::RpcStatus rpc;
  rpc.set_code(static_cast<int32_t>(status.code()));
  rpc.set_message(std::string(status.message()));
  google::protobuf::Any* any = rpc.add_details();
  any->set_type_url(core::kRefusalTypeUrl);
  any->set_value(refusal.SerializeAsString());
  return rpc.SerializeAsString();
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  switch (status.code()) {
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kUnavailable:
      // A replica-group follower sending a writer to the leader is routine, not an error.
      if (core::RefusalOf(status).reason() == goalsync::v1::Refusal::NOT_LEADER) {
        spdlog::debug("refused: {}", status.ToString());
        break;
      }
      spdlog::error("goalsyncd: {}", status.ToString());
      break;
    default:
      spdlog::debug("refused: {}", status.ToString());
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()), StatusDetails(status));
}

}  // namespace goalsync::server
