#include "core/hash_chain.h"

#include <openssl/sha.h>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goalsync::core {
namespace {

using ::testing::HasSubstr;
using goalsync::v1::Event;

std::vector<Event> MakeChain(int n) {
  std::vector<Event> chain;
  std::string prev = GenesisHash();
  for (int i = 1; i <= n; ++i) {
    Event e;
    e.set_workspace("acme");
    e.set_seq(i);
    e.set_event_id("e" + std::to_string(i));
    e.mutable_payload()->mutable_goal_created()->set_goal_id("g" + std::to_string(i));
    e.set_prev_hash(prev);
    e.set_hash(ComputeEventHash(e));
    prev = e.hash();
    chain.push_back(e);
  }
  return chain;
}

absl::Status VerifyAll(const std::vector<Event>& chain) {
  ChainVerifier v;
  for (const Event& e : chain) {
    if (absl::Status s = v.Next(e); !s.ok()) return s;
  }
  return absl::OkStatus();
}

TEST(HashChainTest, HashIsSha256OfPrevHashAndCanonicalBytes) {
  Event e = MakeChain(1)[0];
  std::string input = e.prev_hash() + CanonicalBytes(e);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  EXPECT_EQ(e.hash(), std::string(reinterpret_cast<char*>(digest), sizeof(digest)));
}

TEST(HashChainTest, CanonicalBytesIgnoreTheHashField) {
  Event e = MakeChain(1)[0];
  Event cleared = e;
  cleared.clear_hash();
  EXPECT_EQ(CanonicalBytes(e), CanonicalBytes(cleared));
  EXPECT_EQ(CanonicalBytes(e), cleared.SerializeAsString());
}

TEST(HashChainTest, SealedBytesParseToTheSealedEvent) {
  Event e = MakeChain(2)[1];
  e.clear_hash();
  const std::string stored = SealEvent(&e);
  EXPECT_EQ(e.hash(), ComputeEventHash(e));
  Event parsed;
  ASSERT_TRUE(parsed.ParseFromString(stored));
  EXPECT_EQ(parsed.SerializeAsString(), e.SerializeAsString());
  EXPECT_EQ(ComputeEventHash(parsed), parsed.hash());
}

TEST(HashChainTest, GenesisIs32ZeroBytes) { EXPECT_EQ(GenesisHash(), std::string(32, '\0')); }

TEST(HashChainTest, SoundChainVerifies) {
  std::vector<Event> chain = MakeChain(5);
  EXPECT_TRUE(VerifyAll(chain).ok());
  ChainVerifier v;
  for (const Event& e : chain) ASSERT_TRUE(v.Next(e).ok());
  EXPECT_EQ(v.last_seq(), 5u);
  EXPECT_EQ(v.last_hash(), chain.back().hash());
}

TEST(HashChainTest, FindsAnAlteredEvent) {
  std::vector<Event> chain = MakeChain(5);
  chain[2].mutable_payload()->mutable_goal_created()->set_statement("rewritten");
  absl::Status s = VerifyAll(chain);
  EXPECT_EQ(s.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(s.message()), HasSubstr("seq 3: content does not match"));
}

TEST(HashChainTest, FindsAnAlteredActorEvenWithARecomputedHash) {
  std::vector<Event> chain = MakeChain(5);
  chain[1].set_actor("mallory");
  chain[1].set_hash(ComputeEventHash(chain[1]));  // the forger fixes this event's hash...
  absl::Status s = VerifyAll(chain);               // ...but the next link breaks
  EXPECT_THAT(std::string(s.message()), HasSubstr("seq 3: prev_hash"));
}

TEST(HashChainTest, FindsARemovedEvent) {
  std::vector<Event> chain = MakeChain(5);
  chain.erase(chain.begin() + 3);
  EXPECT_THAT(std::string(VerifyAll(chain).message()), HasSubstr("seq 4: expected next"));
}

TEST(HashChainTest, FindsReorderedEvents) {
  std::vector<Event> chain = MakeChain(5);
  std::swap(chain[1], chain[2]);
  EXPECT_THAT(std::string(VerifyAll(chain).message()), HasSubstr("seq 2: expected next"));
}

TEST(HashChainTest, StartsFromATrustedCheckpoint) {
  std::vector<Event> chain = MakeChain(5);
  ChainVerifier v(3, chain[2].hash());
  EXPECT_TRUE(v.Next(chain[3]).ok());
  EXPECT_TRUE(v.Next(chain[4]).ok());
  ChainVerifier wrong(3, chain[1].hash());
  EXPECT_EQ(wrong.Next(chain[3]).code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace goalsync::core
