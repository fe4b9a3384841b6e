// server/auth/token_store: tokens created, authenticated, listed, revoked, kept across
// reopen, secrets never stored, and the role a token grants in a workspace. Real RocksDB in a
// temporary directory.
#include "server/auth/token_store.h"

#include <string>

#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/temp_dir.h"

namespace goalsync::server {
namespace {

using goalsync::v1::Role;

TEST(TokenStoreTest, ACreatedTokenAuthenticatesUntilRevoked) {
  goalsync::testing::TempDir dir;
  absl::StatusOr<std::unique_ptr<TokenStore>> store = TokenStore::Open(dir.Sub("auth"));
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<goalsync::v1::CreateTokenResponse> made =
      (*store)->Create("li", {{"acme", goalsync::v1::ROLE_EDITOR}}, "ops", absl::Now());
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_THAT(made->token(), ::testing::StartsWith("gs_" + made->info().id() + "_"));
  absl::StatusOr<goalsync::v1::TokenInfo> who = (*store)->Authenticate(made->token());
  ASSERT_TRUE(who.ok()) << who.status();
  EXPECT_EQ(who->name(), "li");
  // A wrong secret, a made-up id, garbage: UNAUTHENTICATED.
  std::string wrong = made->token();
  wrong.back() = wrong.back() == 'A' ? 'B' : 'A';
  EXPECT_TRUE(absl::IsUnauthenticated((*store)->Authenticate(wrong).status()));
  EXPECT_TRUE(absl::IsUnauthenticated((*store)->Authenticate("gs_0000000000000000_x").status()));
  EXPECT_TRUE(absl::IsUnauthenticated((*store)->Authenticate("not a token").status()));
  ASSERT_TRUE((*store)->Revoke(made->info().id()).ok());
  ASSERT_TRUE((*store)->Revoke(made->info().id()).ok());  // twice is OK
  EXPECT_TRUE(absl::IsUnauthenticated((*store)->Authenticate(made->token()).status()));
  EXPECT_TRUE(absl::IsNotFound((*store)->Revoke("0123456789abcdef")));
}

TEST(TokenStoreTest, TokensSurviveReopenAndListingsHoldNoSecrets) {
  goalsync::testing::TempDir dir;
  std::string token, id;
  {
    std::unique_ptr<TokenStore> store = *TokenStore::Open(dir.Sub("auth"));
    goalsync::v1::CreateTokenResponse made = *store->Create("ops", {{"*", goalsync::v1::ROLE_ADMIN}}, "", absl::Now());
    token = made.token();
    id = made.info().id();
    // The same directory cannot be opened twice (a running goalsyncd holds it).
    EXPECT_FALSE(TokenStore::Open(dir.Sub("auth")).ok());
  }
  std::unique_ptr<TokenStore> store = *TokenStore::Open(dir.Sub("auth"));
  ASSERT_TRUE(store->Authenticate(token).ok());
  std::vector<goalsync::v1::TokenInfo> all = store->List();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].id(), id);
  const std::string secret = token.substr(token.rfind('_') + 1);
  EXPECT_THAT(all[0].SerializeAsString(), ::testing::Not(::testing::HasSubstr(secret)));
}

TEST(TokenStoreTest, RoleInPrefersTheWorkspacesOwnGrant) {
  goalsync::v1::TokenInfo info;
  (*info.mutable_grants())["*"] = goalsync::v1::ROLE_VIEWER;
  (*info.mutable_grants())["acme"] = goalsync::v1::ROLE_MANAGER;
  EXPECT_EQ(RoleIn(info, "acme"), goalsync::v1::ROLE_MANAGER);
  EXPECT_EQ(RoleIn(info, "other"), goalsync::v1::ROLE_VIEWER);
  info.mutable_grants()->erase("*");
  EXPECT_EQ(RoleIn(info, "other"), goalsync::v1::ROLE_UNSPECIFIED);
}

}  // namespace
}  // namespace goalsync::server
