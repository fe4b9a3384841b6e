// core/hlc: readings follow the wall clock, never go back, and order what one microsecond holds.
#include "core/hlc.h"

#include "gtest/gtest.h"

namespace goalsync::core {
namespace {

v1::Hlc H(uint64_t physical, uint32_t logical) {
  v1::Hlc h;
  h.set_physical_micros(physical);
  h.set_logical(logical);
  return h;
}

TEST(HlcTest, TicksFollowTheClockAndNeverGoBack) {
  EXPECT_TRUE(HlcLess(H(1, 5), H(2, 0)));
  EXPECT_TRUE(HlcLess(H(2, 0), H(2, 1)));
  EXPECT_FALSE(HlcLess(H(2, 1), H(2, 1)));
  v1::Hlc t = HlcTick(H(0, 0), 100);
  EXPECT_EQ(t.physical_micros(), 100u);
  EXPECT_EQ(t.logical(), 0u);
  v1::Hlc same = HlcTick(t, 100);  // the same microsecond
  EXPECT_TRUE(HlcLess(t, same));
  v1::Hlc back = HlcTick(same, 50);  // the wall clock stepped back
  EXPECT_TRUE(HlcLess(same, back));
  EXPECT_EQ(back.physical_micros(), 100u);
}

TEST(HlcTest, AnEditAfterSeeingARemoteOneIsStampedAfterIt) {
  v1::Hlc mine = H(100, 0);
  mine = HlcObserve(mine, H(500, 3));  // a remote edit from a clock ahead
  EXPECT_TRUE(HlcLess(H(500, 3), HlcTick(mine, 200)));
  EXPECT_EQ(HlcObserve(H(900, 0), H(500, 3)).physical_micros(), 900u);
}

}  // namespace
}  // namespace goalsync::core
