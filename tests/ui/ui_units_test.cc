// goalctl ui's pieces that need no browser: who may use it (UiAuth, --listen), the change feed
// the event streams wait on, the "as of" field flattening, and the views' numbers it takes
// from core/plan/queries.
#include <thread>

#include "absl/time/civil_time.h"
#include "cli/ui/change_feed.h"
#include "cli/ui/plan_pages.h"
#include "cli/ui/ui_auth.h"
#include "cli/ui/ui_command.h"
#include "core/plan/queries.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goalsync::cli::ui {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Key;
using ::testing::Not;

TEST(UiAuthTest, SecretsAreLongRandomAndDistinct) {
  const std::string a = UiAuth::NewSecret(), b = UiAuth::NewSecret();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_NE(a, b);
}

TEST(UiAuthTest, OnlyTheSecretOpensASession) {
  UiAuth auth("s3cret", {"127.0.0.1:7420"}, /*secure=*/false);
  EXPECT_TRUE(auth.KeyOk("s3cret"));
  EXPECT_FALSE(auth.KeyOk("s3cre"));
  EXPECT_FALSE(auth.KeyOk(""));
  EXPECT_TRUE(auth.CookieOk("a=1; goalsync_ui=s3cret; b=2"));
  EXPECT_FALSE(auth.CookieOk("goalsync_ui=other"));
  EXPECT_FALSE(auth.CookieOk("xgoalsync_ui=s3cret"));
  EXPECT_FALSE(auth.CookieOk(""));
}

TEST(UiAuthTest, CsrfTokenIsNotTheSecret) {
  UiAuth auth("s3cret", {}, false);
  EXPECT_NE(auth.csrf(), "s3cret");
  EXPECT_TRUE(auth.CsrfOk(auth.csrf()));
  EXPECT_FALSE(auth.CsrfOk("s3cret"));
  EXPECT_FALSE(auth.CsrfOk(""));
}

TEST(UiAuthTest, HostMustBeTheAddressServedOnLoopback) {
  UiAuth loopback("s", {"127.0.0.1:7420", "localhost:7420"}, false);
  EXPECT_TRUE(loopback.HostOk("localhost:7420"));
  EXPECT_FALSE(loopback.HostOk("evil.example:7420"));
  UiAuth anywhere("s", {}, true);
  EXPECT_TRUE(anywhere.HostOk("goals.example:7420"));
}

TEST(UiAuthTest, CookieIsHttpOnlyStrictAndSecureOverTls) {
  EXPECT_THAT(UiAuth("s", {}, false).SetCookie(), HasSubstr("HttpOnly; SameSite=Strict"));
  EXPECT_THAT(UiAuth("s", {}, false).SetCookie(), Not(HasSubstr("Secure")));
  EXPECT_THAT(UiAuth("s", {}, true).SetCookie(), HasSubstr("; Secure"));
}

TEST(ParseListenTest, LoopbackOrNot) {
  absl::StatusOr<ListenAddress> a = ParseListen("127.0.0.1:7420");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 7420);
  EXPECT_TRUE(a->loopback);
  EXPECT_TRUE(ParseListen("[::1]:0")->loopback);
  EXPECT_EQ(ParseListen("[::1]:0")->host, "::1");
  EXPECT_TRUE(ParseListen("localhost:1")->loopback);
  EXPECT_FALSE(ParseListen("0.0.0.0:7420")->loopback);
  EXPECT_FALSE(ParseListen("192.0.2.1:7420")->loopback);
  EXPECT_FALSE(ParseListen("7420").ok());
  EXPECT_FALSE(ParseListen("127.0.0.1:99999").ok());
  EXPECT_FALSE(ParseListen("127.0.0.1:http").ok());
}

TEST(ChangeFeedTest, WaitersWakeOnBumpOrClose) {
  ChangeFeed feed;
  const uint64_t v = feed.version();
  EXPECT_EQ(feed.WaitPast(v, absl::Milliseconds(1)), v);  // nothing moved: the timeout
  std::thread bumper([&feed] { feed.Bump(); });
  EXPECT_EQ(feed.WaitPast(v, absl::Seconds(30)), v + 1);
  bumper.join();
  std::thread closer([&feed] { feed.Close(); });
  feed.WaitPast(v + 1, absl::Seconds(30));  // returns at once when closed, not after 30 s
  closer.join();
  EXPECT_TRUE(feed.closed());
}

TEST(FlattenFieldsTest, EveryPlanFieldAndNoWhoWhen) {
  v1::Goal g;
  g.set_id("g");
  g.set_statement("ship it");
  g.mutable_targets()->set_floor(0);  // optional: set even at 0
  (*g.mutable_period_targets())["2026-Q4"] = 12;
  v1::RaciEntry* r = g.add_raci();
  r->set_person("li");
  r->set_role(v1::RACI_ROLE_ACCOUNTABLE);
  (*g.mutable_tasks())["t"].set_status(v1::TASK_STATUS_DONE);
  (*g.mutable_blame())["statement"].set_actor("li");
  g.mutable_created()->set_actor("li");
  const auto f = FlattenFields(g);
  EXPECT_EQ(f.at("statement"), "ship it");
  EXPECT_EQ(f.at("targets.floor"), "0");
  EXPECT_EQ(f.at("period_targets.2026-Q4"), "12");
  EXPECT_EQ(f.at("tasks.t.status"), "done");
  EXPECT_THAT(f, Contains(Key(HasSubstr("raci[person: \"li\""))));
  EXPECT_THAT(f, Not(Contains(Key(HasSubstr("blame")))));
  EXPECT_THAT(f, Not(Contains(Key(HasSubstr("created")))));
  EXPECT_THAT(f, Not(Contains(Key("why"))));  // unset
}

// --- core/plan/queries: the numbers the pages share with goalctl's views -----------------

v1::PlanState TwoGoals() {
  v1::PlanState s;
  v1::Goal& top = (*s.mutable_goals())["top"];
  top.set_id("top");
  v1::Goal& sub = (*s.mutable_goals())["sub"];
  sub.set_id("sub");
  sub.set_parent_id("top");
  auto task = [&](const char* id, const char* start, const char* due, v1::TaskStatus st) -> v1::Task& {
    v1::Task& t = (*sub.mutable_tasks())[id];
    t.set_id(id);
    t.set_start_date(start);
    t.set_due_date(due);
    t.set_status(st);
    return t;
  };
  task("a", "2026-01-01", "2026-01-10", v1::TASK_STATUS_DONE)
      .mutable_done()->mutable_hlc()->set_physical_micros(absl::ToUnixMicros(absl::FromCivil(
          absl::CivilDay(2026, 1, 5), absl::UTCTimeZone())));  // done 5 days early
  v1::Task& b = task("b", "2026-01-11", "2026-01-20", v1::TASK_STATUS_DOING);
  b.add_depends_on()->set_task_id("a");
  task("m", "", "2026-02-01", v1::TASK_STATUS_TODO);  // a milestone
  task("undated", "", "", v1::TASK_STATUS_TODO);
  return s;
}

TEST(ViewQueriesTest, TreeOrderPutsParentsFirst) {
  const v1::PlanState s = TwoGoals();
  absl::StatusOr<std::vector<const v1::Goal*>> goals = core::GoalsInTreeOrder(s, "");
  ASSERT_TRUE(goals.ok());
  ASSERT_EQ(goals->size(), 2u);
  EXPECT_EQ((*goals)[0]->id(), "top");
  EXPECT_FALSE(core::GoalsInTreeOrder(s, "nope").ok());
}

TEST(ViewQueriesTest, GanttBarsMarkLateAheadMilestonesAndDependencies) {
  const v1::PlanState s = TwoGoals();
  absl::StatusOr<std::vector<core::GanttBar>> bars =
      core::GanttBars(s, "", absl::CivilDay(2026, 1, 25));
  ASSERT_TRUE(bars.ok());
  ASSERT_EQ(bars->size(), 3u);  // the undated task has no bar
  EXPECT_EQ((*bars)[0].task_id, "a");
  EXPECT_TRUE((*bars)[0].ahead);
  EXPECT_FALSE((*bars)[0].late);
  EXPECT_EQ((*bars)[1].task_id, "b");
  EXPECT_TRUE((*bars)[1].late);  // due 01-20, doing on 01-25
  ASSERT_EQ((*bars)[1].depends_on.size(), 1u);
  EXPECT_EQ((*bars)[1].depends_on[0].goal_id(), "sub");  // filled in
  EXPECT_TRUE((*bars)[2].milestone);
  EXPECT_FALSE((*bars)[2].late);
}

TEST(ViewQueriesTest, CompletionCountsTasksDueByToday) {
  const v1::PlanState s = TwoGoals();
  absl::StatusOr<core::TaskCompletion> c = core::CompletionBy(s, "top", absl::CivilDay(2026, 1, 25));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->due, 2);
  EXPECT_EQ(c->done, 1);
  EXPECT_DOUBLE_EQ(c->rate(), 0.5);
  EXPECT_DOUBLE_EQ(core::TaskCompletion{}.rate(), 1.0);
}

TEST(ViewQueriesTest, RaciMatrixFlagsMissingAndSecondAccountable) {
  v1::PlanState s = TwoGoals();
  v1::Goal& top = (*s.mutable_goals())["top"];
  for (const char* p : {"li", "wang"}) {
    v1::RaciEntry* e = top.add_raci();
    e->set_person(p);
    e->set_role(v1::RACI_ROLE_ACCOUNTABLE);
  }
  absl::StatusOr<std::vector<core::RaciRow>> rows = core::RaciMatrix(s, "");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 6u);  // two goals, four tasks
  EXPECT_EQ((*rows)[0].goal_id, "top");
  EXPECT_EQ((*rows)[0].flag, "2 A: exactly one");
  EXPECT_EQ((*rows)[1].goal_id, "sub");
  EXPECT_EQ((*rows)[1].flag, "");  // a goal without RACI is not flagged
  EXPECT_EQ((*rows)[2].flag, "no A");  // a task without an accountable is
}

TEST(ViewQueriesTest, AtRiskIsBelowFloorOrUnsureBelowBase) {
  v1::PlanState s;
  auto goal = [&](const char* id, double confidence) {
    v1::Goal& g = (*s.mutable_goals())[id];
    g.set_id(id);
    if (confidence >= 0) {
      g.set_check_in_count(1);
      g.mutable_last_check_in()->set_confidence(confidence);
    }
  };
  goal("floor", -1);
  goal("unsure", 0.4);
  goal("confident", 0.9);
  goal("fine", 0.1);
  v1::GetProgressResponse p;
  for (const auto& [id, band] : std::vector<std::pair<std::string, std::string>>{
           {"floor", "below floor"}, {"unsure", "below base"}, {"confident", "below base"},
           {"fine", "base met"}}) {
    v1::GoalProgress* gp = p.add_progress();
    gp->set_goal_id(id);
    gp->set_band(band);
  }
  const std::vector<core::AtRisk> risks = core::GoalsAtRisk(s, p);
  ASSERT_EQ(risks.size(), 2u);
  EXPECT_EQ(risks[0].goal_id, "floor");
  EXPECT_FALSE(risks[0].confidence.has_value());
  EXPECT_EQ(risks[1].goal_id, "unsure");
  EXPECT_DOUBLE_EQ(*risks[1].confidence, 0.4);
}

}  // namespace
}  // namespace goalsync::cli::ui
