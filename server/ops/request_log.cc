#include "server/ops/request_log.h"

#include <map>
#include <optional>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "grpcpp/server_context.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "core/refusal.h"
#include "core/refusal_details.h"
#include "goalsync/v1/errors.pb.h"
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

// A refusal the client is expected to follow (a redirect to the leader), not an error.
bool IsRedirect(const grpc::Status& status, goalsync::v1::Refusal* refusal) {
  if (status.error_code() != grpc::StatusCode::UNAVAILABLE) return false;
  std::optional<goalsync::v1::Refusal> r = core::RefusalInDetails(status.error_details());
  if (!r.has_value() || r->reason() != goalsync::v1::Refusal::NOT_LEADER) return false;
  *refusal = *std::move(r);
  return true;
}

// Counts NOT_LEADER refusals over windows of `window` that start at the first refusal of a
// quiet spell; its thread logs one line at the end of a window that had more than that first
// one (which the interceptor logs in full). The destructor logs what is pending.
class RedirectSummary {
 public:
  explicit RedirectSummary(absl::Duration window)
      : window_(window), thread_([this] { Run(); }) {}
  ~RedirectSummary() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    thread_.join();
  }

  // Counts one refusal of `rpc`. True if it opened a window: the caller logs it in full.
  bool Count(const std::string& rpc, const goalsync::v1::Refusal& refusal) {
    absl::MutexLock lock(&mu_);
    leader_node_id_ = refusal.leader_node_id();
    leader_address_ = refusal.leader_address();
    ++rpcs_[rpc];
    if (count_++ > 0) return false;
    opened_ = absl::Now();
    return true;
  }

 private:
  bool StoppingOrOpen() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || count_ > 0; }

  void Run() {
    absl::MutexLock lock(&mu_);
    while (true) {
      mu_.Await(absl::Condition(this, &RedirectSummary::StoppingOrOpen));
      if (count_ > 0) {
        // Until the window ends (or the log is torn down): this waits on a condition.
        mu_.AwaitWithDeadline(absl::Condition(&stop_), opened_ + window_);
        const uint64_t count = count_;
        std::map<std::string, uint64_t> rpcs = std::move(rpcs_);
        const std::string leader_node_id = leader_node_id_, leader_address = leader_address_;
        count_ = 0;
        rpcs_.clear();
        mu_.Unlock();
        if (count > 1) Log(count, rpcs, leader_node_id, leader_address);
        mu_.Lock();
      }
      if (stop_ && count_ == 0) return;
    }
  }

  void Log(uint64_t count, const std::map<std::string, uint64_t>& rpcs,
           const std::string& leader_node_id, const std::string& leader_address) const {
    std::string per_rpc;
    nlohmann::json rpc_fields = nlohmann::json::object();
    for (const auto& [rpc, n] : rpcs) {
      absl::StrAppend(&per_rpc, per_rpc.empty() ? "" : " ", rpc, "=", n);
      rpc_fields[rpc] = n;
    }
    const double window_s = absl::ToDoubleSeconds(window_);
    LogFields fields({{"refused", count}, {"reason", "NOT_LEADER"}, {"window_s", window_s},
                      {"rpcs", rpc_fields}, {"leader_node_id", leader_node_id},
                      {"leader_address", leader_address}});
    spdlog::info("{} requests refused NOT_LEADER in the last {} s ({}; leader_node_id={} "
                 "leader_address={})",
                 count, absl::StrFormat("%g", window_s), per_rpc,
                 leader_node_id.empty() ? "-" : leader_node_id,
                 leader_address.empty() ? "-" : leader_address);
  }

  const absl::Duration window_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t count_ ABSL_GUARDED_BY(mu_) = 0;  // refusals in the open window (0: none open)
  absl::Time opened_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, uint64_t> rpcs_ ABSL_GUARDED_BY(mu_);  // by method: a few keys
  std::string leader_node_id_ ABSL_GUARDED_BY(mu_);           // the latest refusal's
  std::string leader_address_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;  // last: starts once the members above exist
};

class RequestLogInterceptor : public grpc::experimental::Interceptor {
 public:
  RequestLogInterceptor(grpc::experimental::ServerRpcInfo* info, const TokenStore* tokens,
                        absl::Duration slow, RedirectSummary* redirects)
      : info_(info), tokens_(tokens), slow_(slow), redirects_(redirects), start_(absl::Now()) {}

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
    // A redirect to the leader: counted; logged in full at info only if it opens a window.
    goalsync::v1::Refusal refusal;
    bool redirect_in_window = false;
    if (refused && IsRedirect(status, &refusal)) {
      redirect_in_window = !redirects_->Count(info_->method(), refusal);
      if (redirect_in_window && !spdlog::should_log(spdlog::level::debug)) return;
    }
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
    if (redirect_in_window) {
      spdlog::debug("{}", text);
    } else if (refused) {
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
  RedirectSummary* const redirects_;
  const absl::Time start_;
  absl::Mutex mu_;
  bool seen_message_ ABSL_GUARDED_BY(mu_) = false;
  std::string workspace_ ABSL_GUARDED_BY(mu_);
};

class RequestLogFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  RequestLogFactory(const TokenStore* tokens, RequestLogOptions options)
      : tokens_(tokens), options_(options), redirects_(options.redirect_summary) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new RequestLogInterceptor(info, tokens_, options_.slow, &redirects_);
  }

 private:
  const TokenStore* const tokens_;
  const RequestLogOptions options_;
  RedirectSummary redirects_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewRequestLog(
    const TokenStore* tokens, RequestLogOptions options) {
  return std::make_unique<RequestLogFactory>(tokens, options);
}

}  // namespace goalsync::server
