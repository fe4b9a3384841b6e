#include "goalsync/log_client.h"
#include "goalsync/server_group.h"

#include <openssl/rand.h>

#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "core/refusal.h"
#include "core/refusal_details.h"
#include "goalsync/v1/errors.pb.h"
#include "core/plan/state_pages.h"

#include "absl/time/clock.h"

namespace goalsync::client {

using goalsync::v1::Event;

namespace {

absl::Status Decode(int code, std::string message, const std::string& details) {
  if (code == 0) return absl::OkStatus();
  if (code == static_cast<int>(grpc::StatusCode::UNAVAILABLE) && message.empty()) {
    message = "goalsyncd is not reachable";
  }
  absl::Status status(static_cast<absl::StatusCode>(code), message);
  std::optional<goalsync::v1::Refusal> refusal = core::RefusalInDetails(details);
  return refusal.has_value() ? core::WithRefusal(std::move(status), *refusal) : status;
}

}  // namespace

absl::Status FromGrpcStatus(const grpc::Status& status) {
  return Decode(static_cast<int>(status.error_code()), status.error_message(),
                status.error_details());
}

absl::Status FromAppendError(const goalsync::v1::AppendError& error) {
  return Decode(error.code() == 0 ? static_cast<int>(grpc::StatusCode::UNKNOWN) : error.code(),
                error.message(), error.details());
}

goalsync::v1::Refusal RefusalOf(const absl::Status& status) { return core::RefusalOf(status); }

std::string NewEventId() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof(b)) != 1) std::abort();  // no entropy: nothing sane to do
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char out[37];
  std::snprintf(out, sizeof(out),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                b[14], b[15]);
  return out;
}

LogClient::LogClient(const std::string& address)
    : LogClient(grpc::CreateChannel(address, grpc::InsecureChannelCredentials())) {}

LogClient::LogClient(std::shared_ptr<grpc::Channel> channel)
    : stub_(goalsync::v1::EventLog::NewStub(channel)),
      plan_stub_(goalsync::v1::PlanService::NewStub(channel)) {}

LogClient::LogClient(std::shared_ptr<ServerGroup> group) : LogClient(group->Leader()) {
  group_ = std::move(group);
}

namespace {

// gRPC aborts on a header value with control characters; a token is printable ASCII.
bool PrintableToken(const std::string& token) {
  for (char c : token) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

void AddToken(grpc::ClientContext& ctx, const std::string& token) {
  // An unprintable token is refused by Connect; here it is left out (the server then says
  // there is no token) rather than crash the call.
  if (!token.empty() && PrintableToken(token)) ctx.AddMetadata("authorization", "Bearer " + token);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(const std::string& servers,
                                                       const ConnectOptions& options) {
  // A replica group's list ("a,b,c"): a plain channel reaches its first member (reads may go
  // to any member; appends that follow the leader: ConnectLogClient).
  const std::string address = servers.substr(0, servers.find(','));
  if (!PrintableToken(options.token)) {
    return absl::InvalidArgumentError(
        "the token has spaces or control characters: copy it again (it looks like gs_<id>_<secret>)");
  }
  grpc::ChannelArguments args;
  if (options.max_reconnect_backoff_ms > 0) {
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, options.max_reconnect_backoff_ms);
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
                std::min(100, options.max_reconnect_backoff_ms));
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, std::min(100, options.max_reconnect_backoff_ms));
    // A connection of its own (not shared through gRPC's global pool), so that a group's
    // client can replace one that went silent (server_group.cc).
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  }
  if (options.tls_ca_file.empty()) {
    return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  }
  std::ifstream in(options.tls_ca_file);
  if (!in) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read the TLS CA file ", options.tls_ca_file, " (--tls-ca)"));
  }
  std::stringstream pem;
  pem << in.rdbuf();
  // An empty or unreadable PEM (a directory, a truncated file) would make gRPC fall back to
  // the system's roots: refuse it, naming the file.
  if (pem.str().find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("the TLS CA file ", options.tls_ca_file,
                                                   " (--tls-ca) holds no PEM certificate"));
  }
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = pem.str();
  return grpc::CreateCustomChannel(address, grpc::SslCredentials(ssl), args);
}

void Cancellation::Cancel() {
  absl::MutexLock lock(&mu_);
  cancelled_ = true;
  if (ctx_ != nullptr) ctx_->TryCancel();
}

bool Cancellation::cancelled() const {
  absl::MutexLock lock(&mu_);
  return cancelled_;
}

absl::StatusOr<goalsync::v1::GetStateResponse> LogClient::GetStatePage(
    const goalsync::v1::GetStateRequest& request, absl::Duration timeout) {
  grpc::ClientContext ctx;
  Prepare(ctx);
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  goalsync::v1::GetStateResponse response;
  if (absl::Status s = FromGrpcStatus(plan_stub_->GetState(&ctx, request, &response)); !s.ok()) {
    return s;
  }
  return response;
}

namespace {

// Pages a plan in from `request` on, merging the pages.
absl::StatusOr<goalsync::v1::PlanState> PageIn(LogClient& client,
                                               goalsync::v1::GetStateRequest request,
                                               std::string* head_hash, absl::Duration timeout) {
  goalsync::v1::PlanState plan;
  do {
    absl::StatusOr<goalsync::v1::GetStateResponse> page = client.GetStatePage(request, timeout);
    if (!page.ok()) return page.status();
    if (absl::Status s = core::MergeStatePage(std::move(*page->mutable_state()), &plan); !s.ok()) {
      return s;
    }
    if (head_hash != nullptr) *head_hash = page->head_hash();
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty());
  return plan;
}

}  // namespace

absl::StatusOr<goalsync::v1::PlanState> LogClient::GetState(const std::string& workspace,
                                                            std::string* head_hash,
                                                            absl::Duration timeout) {
  goalsync::v1::GetStateRequest request;
  request.set_workspace(workspace);
  return PageIn(*this, std::move(request), head_hash, timeout);
}

absl::StatusOr<goalsync::v1::PlanState> LogClient::GetState(const std::string& workspace,
                                                            uint64_t seq,
                                                            absl::Duration timeout) {
  goalsync::v1::GetStateRequest request;
  request.set_workspace(workspace);
  request.set_seq(seq);
  return PageIn(*this, std::move(request), nullptr, timeout);
}

absl::StatusOr<goalsync::v1::AppendResponse> LogClient::Append(
    const goalsync::v1::AppendRequest& request, absl::Duration timeout) {
  if (group_ != nullptr) return AppendToGroup(request, timeout);
  grpc::ClientContext ctx;
  Prepare(ctx);
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  goalsync::v1::AppendResponse response;
  if (absl::Status s = FromGrpcStatus(stub_->Append(&ctx, request, &response)); !s.ok()) {
    return s;
  }
  return response;
}

absl::StatusOr<goalsync::v1::HeadResponse> LogClient::Head(const std::string& workspace,
                                                           absl::Duration timeout) {
  grpc::ClientContext ctx;
  Prepare(ctx);
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  goalsync::v1::HeadRequest request;
  request.set_workspace(workspace);
  goalsync::v1::HeadResponse response;
  if (absl::Status s = FromGrpcStatus(stub_->Head(&ctx, request, &response)); !s.ok()) return s;
  return response;
}

absl::Status LogClient::ReadStream(
    const goalsync::v1::ReadRequest& request,
    absl::FunctionRef<absl::Status(goalsync::v1::ReadResponse&)> on_message) {
  grpc::ClientContext ctx;
  Prepare(ctx);
  std::unique_ptr<grpc::ClientReader<goalsync::v1::ReadResponse>> reader =
      stub_->Read(&ctx, request);
  goalsync::v1::ReadResponse msg;
  while (reader->Read(&msg)) {
    if (absl::Status s = on_message(msg); !s.ok()) {
      ctx.TryCancel();
      reader->Finish();
      return s;
    }
  }
  return FromGrpcStatus(reader->Finish());
}

absl::Status LogClient::Read(const std::string& workspace, uint64_t from_seq, uint64_t limit,
                             absl::FunctionRef<absl::Status(const Event&)> on_event) {
  goalsync::v1::ReadRequest request;
  request.set_workspace(workspace);
  request.set_from_seq(from_seq);
  request.set_limit(limit);
  return ReadStream(request, [&](goalsync::v1::ReadResponse& msg) {
    for (const Event& e : msg.events()) {
      if (absl::Status s = on_event(e); !s.ok()) return s;
    }
    return absl::OkStatus();
  });
}

absl::Status LogClient::ReadEncoded(const std::string& workspace, uint64_t from_seq,
                                    uint64_t limit,
                                    absl::FunctionRef<absl::Status(std::string&&)> on_event) {
  goalsync::v1::ReadRequest request;
  request.set_workspace(workspace);
  request.set_from_seq(from_seq);
  request.set_limit(limit);
  request.set_encoded(true);
  return ReadStream(request, [&](goalsync::v1::ReadResponse& msg) {
    for (std::string& bytes : *msg.mutable_encoded_events()) {
      if (absl::Status s = on_event(std::move(bytes)); !s.ok()) return s;
    }
    return absl::OkStatus();
  });
}

absl::Status LogClient::Subscribe(
    const std::string& workspace, uint64_t from_seq,
    absl::FunctionRef<bool(const goalsync::v1::SubscribeResponse&)> on_message,
    Cancellation* cancellation) {
  grpc::ClientContext ctx;
  Prepare(ctx);
  if (cancellation != nullptr) {
    absl::MutexLock lock(&cancellation->mu_);
    if (cancellation->cancelled_) return absl::CancelledError("subscription cancelled");
    cancellation->ctx_ = &ctx;
  }
  struct Detach {  // the context dies with this call
    Cancellation* c;
    ~Detach() {
      if (c == nullptr) return;
      absl::MutexLock lock(&c->mu_);
      c->ctx_ = nullptr;
    }
  } detach{cancellation};
  goalsync::v1::SubscribeRequest request;
  request.set_workspace(workspace);
  request.set_from_seq(from_seq);
  std::unique_ptr<grpc::ClientReader<goalsync::v1::SubscribeResponse>> reader =
      stub_->Subscribe(&ctx, request);
  goalsync::v1::SubscribeResponse msg;
  while (reader->Read(&msg)) {
    if (!on_message(msg)) {
      ctx.TryCancel();
      reader->Finish();
      return absl::OkStatus();
    }
  }
  return FromGrpcStatus(reader->Finish());
}

}  // namespace goalsync::client
