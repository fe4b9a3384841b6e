#include "core/envelope.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goalsync::core {
namespace {

using ::testing::HasSubstr;
using goalsync::v1::Event;

TEST(WorkspaceNameTest, AcceptsLettersDigitsAndPunctuation) {
  for (const char* ok : {"acme", "Acme-2026", "a", "a.b_c-d", "0lead"}) {
    EXPECT_TRUE(ValidateWorkspaceName(ok).ok()) << ok;
  }
}

TEST(WorkspaceNameTest, RejectsWithAReason) {
  struct Case {
    std::string name;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{{"", "empty"},
                                         {std::string(65, 'a'), "at most 64"},
                                         {"-lead", "start with a letter or digit"},
                                         {"has space", "may hold only"},
                                         {"slash/no", "may hold only"},
                                         {std::string("nul\0x", 5), "may hold only"}}) {
    absl::Status s = ValidateWorkspaceName(c.name);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.says)) << c.name;
  }
}

Event GoodEvent() {
  Event e;
  e.set_event_id("3f1c1f8e-0000-4000-8000-000000000001");
  e.mutable_payload()->mutable_goal_created()->set_goal_id("sales-2026");
  return e;
}

TEST(SubmittedEventTest, AcceptsAMinimalEvent) {
  EXPECT_TRUE(ValidateSubmittedEvent(GoodEvent(), "acme").ok());
  Event same_ws = GoodEvent();
  same_ws.set_workspace("acme");
  EXPECT_TRUE(ValidateSubmittedEvent(same_ws, "acme").ok());
}

TEST(SubmittedEventTest, RejectsEachBrokenRuleNamingIt) {
  struct Case {
    const char* what;
    void (*mutate)(Event&);
    const char* says;
  };
  const Case cases[] = {
      {"no event id", [](Event& e) { e.clear_event_id(); }, "event_id is missing"},
      {"bad event id", [](Event& e) { e.set_event_id("a b"); }, "event_id"},
      {"long event id", [](Event& e) { e.set_event_id(std::string(129, 'x')); }, "at most 128"},
      {"other workspace", [](Event& e) { e.set_workspace("other"); }, "differs"},
      {"seq set", [](Event& e) { e.set_seq(3); }, "assigned by the server"},
      {"hash set", [](Event& e) { e.set_hash("x"); }, "assigned by the server"},
      {"prev hash set", [](Event& e) { e.set_prev_hash("x"); }, "assigned by the server"},
      {"server time set", [](Event& e) { e.mutable_server_time()->set_seconds(1); },
       "assigned by the server"},
      {"future schema", [](Event& e) { e.set_schema_version(kSchemaVersion + 1); },
       "upgrade goalsyncd"},
      {"no payload", [](Event& e) { e.clear_payload(); }, "payload is missing"},
      {"empty payload", [](Event& e) { e.mutable_payload()->Clear(); }, "payload is empty"},
      {"no goal id", [](Event& e) { e.mutable_payload()->mutable_goal_created()->clear_goal_id(); },
       "goal_id is missing"},
      {"field set without field",
       [](Event& e) { e.mutable_payload()->mutable_goal_field_set()->set_goal_id("g"); },
       "goal_field_set.field is empty"},
  };
  for (const Case& c : cases) {
    Event e = GoodEvent();
    c.mutate(e);
    absl::Status s = ValidateSubmittedEvent(e, "acme");
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.what;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.says)) << c.what;
  }
}

TEST(GoalIdOfTest, FindsTheGoalOfEveryPayload) {
  goalsync::v1::Payload p;
  EXPECT_EQ(GoalIdOf(p), "");
  p.mutable_goal_created()->set_goal_id("a");
  EXPECT_EQ(GoalIdOf(p), "a");
  p.mutable_goal_field_set()->set_goal_id("b");
  EXPECT_EQ(GoalIdOf(p), "b");
  p.mutable_goal_archived()->set_goal_id("c");
  EXPECT_EQ(GoalIdOf(p), "c");
  p.mutable_goal_restored()->set_goal_id("d");
  EXPECT_EQ(GoalIdOf(p), "d");
}

}  // namespace
}  // namespace goalsync::core
