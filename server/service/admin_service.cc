#include "server/service/admin_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/envelope.h"
#include "server/service/status_map.h"

namespace goalsync::server {

using namespace goalsync::v1;  // NOLINT: the generated messages

namespace {

// Whether `caller` administers every workspace `grants` names ("*" needs a "*" admin grant).
absl::Status Administers(const TokenInfo& caller, const google::protobuf::Map<std::string, Role>& grants) {
  for (const auto& [ws, role] : grants) {
    const bool ok = ws == "*" ? caller.grants().count("*") && caller.grants().at("*") == ROLE_ADMIN
                              : RoleIn(caller, ws) == ROLE_ADMIN;
    if (!ok) {
      return absl::PermissionDeniedError(absl::StrCat(
          caller.name(), " is not an admin of ", ws == "*" ? "every workspace" : "workspace " + ws));
    }
  }
  return absl::OkStatus();
}

template <typename Fn>
grpc::ServerUnaryReactor* Run(grpc::CallbackServerContext* ctx, Fn fn) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  reactor->Finish(ToGrpcStatus(fn()));
  return reactor;
}

}  // namespace

grpc::ServerUnaryReactor* AdminService::CreateToken(grpc::CallbackServerContext* ctx,
                                                    const CreateTokenRequest* request,
                                                    CreateTokenResponse* response) {
  return Run(ctx, [&]() -> absl::Status {
    if (tokens_ == nullptr) return absl::FailedPreconditionError("goalsyncd runs without auth (--insecure-no-auth)");
    absl::StatusOr<TokenInfo> caller = auth_.Identify(*ctx);
    if (!caller.ok()) return caller.status();
    for (const auto& [ws, role] : request->grants()) {
      if (ws != "*") {
        if (absl::Status s = core::ValidateWorkspaceName(ws); !s.ok()) return s;
      }
    }
    if (absl::Status s = Administers(*caller, request->grants()); !s.ok()) return s;
    std::map<std::string, Role> grants(request->grants().begin(), request->grants().end());
    absl::StatusOr<CreateTokenResponse> created =
        tokens_->Create(request->name(), grants, caller->name(), absl::Now());
    if (!created.ok()) return created.status();
    *response = std::move(*created);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AdminService::RevokeToken(grpc::CallbackServerContext* ctx,
                                                    const RevokeTokenRequest* request,
                                                    RevokeTokenResponse* response) {
  return Run(ctx, [&]() -> absl::Status {
    if (tokens_ == nullptr) return absl::FailedPreconditionError("goalsyncd runs without auth (--insecure-no-auth)");
    absl::StatusOr<TokenInfo> caller = auth_.Identify(*ctx);
    if (!caller.ok()) return caller.status();
    for (const TokenInfo& t : tokens_->List()) {
      if (t.id() != request->id()) continue;
      if (absl::Status s = Administers(*caller, t.grants()); !s.ok()) return s;
      return tokens_->Revoke(t.id());
    }
    return absl::NotFoundError(absl::StrCat("no token has id ", request->id()));
  });
}

grpc::ServerUnaryReactor* AdminService::ListTokens(grpc::CallbackServerContext* ctx,
                                                   const ListTokensRequest* request,
                                                   ListTokensResponse* response) {
  return Run(ctx, [&]() -> absl::Status {
    if (tokens_ == nullptr) return absl::FailedPreconditionError("goalsyncd runs without auth (--insecure-no-auth)");
    absl::StatusOr<TokenInfo> caller = auth_.Identify(*ctx);
    if (!caller.ok()) return caller.status();
    const bool admin = std::any_of(caller->grants().begin(), caller->grants().end(),
                                   [](const auto& g) { return g.second == ROLE_ADMIN; });
    if (!admin) return absl::PermissionDeniedError(absl::StrCat(caller->name(), " administers no workspace"));
    for (const TokenInfo& t : tokens_->List()) {
      if (Administers(*caller, t.grants()).ok()) *response->add_tokens() = t;
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* AdminService::Backup(grpc::CallbackServerContext* ctx,
                                               const BackupRequest* request,
                                               BackupResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::Status allowed = absl::OkStatus();
  if (tokens_ != nullptr) {  // dev mode: everyone may
    absl::StatusOr<TokenInfo> caller = auth_.Identify(*ctx);
    google::protobuf::Map<std::string, Role> everything;
    everything["*"] = ROLE_ADMIN;
    allowed = caller.ok() ? Administers(*caller, everything) : caller.status();
  }
  if (allowed.ok() && !backup_) allowed = absl::UnimplementedError("this server takes no backups");
  if (allowed.ok() && request->to().empty()) {
    allowed = absl::InvalidArgumentError("to is empty: name the backup directory");
  }
  if (!allowed.ok()) {
    reactor->Finish(ToGrpcStatus(allowed));
    return reactor;
  }
  backup_(request->to(), [reactor, response](absl::StatusOr<BackupResult> result) {
    if (result.ok()) {
      response->set_backup_id(result->backup_id);
      response->set_total_bytes(result->total_bytes);
      response->set_copied_bytes(result->copied_bytes);
      response->set_duration_ms(static_cast<uint64_t>(absl::ToInt64Milliseconds(result->took)));
    }
    reactor->Finish(ToGrpcStatus(result.status()));
  });
  return reactor;
}

}  // namespace goalsync::server
