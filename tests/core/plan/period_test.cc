#include "core/plan/period.h"

#include "gtest/gtest.h"

namespace goalsync::core {
namespace {

TEST(PeriodTest, ParsesEveryForm) {
  auto y = ParsePeriod("2026").value();
  EXPECT_EQ(y.first, absl::CivilDay(2026, 1, 1));
  EXPECT_EQ(y.last, absl::CivilDay(2026, 12, 31));
  auto q = ParsePeriod("2026-Q4").value();
  EXPECT_EQ(q.first, absl::CivilDay(2026, 10, 1));
  EXPECT_EQ(q.last, absl::CivilDay(2026, 12, 31));
  auto m = ParsePeriod("2026-02").value();
  EXPECT_EQ(m.last, absl::CivilDay(2026, 2, 28));
  // ISO week 1 of 2026 starts on Monday 2025-12-29 (January 4th is a Sunday).
  auto w1 = ParsePeriod("2026-W01").value();
  EXPECT_EQ(w1.first, absl::CivilDay(2025, 12, 29));
  auto w5 = ParsePeriod("2026-W05").value();
  EXPECT_EQ(w5.first, absl::CivilDay(2026, 1, 26));
  EXPECT_EQ(w5.last, absl::CivilDay(2026, 2, 1));
  EXPECT_TRUE(ParsePeriod("2026-W53").ok());   // 2026 has 53 ISO weeks
  EXPECT_FALSE(ParsePeriod("2027-W53").ok());  // 2027 has 52
}

TEST(PeriodTest, RejectsOtherText) {
  for (const char* bad : {"", "26", "2026-Q5", "2026-Q0", "2026-13", "2026-00", "2026-W00",
                          "2026/03", "2026-3", "Q1-2026", "2026-W5"}) {
    EXPECT_FALSE(ParsePeriod(bad).ok()) << bad;
  }
}

TEST(PeriodTest, ContainsIsInclusive) {
  auto year = ParsePeriod("2026").value();
  EXPECT_TRUE(Contains(year, ParsePeriod("2026-Q1").value()));
  EXPECT_TRUE(Contains(year, ParsePeriod("2026-12").value()));
  EXPECT_FALSE(Contains(year, ParsePeriod("2026-W01").value())) << "starts in 2025";
  EXPECT_TRUE(Contains(ParsePeriod("2026-Q1").value(), ParsePeriod("2026-03").value()));
}

TEST(DateTest, ParsesRealDatesOnly) {
  EXPECT_EQ(ParseDate("2026-03-31").value(), absl::CivilDay(2026, 3, 31));
  for (const char* bad : {"2026-02-30", "2026-3-1", "31/03/2026", "2026-03-31T00", ""}) {
    EXPECT_FALSE(ParseDate(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace goalsync::core
