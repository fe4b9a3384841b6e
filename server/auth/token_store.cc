#include "server/auth/token_store.h"

#include <openssl/crypto.h>

#include <filesystem>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "rocksdb/options.h"

namespace goalsync::server {
namespace {

std::string Sha256Hex(absl::string_view s) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), digest);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), sizeof(digest)));
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    std::abort();  // no entropy: no safe token to give
  }
  return out;
}

absl::Status Unauthenticated() {
  return absl::UnauthenticatedError(
      "the token is not valid (unknown, revoked or malformed): ask an admin for one "
      "(goalsyncd token create, or goalctl admin token create)");
}

}  // namespace

goalsync::v1::Role RoleIn(const goalsync::v1::TokenInfo& info, const std::string& workspace) {
  if (auto it = info.grants().find(workspace); it != info.grants().end()) return it->second;
  if (auto it = info.grants().find("*"); it != info.grants().end()) return it->second;
  return goalsync::v1::ROLE_UNSPECIFIED;
}

absl::StatusOr<std::unique_ptr<TokenStore>> TokenStore::Open(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);  // the data dir too, for a first token
  rocksdb::Options options;
  options.create_if_missing = true;
  options.OptimizeForSmallDb();
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &db);
  if (!s.ok()) {
    if (s.ToString().find("lock") != std::string::npos) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the token database ", dir, " is in use (is goalsyncd running on this data dir? "
          "then manage tokens over gRPC: goalctl admin token ...)"));
    }
    return absl::UnavailableError(absl::StrCat("cannot open the token database ", dir, ": ", s.ToString()));
  }
  std::unique_ptr<TokenStore> store(new TokenStore());
  store->db_.reset(db);
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  absl::MutexLock lock(&store->mu_);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    goalsync::v1::TokenInfo info;
    if (!info.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError(absl::StrCat("token ", it->key().ToString(), " is corrupt"));
    }
    store->tokens_[info.id()] = std::move(info);
  }
  if (!it->status().ok()) return absl::DataLossError(it->status().ToString());
  return store;
}

TokenStore::~TokenStore() {
  if (db_) db_->Close();
}

absl::Status TokenStore::Put(const goalsync::v1::TokenInfo& info) {
  rocksdb::WriteOptions sync;
  sync.sync = true;
  rocksdb::Status s = db_->Put(sync, info.id(), info.SerializeAsString());
  if (!s.ok()) return absl::UnavailableError(absl::StrCat("cannot store the token: ", s.ToString()));
  return absl::OkStatus();
}

absl::StatusOr<goalsync::v1::CreateTokenResponse> TokenStore::Create(
    const std::string& name, const std::map<std::string, goalsync::v1::Role>& grants,
    const std::string& created_by, absl::Time now) {
  if (name.empty()) return absl::InvalidArgumentError("a token needs a name: the identity it stands for");
  if (grants.empty()) return absl::InvalidArgumentError("a token needs at least one grant (workspace=role)");
  for (const auto& [ws, role] : grants) {
    if (role == goalsync::v1::ROLE_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat("grant for ", ws, " has no role"));
    }
  }
  goalsync::v1::TokenInfo info;
  info.set_id(absl::BytesToHexString(RandomBytes(8)));
  info.set_name(name);
  for (const auto& [ws, role] : grants) (*info.mutable_grants())[ws] = role;
  info.mutable_created()->set_seconds(absl::ToUnixSeconds(now));
  info.set_created_by(created_by);
  std::string secret;
  absl::WebSafeBase64Escape(RandomBytes(32), &secret);
  info.set_secret_sha256(Sha256Hex(secret));
  absl::MutexLock lock(&mu_);
  if (absl::Status s = Put(info); !s.ok()) return s;
  tokens_[info.id()] = info;
  goalsync::v1::CreateTokenResponse out;
  *out.mutable_info() = info;
  out.mutable_info()->clear_secret_sha256();
  out.set_token(absl::StrCat("gs_", info.id(), "_", secret));
  return out;
}

absl::Status TokenStore::Revoke(const std::string& id) {
  absl::MutexLock lock(&mu_);
  auto it = tokens_.find(id);
  if (it == tokens_.end()) return absl::NotFoundError(absl::StrCat("no token has id ", id));
  goalsync::v1::TokenInfo revoked = it->second;
  revoked.set_revoked(true);
  if (absl::Status s = Put(revoked); !s.ok()) return s;
  it->second = std::move(revoked);
  return absl::OkStatus();
}

std::vector<goalsync::v1::TokenInfo> TokenStore::List() const {
  absl::MutexLock lock(&mu_);
  std::vector<goalsync::v1::TokenInfo> out;
  for (const auto& [id, info] : tokens_) {
    out.push_back(info);
    out.back().clear_secret_sha256();
  }
  return out;
}

absl::StatusOr<goalsync::v1::TokenInfo> TokenStore::Authenticate(absl::string_view token) const {
  // gs_<id>_<secret>
  if (!absl::ConsumePrefix(&token, "gs_")) return Unauthenticated();
  const size_t sep = token.find('_');
  if (sep == absl::string_view::npos) return Unauthenticated();
  const std::string id(token.substr(0, sep));
  const std::string hash = Sha256Hex(token.substr(sep + 1));
  absl::MutexLock lock(&mu_);
  auto it = tokens_.find(id);
  if (it == tokens_.end() || it->second.revoked() || it->second.secret_sha256().size() != hash.size() ||
      CRYPTO_memcmp(it->second.secret_sha256().data(), hash.data(), hash.size()) != 0) {
    return Unauthenticated();
  }
  return it->second;
}

}  // namespace goalsync::server
