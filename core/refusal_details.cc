#include "core/refusal_details.h"

#include "core/refusal.h"

namespace goalsync::core {

std::optional<goalsync::v1::Refusal> RefusalInDetails(const std::string& details) {
  goalsync::v1::RpcStatus rpc;
  if (details.empty() || !rpc.ParseFromString(details)) return std::nullopt;
  for (const google::protobuf::Any& any : rpc.details()) {
    goalsync::v1::Refusal refusal;
    if (any.type_url() == kRefusalTypeUrl && refusal.ParseFromString(any.value())) {
      return refusal;
    }
  }
  return std::nullopt;
}

}  // namespace goalsync::core
