#include "server/store/keys.h"

#include "gtest/gtest.h"

namespace goalsync::server::keys {
namespace {

TEST(KeysTest, LogKeysSortInLogOrder) {
  EXPECT_LT(LogKey(1, 9), LogKey(1, 10));
  EXPECT_LT(LogKey(1, 255), LogKey(1, 256));
  EXPECT_LT(LogKey(1, 1ull << 40), LogKey(1, (1ull << 40) + 1));
  EXPECT_LT(LogKey(1, ~0ull), LogKey(2, 1));
  EXPECT_EQ(LogKey(7, 1).size(), 12u);
}

TEST(KeysTest, SeqRoundTrips) {
  for (uint64_t seq : {1ull, 255ull, 256ull, 1ull << 33, ~0ull}) {
    EXPECT_EQ(SeqOfKey(LogKey(3, seq)), seq);
    EXPECT_EQ(SeqOfKey(ByGoalKey(3, "goal-1", seq)), seq);
  }
}

TEST(KeysTest, ByGoalKeysOfOneGoalAreContiguous) {
  // "g" must not interleave with "g1": the separator sorts below every id character.
  EXPECT_LT(ByGoalKey(1, "g", ~0ull), ByGoalKey(1, "g1", 0));
  EXPECT_EQ(ByGoalKey(1, "g", 5).rfind(ByGoalPrefix(1, "g"), 0), 0u);
  EXPECT_NE(ByGoalKey(1, "g1", 5).rfind(ByGoalPrefix(1, "g"), 0), 0u);
}

TEST(KeysTest, BigEndianRoundTrips) {
  std::string s;
  PutBigEndian32(&s, 0x01020304);
  PutBigEndian64(&s, 0x0102030405060708ull);
  EXPECT_EQ(GetBigEndian32(s), 0x01020304u);
  EXPECT_EQ(GetBigEndian64(absl::string_view(s).substr(4)), 0x0102030405060708ull);
  EXPECT_EQ(s[0], 1);
}

}  // namespace
}  // namespace goalsync::server::keys
