// core/authz: the (role, action) table and an editor's event rules, without a server.
#include "core/authz.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goalsync::core {
namespace {

using v1::Event;
using v1::PlanState;

PlanState Plan() {
  PlanState s;
  auto& li = (*s.mutable_goals())["li-goal"];
  li.set_id("li-goal");
  li.set_owner("li");
  li.mutable_targets()->set_base(10);
  auto& team = (*s.mutable_goals())["team"];
  team.set_id("team");
  team.set_owner("wang");
  auto& task = (*team.mutable_tasks())["t"];
  auto* r = task.add_raci();
  r->set_person("li");
  r->set_role(v1::RACI_ROLE_RESPONSIBLE);
  auto& other = (*s.mutable_goals())["other"];
  other.set_id("other");
  other.set_owner("zhao");
  return s;
}

Event With(const std::function<void(v1::Payload*)>& fill) {
  Event e;
  fill(e.mutable_payload());
  return e;
}

TEST(AuthzTest, TheTable) {
  using enum Action;
  EXPECT_TRUE(Allows(v1::ROLE_VIEWER, kRead));
  EXPECT_FALSE(Allows(v1::ROLE_VIEWER, kAppend));
  EXPECT_FALSE(Allows(v1::ROLE_VIEWER, kAudit));
  EXPECT_TRUE(Allows(v1::ROLE_EDITOR, kAppend));
  EXPECT_FALSE(Allows(v1::ROLE_EDITOR, kAudit));
  EXPECT_TRUE(Allows(v1::ROLE_MANAGER, kAppend));
  EXPECT_FALSE(Allows(v1::ROLE_MANAGER, kManageTokens));
  EXPECT_TRUE(Allows(v1::ROLE_AUDITOR, kAudit));
  EXPECT_FALSE(Allows(v1::ROLE_AUDITOR, kAppend));
  EXPECT_TRUE(Allows(v1::ROLE_ADMIN, kManageTokens));
  EXPECT_FALSE(Allows(v1::ROLE_UNSPECIFIED, kRead));
}

TEST(AuthzTest, AnEditorEditsWhatTheyOwnOrAreResponsibleFor) {
  const PlanState plan = Plan();
  auto check_in = [](const std::string& goal) {
    return With([&](v1::Payload* p) { p->mutable_check_in_recorded()->set_goal_id(goal); });
  };
  EXPECT_TRUE(AuthorizeEvent(v1::ROLE_EDITOR, "li", check_in("li-goal"), plan).ok());
  EXPECT_TRUE(AuthorizeEvent(v1::ROLE_EDITOR, "li", check_in("team"), plan).ok()) << "R on a task";
  absl::Status s = AuthorizeEvent(v1::ROLE_EDITOR, "li", check_in("other"), plan);
  EXPECT_TRUE(absl::IsPermissionDenied(s));
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("li (editor) may not edit goal other"));
  EXPECT_TRUE(AuthorizeEvent(v1::ROLE_MANAGER, "li", check_in("other"), plan).ok());
  EXPECT_TRUE(absl::IsPermissionDenied(AuthorizeEvent(v1::ROLE_AUDITOR, "li", check_in("li-goal"), plan)));
}

TEST(AuthzTest, AnEditorSetsFirstTargetsAndAsksForChanges) {
  const PlanState plan = Plan();
  auto targets = [](const std::string& goal) {
    return With([&](v1::Payload* p) {
      p->mutable_targets_set()->set_goal_id(goal);
      p->mutable_targets_set()->mutable_targets()->set_base(5);
    });
  };
  PlanState fresh = plan;
  (*fresh.mutable_goals())["li-goal"].clear_targets();
  EXPECT_TRUE(AuthorizeEvent(v1::ROLE_EDITOR, "li", targets("li-goal"), fresh).ok());
  EXPECT_TRUE(absl::IsPermissionDenied(AuthorizeEvent(v1::ROLE_EDITOR, "li", targets("li-goal"), plan)));
  Event open = With([](v1::Payload* p) {
    p->mutable_change_request_opened()->set_goal_id("other");
    p->mutable_change_request_opened()->set_change_request_id("cr");
  });
  EXPECT_TRUE(AuthorizeEvent(v1::ROLE_EDITOR, "li", open, plan).ok());
  Event approve = With([](v1::Payload* p) {
    p->mutable_change_request_approved()->set_goal_id("li-goal");
    p->mutable_change_request_approved()->set_change_request_id("cr");
  });
  EXPECT_TRUE(absl::IsPermissionDenied(AuthorizeEvent(v1::ROLE_EDITOR, "li", approve, plan)));
  EXPECT_TRUE(AuthorizeEvent(v1::ROLE_MANAGER, "zhao", approve, plan).ok());
}

TEST(AuthzTest, AnEditorCreatesGoalsTheyOwnOrUnderTheirs) {
  const PlanState plan = Plan();
  auto create = [](const std::string& owner, const std::string& parent) {
    return With([&](v1::Payload* p) {
      p->mutable_goal_created()->set_goal_id("new");
      p->mutable_goal_created()->set_owner(owner);
      p->mutable_goal_created()->set_parent_id(parent);
    });
  };
  EXPECT_TRUE(AuthorizeEvent(v1::ROLE_EDITOR, "li", create("li", ""), plan).ok());
  EXPECT_TRUE(AuthorizeEvent(v1::ROLE_EDITOR, "li", create("zhao", "li-goal"), plan).ok());
  EXPECT_TRUE(absl::IsPermissionDenied(AuthorizeEvent(v1::ROLE_EDITOR, "li", create("zhao", "other"), plan)));
}

}  // namespace
}  // namespace goalsync::core
