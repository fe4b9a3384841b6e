// core/plan/history: which events touch which field of a goal, the change requests behind a
// target included.
#include "core/plan/history.h"

#include "gtest/gtest.h"

namespace goalsync::core {
namespace {

using goalsync::v1::Event;
using goalsync::v1::PlanState;

PlanState WithRequest() {
  PlanState s;
  goalsync::v1::ChangeRequest& cr = (*s.mutable_change_requests())["cr1"];
  cr.set_id("cr1");
  cr.set_goal_id("g");
  goalsync::v1::PeriodTargetChange* p = cr.add_period_targets();
  p->set_period("2026-Q4");
  p->set_target(20);
  return s;
}

TEST(HistoryTest, FieldSetsTouchTheirField) {
  Event e;
  e.mutable_payload()->mutable_goal_field_set()->set_field("owner");
  EXPECT_TRUE(TouchesField(e, "owner", {}));
  EXPECT_FALSE(TouchesField(e, "why", {}));
  Event t;
  t.mutable_payload()->mutable_period_target_set()->mutable_target()->set_period("2026-Q4");
  EXPECT_TRUE(TouchesField(t, "period.2026-Q4", {}));
  EXPECT_FALSE(TouchesField(t, "period.2026-Q3", {}));
  Event created;
  created.mutable_payload()->mutable_goal_created()->set_goal_id("g");
  EXPECT_TRUE(TouchesField(created, "anything", {}));
}

TEST(HistoryTest, TheChangeRequestBehindAFieldTouchesIt) {
  const PlanState s = WithRequest();
  Event opened;
  goalsync::v1::ChangeRequestOpened* o = opened.mutable_payload()->mutable_change_request_opened();
  o->set_change_request_id("cr1");
  o->add_period_targets()->set_period("2026-Q4");
  EXPECT_TRUE(TouchesField(opened, "period.2026-Q4", s));
  EXPECT_FALSE(TouchesField(opened, "period.2026-Q3", s));
  EXPECT_FALSE(TouchesField(opened, "targets", s));
  Event approved;
  approved.mutable_payload()->mutable_change_request_approved()->set_change_request_id("cr1");
  EXPECT_TRUE(TouchesField(approved, "period.2026-Q4", s));
  Event rejected;
  rejected.mutable_payload()->mutable_change_request_rejected()->set_change_request_id("cr1");
  EXPECT_TRUE(TouchesField(rejected, "period.2026-Q4", s));
  Event unknown;
  unknown.mutable_payload()->mutable_change_request_approved()->set_change_request_id("nope");
  EXPECT_FALSE(TouchesField(unknown, "period.2026-Q4", s));
  Event whole;
  whole.mutable_payload()->mutable_change_request_opened()->mutable_targets()->set_base(5);
  EXPECT_TRUE(TouchesField(whole, "targets", s));
}

TEST(HistoryTest, PayloadTypeAndBlameValue) {
  goalsync::v1::Payload p;
  p.mutable_check_in_recorded();
  EXPECT_EQ(PayloadType(p), "check_in_recorded");
  EXPECT_EQ(PayloadType(goalsync::v1::Payload()), "");
  goalsync::v1::Goal g;
  g.set_owner("wang");
  (*g.mutable_period_targets())["2026-Q4"] = 12;
  g.set_archived(true);
  EXPECT_EQ(BlameValue(g, "owner"), "wang");
  EXPECT_EQ(BlameValue(g, "period.2026-Q4"), "12");
  EXPECT_EQ(BlameValue(g, "period.2026-Q1"), "-");
  EXPECT_EQ(BlameValue(g, "archived"), "true");
}

}  // namespace
}  // namespace goalsync::core
