#include "server/auth/authenticator.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/refusal.h"

namespace goalsync::server {

absl::StatusOr<goalsync::v1::TokenInfo> Authenticator::Identify(const grpc::ServerContextBase& ctx) {
  if (store_ == nullptr) {
    goalsync::v1::TokenInfo dev;
    dev.set_name("dev");
    (*dev.mutable_grants())["*"] = goalsync::v1::ROLE_ADMIN;
    return dev;
  }
  const auto& metadata = ctx.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return absl::UnauthenticatedError(
        "no token: send \"authorization: Bearer <token>\" (goalctl --token or GOALSYNC_TOKEN)");
  }
  absl::string_view value(it->second.data(), it->second.size());
  if (!absl::ConsumePrefix(&value, "Bearer ")) {
    return absl::UnauthenticatedError("the authorization header is not \"Bearer <token>\"");
  }
  absl::StatusOr<goalsync::v1::TokenInfo> info = store_->Authenticate(value);
  if (!info.ok()) return info.status();
  if (absl::Status s = Charge(info->id()); !s.ok()) return s;
  return info;
}

absl::StatusOr<Principal> Authenticator::Check(const grpc::ServerContextBase& ctx,
                                               const std::string& workspace, core::Action action) {
  if (store_ == nullptr) return Principal{.role = goalsync::v1::ROLE_ADMIN, .dev = true};
  absl::StatusOr<goalsync::v1::TokenInfo> info = Identify(ctx);
  if (!info.ok()) return info.status();
  Principal p{.name = info->name(), .role = RoleIn(*info, workspace), .token_id = info->id()};
  if (p.role == goalsync::v1::ROLE_UNSPECIFIED) {
    return absl::PermissionDeniedError(
        absl::StrCat(p.name, "'s token grants nothing in workspace ", workspace));
  }
  if (!core::Allows(p.role, action)) {
    static constexpr const char* kWhat[] = {"read", "audit", "write to", "manage tokens of"};
    return absl::PermissionDeniedError(absl::StrCat(p.name, " (", core::RoleName(p.role),
                                                    ") may not ", kWhat[static_cast<int>(action)],
                                                    " workspace ", workspace));
  }
  return p;
}

absl::Status Authenticator::Charge(const std::string& token_id) {
  if (rate_ <= 0) return absl::OkStatus();
  const absl::Time now = absl::Now();
  const double burst = std::max(1.0, rate_);
  absl::MutexLock lock(&mu_);
  auto [it, fresh] = buckets_.try_emplace(token_id, Bucket{burst, now});
  Bucket& b = it->second;
  b.tokens = std::min(burst, b.tokens + rate_ * absl::ToDoubleSeconds(now - b.refilled));
  b.refilled = now;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return absl::OkStatus();
  }
  const int64_t wait_ms = static_cast<int64_t>((1 - b.tokens) / rate_ * 1000) + 1;
  return core::WithReason(absl::ResourceExhaustedError(absl::StrCat(
                              "rate limit of ", rate_, " calls/s for this token: retry in ",
                              wait_ms, " ms")),
                          goalsync::v1::Refusal::RATE_LIMITED);
}

}  // namespace goalsync::server
