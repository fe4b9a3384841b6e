// Authenticator: who is calling (the bearer token in the call's metadata), whether their role
// in the workspace allows the action (core/authz.h's table), and a per-token rate limit.
//
// Thread safety: Check and Identify may be called from any gRPC thread.
#ifndef GOALSYNC_SERVER_AUTH_AUTHENTICATOR_H_
#define GOALSYNC_SERVER_AUTH_AUTHENTICATOR_H_

#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/authz.h"
#include "grpcpp/grpcpp.h"
#include "server/auth/token_store.h"
#include "server/log/workspace.h"

namespace goalsync::server {

struct Principal {
  // The authenticated identity: the actor of every event the caller appends. Empty in dev
  // mode (the writer's own actor stands).
  std::string name;
  goalsync::v1::Role role = goalsync::v1::ROLE_UNSPECIFIED;
  std::string token_id;
  bool dev = false;

  // What the append path needs: nullopt in dev mode (no rules, actor as written).
  std::optional<Writer> writer() const {
    if (dev) return std::nullopt;
    return Writer{name, role};
  }
};

class Authenticator {
 public:
  // `store` null: dev mode, every call is allowed (goalsyncd --insecure-no-auth).
  // `rate_per_second` 0: no rate limit; else each token may make that many calls a second
  // (bursts up to one second's worth).
  Authenticator(const TokenStore* store, double rate_per_second)
      : store_(store), rate_(rate_per_second) {}

  // The caller, if their token is valid (UNAUTHENTICATED), within its rate
  // (RESOURCE_EXHAUSTED with a retry hint), and its role in `workspace` allows `action`
  // (PERMISSION_DENIED).
  absl::StatusOr<Principal> Check(const grpc::ServerContextBase& ctx, const std::string& workspace,
                                  core::Action action);
  // The caller's token, for calls that span workspaces (Admin). Also rate-limited.
  absl::StatusOr<goalsync::v1::TokenInfo> Identify(const grpc::ServerContextBase& ctx);

 private:
  absl::Status Charge(const std::string& token_id);

  const TokenStore* store_;
  const double rate_;
  absl::Mutex mu_;
  struct Bucket {
    double tokens;
    absl::Time refilled;
  };
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_AUTH_AUTHENTICATOR_H_
