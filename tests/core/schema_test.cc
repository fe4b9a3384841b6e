// The schema at the door: every enum value outside its defined set (negative ones too) is
// refused naming the field, and so is everything else protobuf would let through.
#include "core/schema.h"

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "core/envelope.h"
#include "core/refusal.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goalsync::core {
namespace {

using goalsync::v1::Event;
using ::testing::HasSubstr;

Event Valid() {
  Event e;
  e.set_event_id("e1");
  auto* g = e.mutable_payload()->mutable_goal_created();
  g->set_goal_id("g");
  g->set_level(goalsync::v1::GOAL_LEVEL_TEAM);
  g->set_statement("s");
  return e;
}

struct EnumCase {
  std::string field;  // the path the refusal must name
  std::function<void(Event&, int)> set;
};

std::vector<EnumCase> EnumCases() {
  using namespace goalsync::v1;  // NOLINT
  return {
      {"payload.goal_created.level", [](Event& e, int v) { e.mutable_payload()->mutable_goal_created()->set_level(static_cast<GoalLevel>(v)); }},
      {"payload.goal_created.details.direction", [](Event& e, int v) { e.mutable_payload()->mutable_goal_created()->mutable_details()->set_direction(static_cast<Direction>(v)); }},
      {"payload.goal_created.details.aggregation", [](Event& e, int v) { e.mutable_payload()->mutable_goal_created()->mutable_details()->set_aggregation(static_cast<Aggregation>(v)); }},
      {"payload.goal_created.details.certainty", [](Event& e, int v) { e.mutable_payload()->mutable_goal_created()->mutable_details()->set_certainty(static_cast<Certainty>(v)); }},
      {"payload.goal_created.details.rollup", [](Event& e, int v) { e.mutable_payload()->mutable_goal_created()->mutable_details()->set_rollup(static_cast<RollupRule>(v)); }},
      {"payload.goal_created.details.kind", [](Event& e, int v) { e.mutable_payload()->mutable_goal_created()->mutable_details()->set_kind(static_cast<GoalKind>(v)); }},
      {"payload.raci_assigned.role", [](Event& e, int v) { auto* r = e.mutable_payload()->mutable_raci_assigned(); r->set_goal_id("g"); r->set_role(static_cast<RaciRole>(v)); }},
      {"payload.raci_unassigned.role", [](Event& e, int v) { auto* r = e.mutable_payload()->mutable_raci_unassigned(); r->set_goal_id("g"); r->set_role(static_cast<RaciRole>(v)); }},
      {"payload.task_status_set.status", [](Event& e, int v) { auto* r = e.mutable_payload()->mutable_task_status_set(); r->set_goal_id("g"); r->set_status(static_cast<TaskStatus>(v)); }},
      {"payload.review_recorded.decision", [](Event& e, int v) { auto* r = e.mutable_payload()->mutable_review_recorded(); r->set_goal_id("g"); r->set_decision(static_cast<ReviewDecision>(v)); }},
      {"payload.review_recorded.kind", [](Event& e, int v) { auto* r = e.mutable_payload()->mutable_review_recorded(); r->set_goal_id("g"); r->set_kind(static_cast<ReviewKind>(v)); }},
      {"payload.review_recorded.deviation_cause", [](Event& e, int v) { auto* r = e.mutable_payload()->mutable_review_recorded(); r->set_goal_id("g"); r->set_deviation_cause(static_cast<DeviationCause>(v)); }},
  };
}

TEST(SchemaTest, EnumValuesOutsideTheirSetAreRefusedNamingTheField) {
  for (const EnumCase& c : EnumCases()) {
    for (int v : {-1, -2147483647, 5, 99, 1 << 20}) {
      Event e = Valid();
      c.set(e, v);
      absl::Status s = ValidateSubmittedEvent(e, "acme");
      EXPECT_TRUE(absl::IsInvalidArgument(s)) << c.field << "=" << v << ": " << s;
      EXPECT_THAT(std::string(s.message()), HasSubstr(c.field)) << v;
      EXPECT_EQ(RefusalOf(s).field(), c.field) << v;
      EXPECT_EQ(RefusalOf(s).reason(), goalsync::v1::Refusal::INVALID);
    }
  }
}

TEST(SchemaTest, DefinedValuesPass) {
  Event e = Valid();
  e.mutable_payload()->mutable_goal_created()->mutable_details()->set_rollup(goalsync::v1::ROLLUP_MANUAL);
  EXPECT_TRUE(ValidateSubmittedEvent(e, "acme").ok());
  EXPECT_TRUE(CheckSchema(e).ok());
}

TEST(SchemaTest, OtherValuesTheSchemaForbids) {
  struct Case {
    std::string field;
    std::function<void(Event&)> mutate;
  };
  const std::vector<Case> cases = {
      {"payload.goal_created.statement", [](Event& e) { e.mutable_payload()->mutable_goal_created()->set_statement(std::string(kMaxTextBytes + 1, 'x')); }},
      {"payload.goal_created.why", [](Event& e) { e.mutable_payload()->mutable_goal_created()->set_why("\xff\xfe"); }},
      {"payload.goal_created.details.baseline", [](Event& e) { e.mutable_payload()->mutable_goal_created()->mutable_details()->set_baseline(NAN); }},
      {"payload.goal_created.details.weight", [](Event& e) { e.mutable_payload()->mutable_goal_created()->mutable_details()->set_weight(INFINITY); }},
      {"payload.goal_created.parent_id", [](Event& e) { e.mutable_payload()->mutable_goal_created()->set_parent_id("a b"); }},
      {"actor", [](Event& e) { e.set_actor(std::string(kMaxTextBytes + 1, 'a')); }},
      {"payload.goal_created", [](Event& e) { e.mutable_payload()->mutable_goal_created()->GetReflection()->MutableUnknownFields(e.mutable_payload()->mutable_goal_created())->AddVarint(99, 1); }},
  };
  for (const Case& c : cases) {
    Event e = Valid();
    c.mutate(e);
    absl::Status s = ValidateSubmittedEvent(e, "acme");
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << c.field << ": " << s;
    EXPECT_THAT(std::string(s.message()), HasSubstr(c.field));
  }
}

TEST(RefusalTest, FactsTravelBesideTheMessage) {
  absl::Status s = AtEvent(WithReason(absl::FailedPreconditionError("hlc is 10m ahead"),
                                      goalsync::v1::Refusal::CLOCK_SKEW),
                           3);
  EXPECT_EQ(s.message(), "events[3]: hlc is 10m ahead");
  EXPECT_EQ(RefusalOf(s).event_index(), 3);
  EXPECT_EQ(RefusalOf(s).reason(), goalsync::v1::Refusal::CLOCK_SKEW);
  EXPECT_EQ(RefusalOf(absl::PermissionDeniedError("x")).reason(), goalsync::v1::Refusal::FORBIDDEN);
  EXPECT_FALSE(RefusalOf(absl::PermissionDeniedError("x")).has_event_index());
  EXPECT_EQ(RefusalOf(ResumeFrom(absl::UnavailableError("bye"), 42)).resume_from_seq(), 42u);
}

}  // namespace
}  // namespace goalsync::core
