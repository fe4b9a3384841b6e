// client-lib plan_file: a plan as the story of its events in YAML, JSON and CSV: parsing,
// stable event ids, errors naming the line, and write/parse round trips.
#include "goalsync/plan_file.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goalsync::client {
namespace {

constexpr char kPlan[] = R"(workspace: acme
events:
  - by: dana
    at: 2026-01-05
    goalCreated:
      goalId: sales-2026
      level: GOAL_LEVEL_TEAM
      statement: 50 signings by end of Q4
  - by: li
    checkInRecorded:
      goalId: sales-2026
      value: 3
      period: 2026-Q1
)";

TEST(PlanFileTest, ParsesEventsWithActorsTimesAndStableIds) {
  absl::StatusOr<PlanFile> plan = ParsePlanFile(kPlan);
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->workspace, "acme");
  ASSERT_EQ(plan->events.size(), 2u);
  EXPECT_EQ(plan->events[0].actor(), "dana");
  EXPECT_EQ(plan->events[0].payload().goal_created().statement(), "50 signings by end of Q4");
  EXPECT_GT(plan->events[0].hlc().physical_micros(), 0u);
  EXPECT_EQ(plan->events[1].payload().check_in_recorded().value(), 3);
  EXPECT_FALSE(plan->events[0].event_id().empty());
  EXPECT_NE(plan->events[0].event_id(), plan->events[1].event_id());
  // The same file, the same ids: loading it twice appends nothing the second time.
  absl::StatusOr<PlanFile> again = ParsePlanFile(kPlan);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->events[0].event_id(), plan->events[0].event_id());
}

TEST(PlanFileTest, ErrorsNameWhatIsWrong) {
  absl::StatusOr<PlanFile> bad = ParsePlanFile("workspace: acme\nevents:\n  - by: li\n    noSuchEvent: {}\n");
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status()));
  EXPECT_THAT(std::string(bad.status().message()), ::testing::HasSubstr("noSuchEvent"));
  EXPECT_FALSE(ParsePlanFile("events: [").ok());
  EXPECT_TRUE(absl::IsNotFound(ReadPlanFile("/nonexistent/plan.yaml").status()));
}

TEST(PlanFileTest, WriteThenParseGivesTheSameEventsInEveryFormat) {
  absl::StatusOr<PlanFile> plan = ParsePlanFile(kPlan);
  ASSERT_TRUE(plan.ok());
  for (PlanFormat f : {PlanFormat::kYaml, PlanFormat::kJson, PlanFormat::kCsv}) {
    SCOPED_TRACE(static_cast<int>(f));
    const std::string text = WritePlanFile("acme", plan->events, f);
    absl::StatusOr<PlanFile> back = f == PlanFormat::kCsv ? ParsePlanCsv("acme", text) : ParsePlanFile(text);
    ASSERT_TRUE(back.ok()) << back.status() << "\n" << text;
    ASSERT_EQ(back->events.size(), plan->events.size());
    for (size_t i = 0; i < plan->events.size(); ++i) {
      EXPECT_EQ(back->events[i].event_id(), plan->events[i].event_id());
      EXPECT_EQ(back->events[i].actor(), plan->events[i].actor());
      EXPECT_EQ(back->events[i].payload().SerializeAsString(), plan->events[i].payload().SerializeAsString());
      EXPECT_EQ(back->events[i].hlc().physical_micros(), plan->events[i].hlc().physical_micros());
    }
  }
}

}  // namespace
}  // namespace goalsync::client
