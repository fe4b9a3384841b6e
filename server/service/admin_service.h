// AdminService: goalsync.v1.Admin, token management over gRPC (admin.proto). Tokens are
// created and revoked only within the workspaces the caller administers.
#ifndef GOALSYNC_SERVER_SERVICE_ADMIN_SERVICE_H_
#define GOALSYNC_SERVER_SERVICE_ADMIN_SERVICE_H_

#include <functional>
#include <string>

#include "absl/functional/any_invocable.h"
#include "goalsync/v1/admin.grpc.pb.h"
#include "server/auth/authenticator.h"
#include "server/auth/token_store.h"
#include "server/store/backup.h"

namespace goalsync::server {

class AdminService final : public goalsync::v1::Admin::CallbackService {
 public:
  // `tokens` null: dev mode, where there are no tokens to manage (FAILED_PRECONDITION).
  AdminService(TokenStore* tokens, Authenticator& auth) : tokens_(tokens), auth_(auth) {}

  grpc::ServerUnaryReactor* CreateToken(grpc::CallbackServerContext* ctx,
                                        const goalsync::v1::CreateTokenRequest* request,
                                        goalsync::v1::CreateTokenResponse* response) override;
  grpc::ServerUnaryReactor* RevokeToken(grpc::CallbackServerContext* ctx,
                                        const goalsync::v1::RevokeTokenRequest* request,
                                        goalsync::v1::RevokeTokenResponse* response) override;
  grpc::ServerUnaryReactor* ListTokens(grpc::CallbackServerContext* ctx,
                                       const goalsync::v1::ListTokensRequest* request,
                                       goalsync::v1::ListTokensResponse* response) override;
  grpc::ServerUnaryReactor* Backup(grpc::CallbackServerContext* ctx,
                                   const goalsync::v1::BackupRequest* request,
                                   goalsync::v1::BackupResponse* response) override;

  // Who takes backups: starts one into `to` and calls `done` when it ends (on any thread).
  // Unset: Backup answers UNIMPLEMENTED. Set once, before serving.
  using BackupDone = absl::AnyInvocable<void(absl::StatusOr<BackupResult>) &&>;
  void set_backup(std::function<void(const std::string& to, BackupDone done)> backup) {
    backup_ = std::move(backup);
  }

 private:
  std::function<void(const std::string&, BackupDone)> backup_;
  TokenStore* tokens_;
  Authenticator& auth_;
};

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_SERVICE_ADMIN_SERVICE_H_
