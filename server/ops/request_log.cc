#include "server/ops/request_log.h"

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "grpcpp/server_context.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "google/protobuf/message.h"
#include "server/ops/log_format.h"
#include "spdlog/spdlog.h"

namespace goalsync::server {
namespace {

using grpc::experimental::InterceptionHookPoints;

// The `workspace` string field of `m`, or of its `append` message (AppendStreamRequest).
std::string WorkspaceOf(const google::protobuf::Message& m) {
  const google::protobuf::Descriptor* d = m.GetDescriptor();
  const google::protobuf::Reflection* r = m.GetReflection();
  if (const auto* f = d->FindFieldByName("workspace");
      f != nullptr && f->type() == google::protobuf::FieldDescriptor::TYPE_STRING &&
      !f->is_repeated()) {
    return r->GetString(m, f);
  }
  if (const auto* f = d->FindFieldByName("append");
      f != nullptr && f->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE &&
      !f->is_repeated() && r->HasField(m, f)) {
    return WorkspaceOf(r->GetMessage(m, f));
  }
  return "";
}

class RequestLogInterceptor : public grpc::experimental::Interceptor {
 public:
  RequestLogInterceptor(grpc::experimental::ServerRpcInfo* info, const TokenStore* tokens,
                        absl::Duration slow)
      : info_(info), tokens_(tokens), slow_(slow), start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      OnMessage(methods->GetRecvMessage());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      OnStatus(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  void OnMessage(void* message) {
    absl::MutexLock lock(&mu_);
    if (message == nullptr || seen_message_) return;
    seen_message_ = true;
    // gRPC hands the request as the object it deserialized into: for goalsync's services the
    // generated message (a protobuf Message by single inheritance, so the pointer is the
    // same); other services (gRPC health) may take raw ByteBuffers, so they are not looked at.
    if (!absl::StartsWith(info_->method(), "/goalsync.")) return;
    workspace_ = WorkspaceOf(*static_cast<const google::protobuf::Message*>(message));
  }

  void OnStatus(const grpc::Status& status) {
    const absl::Duration elapsed = absl::Now() - start_;
    const bool refused = !status.ok() && status.error_code() != grpc::StatusCode::CANCELLED;
    const bool unary = info_->type() == grpc::experimental::ServerRpcInfo::Type::UNARY;
    const bool slow = unary && slow_ > absl::ZeroDuration() && elapsed > slow_;
    if (!refused && !slow) return;
    std::string workspace;
    {
      absl::MutexLock lock(&mu_);
      workspace = workspace_;
    }
    const std::string actor = Actor();
    const std::string code = absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()));
    const double ms = absl::ToDoubleMilliseconds(elapsed);
    LogFields fields({{"rpc", info_->method()}, {"workspace", workspace}, {"actor", actor},
                      {"code", code}, {"duration_ms", ms}});
    const std::string text = absl::StrCat(
        info_->method(), " ", refused ? "refused" : "slow", ": workspace=",
        workspace.empty() ? "-" : workspace, " actor=", actor, " code=", code, " duration_ms=",
        absl::StrFormat("%.3f", ms), refused ? absl::StrCat(": ", status.error_message()) : "");
    if (refused) {
      spdlog::info("{}", text);
    } else {
      spdlog::warn("{}", text);
    }
  }

  std::string Actor() const {
    if (tokens_ == nullptr) return "-";
    const auto& md = info_->server_context()->client_metadata();
    auto it = md.find("authorization");
    if (it == md.end()) return "-";
    absl::string_view value(it->second.data(), it->second.size());
    if (!absl::ConsumePrefix(&value, "Bearer ")) return "-";
    absl::StatusOr<goalsync::v1::TokenInfo> token = tokens_->Authenticate(value);
    return token.ok() ? token->name() : "-";
  }

  grpc::experimental::ServerRpcInfo* const info_;
  const TokenStore* const tokens_;
  const absl::Duration slow_;
  const absl::Time start_;
  absl::Mutex mu_;
  bool seen_message_ ABSL_GUARDED_BY(mu_) = false;
  std::string workspace_ ABSL_GUARDED_BY(mu_);
};

class RequestLogFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  RequestLogFactory(const TokenStore* tokens, RequestLogOptions options)
      : tokens_(tokens), options_(options) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RequestLogInterceptor(info, tokens_, options_.slow);
  }

 private:
  const TokenStore* const tokens_;
  const RequestLogOptions options_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewRequestLog(
    const TokenStore* tokens, RequestLogOptions options) {
  return std::make_unique<RequestLogFactory>(tokens, options);
}

}  // namespace goalsync::server
