// core/plan/queries_views: the tree's rows (depth-first, failed checks attached), a goal's
// and a task's details, the allocation view, the goals at risk to date and blame's previous
// values. Plans are PlanState built directly.
#include "core/plan/queries_views.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace goalsync::core {
namespace {

using goalsync::v1::Goal;
using goalsync::v1::PlanState;

Goal& AddGoal(PlanState& s, const std::string& id, const std::string& parent, double base = 0) {
  Goal& g = (*s.mutable_goals())[id];
  g.set_id(id);
  g.set_parent_id(parent);
  if (base > 0) g.mutable_targets()->set_base(base);
  return g;
}

goalsync::v1::Task& AddTask(Goal& g, const std::string& id, const std::string& parent = "") {
  goalsync::v1::Task& t = (*g.mutable_tasks())[id];
  t.set_id(id);
  t.set_title(id);
  t.set_parent_task_id(parent);
  return t;
}

// A business line, team A (people a1, a2) and team B: ids chosen so that a breadth-first walk
// would put team B before A's people.
PlanState TwoTeams() {
  PlanState s;
  AddGoal(s, "bl", "");
  AddGoal(s, "team-a", "bl", 60);
  AddGoal(s, "team-b", "bl", 60);
  AddGoal(s, "x-a1", "team-a", 30);
  AddGoal(s, "x-a2", "team-a", 30);
  return s;
}

TEST(QueriesViewsTest, TreeRowsAreDepthFirstWithDepths) {
  const PlanState s = TwoTeams();
  absl::StatusOr<std::vector<TreeRow>> rows = TreeRows(s, "", "");
  ASSERT_TRUE(rows.ok()) << rows.status();
  std::vector<std::pair<std::string, int>> got;
  for (const TreeRow& r : *rows) got.emplace_back(r.goal->id(), r.depth);
  const std::vector<std::pair<std::string, int>> want = {
      {"bl", 0}, {"team-a", 1}, {"x-a1", 2}, {"x-a2", 2}, {"team-b", 1}};
  EXPECT_EQ(got, want);
  EXPECT_TRUE(absl::IsNotFound(TreeRows(s, "nope", "").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(TreeRows(s, "", "2026-13").status()));
}

TEST(QueriesViewsTest, TreeRowsCarryTheirFailedChecksOnly) {
  PlanState s = TwoTeams();
  Goal& a = (*s.mutable_goals())["team-a"];
  for (const char* q : {"2026-Q1", "2026-Q2", "2026-Q3"}) (*a.mutable_period_targets())[q] = 15;
  (*a.mutable_period_targets())["2026-Q4"] = 20;
  Goal& b = (*s.mutable_goals())["team-b"];
  for (const char* q : {"2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"}) (*b.mutable_period_targets())[q] = 15;
  absl::StatusOr<std::vector<TreeRow>> rows = TreeRows(s, "bl", "");
  ASSERT_TRUE(rows.ok());
  for (const TreeRow& r : *rows) {
    if (r.goal->id() == "team-a") {
      ASSERT_EQ(r.failed_checks.size(), 1u);
      EXPECT_DOUBLE_EQ(r.failed_checks[0].actual, 65);
    } else {
      EXPECT_TRUE(r.failed_checks.empty()) << r.goal->id();
    }
  }
}

TEST(QueriesViewsTest, DescribeGoalHasItsPathChildrenAndChecks) {
  PlanState s = TwoTeams();
  absl::StatusOr<GoalDetail> d = DescribeGoal(s, "x-a1", absl::CivilDay(2026, 4, 15));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->path, (std::vector<std::string>{"bl", "team-a"}));
  EXPECT_TRUE(d->children.empty());
  EXPECT_EQ(d->progress.band, "no check-ins");
  EXPECT_FALSE(d->at_risk);
  absl::StatusOr<GoalDetail> a = DescribeGoal(s, "team-a", absl::CivilDay(2026, 4, 15));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->children, (std::vector<std::string>{"x-a1", "x-a2"}));
  EXPECT_TRUE(absl::IsNotFound(DescribeGoal(s, "nope", absl::CivilDay(2026, 1, 1)).status()));
}

TEST(QueriesViewsTest, DescribeTaskHasItsWbsPathDependenciesAndResources) {
  PlanState s = TwoTeams();
  Goal& a = (*s.mutable_goals())["team-a"];
  AddTask(a, "design").set_due_date("2026-02-15");
  goalsync::v1::Task& build = AddTask(a, "build", "design");
  build.set_due_date("2026-04-30");
  build.set_status(goalsync::v1::TASK_STATUS_DOING);
  build.add_depends_on()->set_task_id("design");
  AddTask(a, "unit", "build");
  Goal& b = (*s.mutable_goals())["team-b"];
  goalsync::v1::Task& launch = AddTask(b, "launch");
  launch.add_depends_on()->set_goal_id("team-a");
  launch.mutable_depends_on(0)->set_task_id("build");
  goalsync::v1::Allocation* al = a.add_allocations();
  al->set_person("bo");
  al->set_task_id("build");
  al->set_fte(0.5);
  al->set_period("2026-Q2");
  a.add_allocations()->set_task_id("design");  // another task's
  absl::StatusOr<TaskDetail> d = DescribeTask(s, "team-a", "build", absl::CivilDay(2026, 5, 1));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->wbs_path, (std::vector<std::string>{"team-a", "design", "build"}));
  EXPECT_EQ(d->subtasks, (std::vector<std::string>{"unit"}));
  ASSERT_EQ(d->depends_on.size(), 1u);
  EXPECT_EQ(d->depends_on[0].goal_id(), "team-a");  // filled in
  ASSERT_EQ(d->dependents.size(), 1u);
  EXPECT_EQ(d->dependents[0].goal_id(), "team-b");
  EXPECT_EQ(d->dependents[0].task_id(), "launch");
  EXPECT_TRUE(d->late);
  ASSERT_EQ(d->allocations.size(), 1u);
  EXPECT_EQ(d->allocations[0].person(), "bo");
  EXPECT_EQ(d->raci.flag, "no A");
  EXPECT_TRUE(absl::IsNotFound(DescribeTask(s, "team-a", "nope", absl::CivilDay(2026, 1, 1)).status()));
}

TEST(QueriesViewsTest, AllocationsShowLoadsAndOverBooking) {
  PlanState s = TwoTeams();
  auto alloc = [&](const std::string& goal, const std::string& person, double fte, const std::string& period) {
    goalsync::v1::Allocation* x = (*s.mutable_goals())[goal].add_allocations();
    x->set_person(person);
    x->set_fte(fte);
    x->set_period(period);
  };
  alloc("team-a", "ana", 0.6, "2026-Q1");
  alloc("team-b", "ana", 0.6, "2026-Q1");
  alloc("team-a", "bo", 0.5, "2026-Q2");
  absl::StatusOr<AllocationView> v = Allocations(s, "", "");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->people, (std::vector<std::string>{"ana", "bo"}));
  EXPECT_EQ(v->periods, (std::vector<std::string>{"2026-Q1", "2026-Q2"}));
  ASSERT_EQ(v->loads.size(), 2u);
  EXPECT_TRUE(v->loads[0].over);
  EXPECT_NEAR(v->loads[0].fte, 1.2, 1e-12);
  EXPECT_FALSE(v->loads[1].over);
  // Team A's subtree alone still counts ana's allocation on team B in her load.
  absl::StatusOr<AllocationView> a = Allocations(s, "team-a", "ana");
  ASSERT_TRUE(a.ok());
  ASSERT_EQ(a->cells.size(), 1u);
  ASSERT_EQ(a->loads.size(), 1u);
  EXPECT_TRUE(a->loads[0].over);
}

TEST(QueriesViewsTest, PeriodOrderIsByFirstDayThenLongestFirst) {
  std::vector<std::string> p = {"2026-02", "2026-Q1", "2026", "2026-01", "x", "2026-W02"};
  std::sort(p.begin(), p.end(), PeriodOrder);
  EXPECT_EQ(p, (std::vector<std::string>{"2026", "2026-Q1", "2026-01", "2026-W02", "2026-02", "x"}));
}

TEST(QueriesViewsTest, GoalsAtRiskToDateLeaveOutGoalsWithoutCheckIns) {
  PlanState s = TwoTeams();
  Goal& a1 = (*s.mutable_goals())["x-a1"];
  a1.mutable_targets()->set_floor(20);
  (*a1.mutable_period_targets())["2026-Q1"] = 10;
  goalsync::v1::CheckInAggregate& agg = (*a1.mutable_actuals())["2026-Q1"];
  agg.set_count(1);
  agg.set_sum(2);
  a1.set_check_in_count(1);
  absl::StatusOr<std::vector<AtRisk>> r = GoalsAtRiskToDate(s, "bl", absl::CivilDay(2026, 3, 31));
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].goal_id, "x-a1");
  EXPECT_EQ((*r)[0].band, "below floor");
}

TEST(QueriesViewsTest, PreviousValuesFromTheChangeRequestElseTheStateBefore) {
  goalsync::v1::BlameResponse blame;
  goalsync::v1::BlameLine* q4 = blame.add_lines();
  q4->set_field("period.2026-Q4");
  q4->mutable_change()->set_seq(9);
  goalsync::v1::PeriodTargetChange* before = q4->mutable_change_request()->add_period_targets_before();
  before->set_period("2026-Q4");
  before->set_target(15);
  goalsync::v1::BlameLine* owner = blame.add_lines();
  owner->set_field("owner");
  owner->mutable_change()->set_seq(5);
  goalsync::v1::BlameLine* pending = blame.add_lines();
  pending->set_field("why");  // not yet accepted: seq 0
  std::vector<uint64_t> asked;
  AddPreviousValues("g", [&](uint64_t seq) -> absl::StatusOr<PlanState> {
    asked.push_back(seq);
    PlanState s;
    AddGoal(s, "g", "").set_owner("wang");
    return s;
  }, &blame);
  EXPECT_EQ(blame.lines(0).previous_value(), "15");
  EXPECT_EQ(blame.lines(1).previous_value(), "wang");
  EXPECT_EQ(blame.lines(2).previous_value(), "");
  EXPECT_EQ(asked, (std::vector<uint64_t>{4}));
}

}  // namespace
}  // namespace goalsync::core
