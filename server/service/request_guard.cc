#include "server/service/request_guard.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/refusal.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/server_context.h"
#include "server/service/status_map.h"

namespace goalsync::server {
namespace {

using grpc::experimental::InterceptionHookPoints;

// The request type of `path` ("/goalsync.v1.EventLog/Append"), or nullptr if no service
// linked into goalsyncd defines it.
const google::protobuf::Descriptor* RequestTypeOf(const std::string& path) {
  if (path.size() < 2 || path[0] != '/') return nullptr;
  const std::string full = absl::StrReplaceAll(path.substr(1), {{"/", "."}});
  const google::protobuf::MethodDescriptor* m =
      google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(full);
  return m == nullptr ? nullptr : m->input_type();
}

absl::Status Rewrite(const std::string& path) {
  if (const google::protobuf::Descriptor* type = RequestTypeOf(path)) {
    return core::WithReason(
        absl::InvalidArgumentError(absl::StrCat(
            "request is not a valid ", type->full_name(),
            " message: its bytes do not parse (a wrong wire type, a truncated field, or a "
            "string that is not UTF-8); nothing was written")),
        goalsync::v1::Refusal::UNPARSEABLE);
  }
  return absl::UnimplementedError(absl::StrCat("goalsyncd has no rpc ", path));
}

class RequestGuard : public grpc::experimental::Interceptor {
 public:
  explicit RequestGuard(grpc::experimental::ServerRpcInfo* info) : info_(info) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED && status.error_message().empty()) {
        // gRPC answers a request it could not parse this way, and also a call the client
        // cancelled before its request arrived (there were no bytes to parse): that one is
        // no bad input, and says so in the request log.
        const bool cancelled =
            info_->server_context() != nullptr && info_->server_context()->IsCancelled();
        methods->ModifySendStatus(
            cancelled ? grpc::Status(grpc::StatusCode::CANCELLED,
                                     "the client cancelled the call before its request arrived")
                      : ToGrpcStatus(Rewrite(info_->method())));
      }
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
};

class RequestGuardFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RequestGuard(info);
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewRequestGuard() {
  return std::make_unique<RequestGuardFactory>();
}

}  // namespace goalsync::server
