// Answers for requests that never reach a service: bytes that do not parse as the rpc's
// request message, and rpcs that do not exist.
//
// gRPC's callback API finishes both with UNIMPLEMENTED and an empty message, so a client
// cannot tell a garbled request from a wrong method. This interceptor rewrites that status
// (only that one: goalsyncd's services never return UNIMPLEMENTED themselves) into
//   - INVALID_ARGUMENT "request is not a valid goalsync.v1.<Type> message: ..." with the
//     Refusal reason UNPARSEABLE, for a method goalsyncd serves;
//   - UNIMPLEMENTED "goalsyncd has no rpc <path>" with the reason UNIMPLEMENTED, otherwise;
// both through ToGrpcStatus, so they carry the same details as every other refusal.
// Thread-safe: one interceptor per call.
#ifndef GOALSYNC_SERVER_SERVICE_REQUEST_GUARD_H_
#define GOALSYNC_SERVER_SERVICE_REQUEST_GUARD_H_

#include <memory>

#include "grpcpp/support/server_interceptor.h"

namespace goalsync::server {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewRequestGuard();

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_SERVICE_REQUEST_GUARD_H_
