// The request log: one line for each gRPC request that was refused (any status but OK and
// CANCELLED) or, for unary calls, slower than a bound. Each names the rpc, the workspace
// (the request's `workspace` field, or its `append.workspace`), the actor (the name of the
// caller's token; "-" without one), the status code and the duration; with --log-format json
// these are fields of the line's object (see log_format.h).
//
// It is a gRPC server interceptor, so every service gets it without a line of its own.
// Refusals are logged at info level (--log-level warn hides them); slow calls at warn.
//
// Redirects are not errors: a replica-group member that is not the leader refuses writes
// with UNAVAILABLE and a Refusal of reason NOT_LEADER (core/refusal.h), which clients follow
// to the leader. During a failover every client retry gets one (thousands a second), so they
// are summed up instead: the first of a quiet spell is logged at info as above, every one at
// debug, and at the end of each `redirect_summary` window that had more than one, an info line
//   "N requests refused NOT_LEADER in the last 10 s (rpc=... leader_node_id=...)"
// (JSON fields: refused, reason, window_s, rpcs, leader_node_id, leader_address). Every other
// refusal keeps its line and level.
//
// Thread safety: gRPC calls the interceptors from its threads.
#ifndef GOALSYNC_SERVER_OPS_REQUEST_LOG_H_
#define GOALSYNC_SERVER_OPS_REQUEST_LOG_H_

#include <memory>

#include "absl/time/time.h"
#include "grpcpp/support/server_interceptor.h"
#include "server/auth/token_store.h"

namespace goalsync::server {

struct RequestLogOptions {
  // A unary call that takes longer than this in the server is logged (0: none are).
  absl::Duration slow = absl::Milliseconds(500);
  // NOT_LEADER refusals are counted over windows this long and logged as one line per window
  // (see above). Must be positive.
  absl::Duration redirect_summary = absl::Seconds(10);
};

// `tokens` (null in --insecure-no-auth mode) names the actor; it must outlive the server.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewRequestLog(
    const TokenStore* tokens, RequestLogOptions options);

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_OPS_REQUEST_LOG_H_
