#include "server/service/status_map.h"

#include <string>

#include "spdlog/spdlog.h"

namespace goalsync::server {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  switch (status.code()) {
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kUnavailable:
      spdlog::error("goalsyncd: {}", status.ToString());
      break;
    default:
      spdlog::debug("refused: {}", status.ToString());
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

}  // namespace goalsync::server
