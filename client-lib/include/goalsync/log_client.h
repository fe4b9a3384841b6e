// LogClient: a blocking client of goalsyncd's EventLog service.
//
// Errors are absl::Status with gRPC's code and the server's message: UNAVAILABLE when the
// server cannot be reached (retry), ABORTED for an expected_seq mismatch (re-read, retry),
// INVALID_ARGUMENT for a request the server refused (fix it).
//
// Thread safety: a LogClient may be shared by threads; each call is independent.
#ifndef GOALSYNC_CLIENT_LOG_CLIENT_H_
#define GOALSYNC_CLIENT_LOG_CLIENT_H_

#include <memory>
#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/synchronization/mutex.h"
#include "goalsync/v1/errors.pb.h"
#include "goalsync/v1/log.grpc.pb.h"
#include "goalsync/v1/plan_service.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace goalsync::client {

// How to reach goalsyncd.
struct ConnectOptions {
  // Bearer token sent with every call (empty: none; a server in --insecure-no-auth mode).
  std::string token;
  // PEM file of the CA that signed the server's certificate: connect with TLS. Empty:
  // plaintext.
  std::string tls_ca_file;
  // Longest wait between reconnection attempts to a server that did not answer (0: gRPC's
  // default, up to 120 s). A replica group's client sets 1 s, so that a member that was
  // unreachable for a while (restarted, partitioned) is used again soon after it returns.
  // When set, the channel also keeps connections of its own (not gRPC's shared pool).
  int max_reconnect_backoff_ms = 0;
};

// A channel to `address` as `options` say; INVALID_ARGUMENT if the CA file cannot be read.
// For a replica group's list "a,b,c", a channel to its first member (server_group.h follows
// the leader).
absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(const std::string& address,
                                                       const ConnectOptions& options);

// Adds "authorization: Bearer <token>" to `ctx` (nothing for an empty token).
void AddToken(grpc::ClientContext& ctx, const std::string& token);

// Lets another thread end a LogClient::Subscribe that is waiting for events.
class Cancellation {
 public:
  void Cancel();
  bool cancelled() const;

 private:
  friend class LogClient;
  mutable absl::Mutex mu_;
  grpc::ClientContext* ctx_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
};

class ServerGroup;

class LogClient {
 public:
  // A client of the server at `address` (host:port). Connects lazily: an unreachable server
  // shows as UNAVAILABLE on the first call.
  explicit LogClient(const std::string& address);
  explicit LogClient(std::shared_ptr<grpc::Channel> channel);
  // A client of a replica group (server_group.h): appends follow the leader and fail over
  // (retried until their timeout; idempotent by event_id); reads go to the first member.
  explicit LogClient(std::shared_ptr<ServerGroup> group);

  // Sends "authorization: Bearer <token>" with every call (empty: none).
  void set_token(std::string token) { token_ = std::move(token); }

  // Appends; see log.proto. Waits at most `timeout`.
  absl::StatusOr<goalsync::v1::AppendResponse> Append(
      const goalsync::v1::AppendRequest& request, absl::Duration timeout = absl::Seconds(30));

  absl::StatusOr<goalsync::v1::HeadResponse> Head(const std::string& workspace,
                                                  absl::Duration timeout = absl::Seconds(10));

  // Calls `on_event` for each committed event from `from_seq`, at most `limit` (0: all), in
  // log order. An error from `on_event` stops the read and is returned.
  absl::Status Read(const std::string& workspace, uint64_t from_seq, uint64_t limit,
                    absl::FunctionRef<absl::Status(const goalsync::v1::Event&)> on_event);

  // Like Read, but hands over each event as the bytes the server stored (ReadRequest.encoded):
  // for callers that check the hash chain and store the events as they are.
  absl::Status ReadEncoded(const std::string& workspace, uint64_t from_seq, uint64_t limit,
                           absl::FunctionRef<absl::Status(std::string&& encoded)> on_event);

  // Follows the workspace from `from_seq`: calls `on_message` for every message (events,
  // then the caught_up marker, then live events) until it returns false (OK is returned) or
  // the stream ends (its status is returned).
  absl::Status Subscribe(
      const std::string& workspace, uint64_t from_seq,
      absl::FunctionRef<bool(const goalsync::v1::SubscribeResponse&)> on_message,
      Cancellation* cancellation = nullptr);

  // One page of the workspace's committed plan (PlanService.GetState): the first page of the
  // plan now (or as of request.seq / request.time), or the page request.page_token names.
  absl::StatusOr<goalsync::v1::GetStateResponse> GetStatePage(
      const goalsync::v1::GetStateRequest& request, absl::Duration timeout = absl::Seconds(60));

  // The workspace's whole committed plan now, paged in and merged; *head_hash (if given)
  // receives the hash of the event the plan was cut at. Each page is its own call, so no
  // message grows with the plan.
  absl::StatusOr<goalsync::v1::PlanState> GetState(const std::string& workspace,
                                                   std::string* head_hash = nullptr,
                                                   absl::Duration timeout = absl::Seconds(60));
  // The workspace's whole committed plan as of `seq`, paged in and merged.
  absl::StatusOr<goalsync::v1::PlanState> GetState(const std::string& workspace, uint64_t seq,
                                                   absl::Duration timeout = absl::Seconds(60));

  goalsync::v1::EventLog::Stub& stub() { return *stub_; }

 private:
  void Prepare(grpc::ClientContext& ctx) const { AddToken(ctx, token_); }
  // One Read call: `on_message` for each message until it fails (the call is cancelled and
  // its error returned) or the stream ends.
  absl::Status ReadStream(const goalsync::v1::ReadRequest& request,
                          absl::FunctionRef<absl::Status(goalsync::v1::ReadResponse&)> on_message);
  absl::StatusOr<goalsync::v1::AppendResponse> AppendToGroup(
      const goalsync::v1::AppendRequest& request, absl::Duration timeout);

  std::shared_ptr<ServerGroup> group_;  // null: one server

  std::unique_ptr<goalsync::v1::EventLog::Stub> stub_;
  std::unique_ptr<goalsync::v1::PlanService::Stub> plan_stub_;
  std::string token_;
};

// The one place where gRPC statuses become ours: the code, the message, and the server's
// goalsync.v1.Refusal (errors.proto, from grpc-status-details-bin) attached as the status's
// payload, which RefusalOf reads.
absl::Status FromGrpcStatus(const grpc::Status& status);
// The same for a refused AppendStream request's ack.
absl::Status FromAppendError(const goalsync::v1::AppendError& error);

// Why the server refused (a status from FromGrpcStatus): the reason, the refused event's
// index, the field at fault, the seq to resume from, the server's time. A status without
// the server's facts (OK, or made on this side) gives the reason its code means.
goalsync::v1::Refusal RefusalOf(const absl::Status& status);

// A random (version 4) UUID, lowercase with dashes, for event ids.
std::string NewEventId();

}  // namespace goalsync::client

#endif  // GOALSYNC_CLIENT_LOG_CLIENT_H_
