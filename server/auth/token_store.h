// TokenStore: goalsyncd's bearer tokens, in their own small RocksDB (<data-dir>/auth).
//
// A token is "gs_<id>_<secret>": <id> (16 hex digits) names it in listings and revocations;
// only the SHA-256 of <secret> (32 random bytes, base64url) is stored, so a copy of the data
// dir does not leak usable tokens. Thread safety: all methods may be called concurrently.
#ifndef GOALSYNC_SERVER_AUTH_TOKEN_STORE_H_
#define GOALSYNC_SERVER_AUTH_TOKEN_STORE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "goalsync/v1/admin.pb.h"
#include "rocksdb/db.h"

namespace goalsync::server {

class TokenStore {
 public:
  // Opens (creating) the token database in `dir`. FAILED_PRECONDITION if another process
  // (a running goalsyncd) holds it.
  static absl::StatusOr<std::unique_ptr<TokenStore>> Open(const std::string& dir);
  ~TokenStore();

  // A new token for `name` with `grants` (workspace or "*" -> role), written durably. The
  // response holds the whole token; it cannot be shown again.
  absl::StatusOr<goalsync::v1::CreateTokenResponse> Create(
      const std::string& name, const std::map<std::string, goalsync::v1::Role>& grants,
      const std::string& created_by, absl::Time now);
  // NOT_FOUND if there is no such id. Revoking twice is OK.
  absl::Status Revoke(const std::string& id);
  // Every token (revoked ones too), without their secret hashes, by id.
  std::vector<goalsync::v1::TokenInfo> List() const;
  // The token's info if `token` is one of ours and not revoked; UNAUTHENTICATED otherwise.
  absl::StatusOr<goalsync::v1::TokenInfo> Authenticate(absl::string_view token) const;
  // The token database, for online backups (server/store/backup.h) only.
  rocksdb::DB& db() const { return *db_; }

 private:
  TokenStore() = default;
  absl::Status Put(const goalsync::v1::TokenInfo& info);

  std::unique_ptr<rocksdb::DB> db_;
  mutable absl::Mutex mu_;
  std::map<std::string, goalsync::v1::TokenInfo> tokens_ ABSL_GUARDED_BY(mu_);
};

// The role `info` grants in `workspace` (its own grant, else "*"), or ROLE_UNSPECIFIED.
goalsync::v1::Role RoleIn(const goalsync::v1::TokenInfo& info, const std::string& workspace);

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_AUTH_TOKEN_STORE_H_
