// core/plan/progress: table-driven over the directions (increase, decrease, stay-within), no
// actual, partial periods (months inside a quarter, a quarter from its months), LEVEL and
// CUMULATIVE goals, every roll-up rule, year to date and the at-risk rule, breakdown checks
// and person loads. Plans are built as PlanState directly: progress is a pure function.
#include "core/plan/progress.h"

#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace goalsync::core {
namespace {

using goalsync::v1::Goal;
using goalsync::v1::PlanState;
using goalsync::v1::Targets;

struct Actual {
  std::string period;
  double sum;
  uint64_t last_seq;
  double last_value;
};

Targets T(std::optional<double> floor, std::optional<double> base, std::optional<double> stretch) {
  Targets t;
  if (floor) t.set_floor(*floor);
  if (base) t.set_base(*base);
  if (stretch) t.set_stretch(*stretch);
  return t;
}

Goal& AddGoal(PlanState& s, const std::string& id, const std::string& parent, Targets targets,
              goalsync::v1::Direction direction = goalsync::v1::DIRECTION_INCREASE,
              goalsync::v1::Aggregation aggregation = goalsync::v1::AGGREGATION_CUMULATIVE) {
  Goal& g = (*s.mutable_goals())[id];
  g.set_id(id);
  g.set_parent_id(parent);
  *g.mutable_targets() = targets;
  g.mutable_details()->set_direction(direction);
  g.mutable_details()->set_aggregation(aggregation);
  return g;
}

void AddActual(Goal& g, const Actual& a) {
  goalsync::v1::CheckInAggregate& agg = (*g.mutable_actuals())[a.period];
  agg.set_count(agg.count() + 1);
  agg.set_sum(agg.sum() + a.sum);
  agg.set_last_seq(a.last_seq);
  agg.set_last_value(a.last_value);
  g.set_check_in_count(g.check_in_count() + 1);
}

struct Case {
  std::string name;
  goalsync::v1::Direction direction;
  goalsync::v1::Aggregation aggregation;
  Targets targets;
  std::map<std::string, double> period_targets;
  std::vector<Actual> actuals;
  std::string period;  // "" for the whole goal
  bool has_actual;
  double actual;
  std::optional<double> fraction;
  std::string band;
  std::string target_source = "";
};

constexpr auto kInc = goalsync::v1::DIRECTION_INCREASE;
constexpr auto kDec = goalsync::v1::DIRECTION_DECREASE;
constexpr auto kWithin = goalsync::v1::DIRECTION_STAY_WITHIN;
constexpr auto kCum = goalsync::v1::AGGREGATION_CUMULATIVE;
constexpr auto kLevel = goalsync::v1::AGGREGATION_LEVEL;

const std::vector<Case>& Cases() {
  static const auto* cases = new std::vector<Case>{
      {"increase base met", kInc, kCum, T({}, 10, {}), {}, {{"2026-Q1", 12, 1, 12}}, "", true, 12, 1.2, "base met"},
      {"increase stretch met", kInc, kCum, T(5, 10, 15), {}, {{"2026-Q1", 16, 1, 16}}, "", true, 16, 1.6, "stretch met"},
      {"increase floor met", kInc, kCum, T(5, 10, 15), {}, {{"2026-Q1", 7, 1, 7}}, "", true, 7, 0.7, "floor met"},
      {"increase below floor", kInc, kCum, T(5, 10, {}), {}, {{"2026-Q1", 3, 1, 3}}, "", true, 3, 0.3, "below floor"},
      {"increase below base (no floor)", kInc, kCum, T({}, 10, {}), {}, {{"2026-Q1", 3, 1, 3}}, "", true, 3, 0.3, "below base"},
      {"increase without check-ins", kInc, kCum, T(5, 10, {}), {}, {}, "", false, 0, std::nullopt, "no check-ins"},
      {"decrease base met", kDec, kLevel, T(8, 5, 3), {}, {{"2026-03", 4, 1, 4}}, "", true, 4, 1.25, "base met"},
      {"decrease stretch met", kDec, kLevel, T(8, 5, 3), {}, {{"2026-03", 2, 1, 2}}, "", true, 2, 2.5, "stretch met"},
      {"decrease below floor", kDec, kLevel, T(8, 5, 3), {}, {{"2026-03", 10, 1, 10}}, "", true, 10, 0.5, "below floor"},
      {"decrease without check-ins is never met", kDec, kLevel, T(8, 5, 3), {}, {}, "", false, 0, std::nullopt, "no check-ins"},
      {"decrease without check-ins, floor only", kDec, kCum, T(8, {}, {}), {}, {}, "", false, 0, std::nullopt, "no check-ins"},
      {"stay-within inside", kWithin, kLevel, T(2, {}, 6), {}, {{"2026-03", 4, 1, 4}}, "", true, 4, 1.0, "within range"},
      {"stay-within below", kWithin, kLevel, T(2, {}, 6), {}, {{"2026-03", 1, 1, 1}}, "", true, 1, 0.5, "below range"},
      {"stay-within above", kWithin, kLevel, T(2, {}, 6), {}, {{"2026-03", 12, 1, 12}}, "", true, 12, 0.5, "above range"},
      {"stay-within without check-ins", kWithin, kLevel, T(2, {}, 6), {}, {}, "", false, 0, std::nullopt, "no check-ins"},
      {"no target", kInc, kCum, T({}, {}, {}), {}, {{"2026-Q1", 5, 1, 5}}, "", true, 5, std::nullopt, "no target"},
      {"no target, no check-ins", kInc, kCum, T({}, {}, {}), {}, {}, "", false, 0, std::nullopt, "no target"},
      // Partial periods: the months of a quarter count towards it, a week of another does not.
      {"quarter from its months' check-ins", kInc, kCum, T({}, 40, {}), {{"2026-Q1", 10}},
       {{"2026-01", 4, 1, 4}, {"2026-02", 4, 2, 4}, {"2026-W20", 9, 3, 9}}, "2026-Q1", true, 8, 0.8, "below base"},
      {"check-ins without a period count for the whole goal only", kInc, kCum, T({}, 40, {}), {{"2026-Q1", 10}},
       {{"", 30, 1, 30}, {"2026-01", 4, 2, 4}}, "", true, 34, 0.85, "below base"},
      {"check-ins without a period do not count for a period", kInc, kCum, T({}, 40, {}), {{"2026-Q1", 10}},
       {{"", 30, 1, 30}}, "2026-Q1", false, 0, std::nullopt, "no check-ins"},
      {"quarter target from its three months", kInc, kCum, T({}, 40, {}),
       {{"2026-04", 3}, {"2026-05", 3}, {"2026-06", 3}}, {{"2026-05", 6, 1, 6}}, "2026-Q2", true, 6, 6.0 / 9,
       "below base", "sum of monthly targets"},
      {"two months of three are no quarter target", kInc, kCum, T({}, 40, {}),
       {{"2026-04", 3}, {"2026-05", 3}}, {{"2026-05", 6, 1, 6}}, "2026-Q2", true, 6, std::nullopt, "no target"},
      {"year target from its four quarters", kInc, kCum, T({}, 40, {}),
       {{"2026-Q1", 10}, {"2026-Q2", 10}, {"2026-Q3", 10}, {"2026-Q4", 12}}, {{"2026-Q1", 21, 1, 21}}, "2026",
       true, 21, 0.5, "below base", "sum of quarterly targets"},
      {"level goal: the last of its months", kInc, kLevel, T({}, 80, {}),
       {{"2026-04", 80}, {"2026-05", 82}, {"2026-06", 85}}, {{"2026-04", 81, 1, 81}, {"2026-05", 84, 2, 84}}, "2026-Q2",
       true, 84, 84.0 / 85, "below base", "last monthly target"},
      {"level goal: the latest check-in", kInc, kLevel, T(80, {}, {}), {},
       {{"2026-Q1", 150, 5, 80}, {"2026-Q2", 170, 9, 86}}, "", true, 86, 86.0 / 80, "floor met"},
      {"the period's own target wins", kInc, kCum, T({}, 40, {}),
       {{"2026-Q2", 12}, {"2026-04", 3}, {"2026-05", 3}, {"2026-06", 3}}, {{"2026-05", 6, 1, 6}}, "2026-Q2", true, 6,
       0.5, "below base"},
  };
  return *cases;
}

TEST(ProgressTest, EveryDirectionPeriodAndAggregation) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.name);
    PlanState s;
    Goal& g = AddGoal(s, "g", "", c.targets, c.direction, c.aggregation);
    for (const auto& [p, t] : c.period_targets) (*g.mutable_period_targets())[p] = t;
    for (const Actual& a : c.actuals) AddActual(g, a);
    absl::StatusOr<Progress> p = ComputeProgress(s, "g", c.period);
    ASSERT_TRUE(p.ok()) << p.status();
    EXPECT_EQ(p->has_actual, c.has_actual);
    EXPECT_DOUBLE_EQ(p->actual, c.actual);
    ASSERT_EQ(p->fraction.has_value(), c.fraction.has_value());
    if (c.fraction) EXPECT_NEAR(*p->fraction, *c.fraction, 1e-12);
    EXPECT_EQ(p->band, c.band);
    EXPECT_EQ(p->target_source, c.target_source);
  }
}

struct RollupCase {
  std::string name;
  goalsync::v1::RollupRule rule;
  // Children: actual (nullopt: no check-ins), base target, weight.
  std::vector<std::tuple<std::optional<double>, double, double>> children;
  bool has_actual;
  double actual;
  std::optional<double> fraction;
  std::string band;
  std::string source;
};

TEST(ProgressTest, EveryRollup) {
  const std::vector<RollupCase> cases = {
      {"sum (against the parent's base 20)", goalsync::v1::ROLLUP_SUM, {{3, 10, 1}, {4, 10, 1}}, true, 7, 0.35,
       "below base", "sum of children"},
      {"sum with a child without check-ins", goalsync::v1::ROLLUP_SUM, {{3, 10, 1}, {std::nullopt, 10, 1}}, true, 3, 0.15,
       "below base", "sum of children"},
      {"sum without any check-in", goalsync::v1::ROLLUP_SUM, {{std::nullopt, 10, 1}, {std::nullopt, 10, 1}}, false, 0,
       std::nullopt, "no check-ins", "sum of children"},
      {"weighted average", goalsync::v1::ROLLUP_WEIGHTED_AVERAGE, {{5, 10, 1}, {10, 10, 3}}, false, 0, 0.875,
       "below base", "weighted children"},
      {"weighted average, all met", goalsync::v1::ROLLUP_WEIGHTED_AVERAGE, {{10, 10, 1}, {12, 10, 1}}, false, 0, 1.1,
       "base met", "weighted children"},
      {"weighted average skips a child without check-ins", goalsync::v1::ROLLUP_WEIGHTED_AVERAGE,
       {{5, 10, 1}, {std::nullopt, 10, 5}}, false, 0, 0.5, "below base", "weighted children"},
      {"weighted average without any check-in", goalsync::v1::ROLLUP_WEIGHTED_AVERAGE,
       {{std::nullopt, 10, 1}, {std::nullopt, 10, 1}}, false, 0, std::nullopt, "no check-ins", "weighted children"},
      {"min", goalsync::v1::ROLLUP_MIN, {{5, 10, 1}, {10, 10, 1}}, false, 0, 0.5, "below base", "weakest child"},
      {"manual: the goal's own check-ins", goalsync::v1::ROLLUP_MANUAL, {{5, 10, 1}}, false, 0, std::nullopt,
       "no check-ins", "check-ins"},
  };
  for (const RollupCase& c : cases) {
    SCOPED_TRACE(c.name);
    PlanState s;
    Goal& parent = AddGoal(s, "p", "", T({}, 20, {}));
    parent.mutable_details()->set_rollup(c.rule);
    int i = 0;
    for (const auto& [actual, base, weight] : c.children) {
      Goal& child = AddGoal(s, "c" + std::to_string(i++), "p", T({}, base, {}));
      child.mutable_details()->set_weight(weight);
      if (actual) AddActual(child, {"2026-Q1", *actual, 1, *actual});
    }
    absl::StatusOr<Progress> p = ComputeProgress(s, "p");
    ASSERT_TRUE(p.ok()) << p.status();
    EXPECT_EQ(p->has_actual, c.has_actual);
    EXPECT_DOUBLE_EQ(p->actual, c.actual);
    ASSERT_EQ(p->fraction.has_value(), c.fraction.has_value());
    if (c.fraction) EXPECT_NEAR(*p->fraction, *c.fraction, 1e-12);
    EXPECT_EQ(p->band, c.band);
    EXPECT_EQ(p->source, c.source);
  }
}

TEST(ProgressTest, UnknownGoalAndBadPeriod) {
  PlanState s;
  AddGoal(s, "g", "", T({}, 1, {}));
  EXPECT_TRUE(absl::IsNotFound(ComputeProgress(s, "nope").status()));
  EXPECT_TRUE(absl::IsInvalidArgument(ComputeProgress(s, "g", "2026-Q9").status()));
}

TEST(ProgressTest, YearToDateIsThePlanToTheDayAgainstTheActualToTheDay) {
  PlanState s;
  Goal& g = AddGoal(s, "g", "", T(40, 120, 140));
  for (const char* q : {"2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"}) (*g.mutable_period_targets())[q] = 30;
  AddActual(g, {"2026-Q1", 26, 1, 26});
  AddActual(g, {"2026-04", 3, 2, 3});
  AddActual(g, {"2026-Q3", 50, 3, 50});  // a period not yet begun on 2026-04-15: left out
  absl::StatusOr<YearToDate> y = ComputeYearToDate(s, "g", absl::CivilDay(2026, 4, 15));
  ASSERT_TRUE(y.ok()) << y.status();
  const double plan = 30 + 30 * 15.0 / 91;  // Q1, and 15 of Q2's 91 days
  EXPECT_TRUE(y->has_plan);
  EXPECT_NEAR(y->plan, plan, 1e-9);
  EXPECT_EQ(y->plan_source, "quarterly targets");
  EXPECT_DOUBLE_EQ(y->actual, 29);
  EXPECT_NEAR(y->targets.base(), plan, 1e-9);
  EXPECT_NEAR(y->targets.floor(), 40 * plan / 120, 1e-9);
  EXPECT_NEAR(y->targets.stretch(), 140 * plan / 120, 1e-9);
  EXPECT_NEAR(*y->fraction, 29 / plan, 1e-9);
  EXPECT_EQ(y->band, "floor met");
  // The same 29 against the full-year targets reads below floor in April: what the dashboard
  // showed before it scored year to date.
  EXPECT_EQ(BandOf(kInc, g.targets(), 29), "below floor");
  EXPECT_FALSE(AtRiskToDate(*y, g));
}

TEST(ProgressTest, YearToDateWithoutPeriodTargetsIsTheShareOfTheYear) {
  PlanState s;
  Goal& g = AddGoal(s, "g", "", T({}, 365, {}));
  AddActual(g, {"", 10, 1, 10});  // no period: counts to date
  absl::StatusOr<YearToDate> y = ComputeYearToDate(s, "g", absl::CivilDay(2026, 1, 31));
  ASSERT_TRUE(y.ok());
  EXPECT_DOUBLE_EQ(y->plan, 31);
  EXPECT_EQ(y->plan_source, "share of the goal's target");
  EXPECT_DOUBLE_EQ(y->actual, 10);
  EXPECT_EQ(y->band, "below base");
}

TEST(ProgressTest, AtRiskToDate) {
  PlanState s;
  Goal& g = AddGoal(s, "g", "", T(10, 20, {}));
  (*g.mutable_period_targets())["2026-Q1"] = 20;
  const absl::CivilDay end_of_q1(2026, 3, 31);
  // No check-in: never at risk (nothing measured).
  EXPECT_FALSE(AtRiskToDate(*ComputeYearToDate(s, "g", end_of_q1), g));
  // Below base with low confidence: at risk; with high confidence: not.
  AddActual(g, {"2026-Q1", 15, 1, 15});
  g.mutable_last_check_in()->set_confidence(0.4);
  EXPECT_EQ(ComputeYearToDate(s, "g", end_of_q1)->band, "floor met");
  // floor scaled: 10 * 20/20 = 10; base 20: 15 is floor met, not below base.
  EXPECT_FALSE(AtRiskToDate(*ComputeYearToDate(s, "g", end_of_q1), g));
  Goal& h = AddGoal(s, "h", "", T({}, 20, {}));
  (*h.mutable_period_targets())["2026-Q1"] = 20;
  AddActual(h, {"2026-Q1", 15, 1, 15});
  h.mutable_last_check_in()->set_confidence(0.4);
  EXPECT_TRUE(AtRiskToDate(*ComputeYearToDate(s, "h", end_of_q1), h));
  h.mutable_last_check_in()->set_confidence(0.9);
  EXPECT_FALSE(AtRiskToDate(*ComputeYearToDate(s, "h", end_of_q1), h));
  // Below floor: at risk whatever the confidence.
  Goal& f = AddGoal(s, "f", "", T(10, 20, {}));
  (*f.mutable_period_targets())["2026-Q1"] = 20;
  AddActual(f, {"2026-Q1", 5, 1, 5});
  f.mutable_last_check_in()->set_confidence(0.9);
  EXPECT_TRUE(AtRiskToDate(*ComputeYearToDate(s, "f", end_of_q1), f));
}

TEST(ProgressTest, BreakdownChecksFailWhenQuartersStopAddingUp) {
  PlanState s;
  Goal& g = AddGoal(s, "g", "", T({}, 60, {}));
  for (const char* q : {"2026-Q1", "2026-Q2", "2026-Q3"}) (*g.mutable_period_targets())[q] = 15;
  (*g.mutable_period_targets())["2026-Q4"] = 20;
  std::vector<BreakdownCheck> checks = CheckBreakdown(s);
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_FALSE(checks[0].ok);
  EXPECT_DOUBLE_EQ(checks[0].expected, 60);
  EXPECT_DOUBLE_EQ(checks[0].actual, 65);
  (*g.mutable_period_targets())["2026-Q4"] = 15;
  EXPECT_TRUE(CheckBreakdown(s)[0].ok);
}

TEST(ProgressTest, PersonLoadsCountOverlappingAllocations) {
  PlanState s;
  Goal& a = AddGoal(s, "a", "", T({}, 1, {}));
  Goal& b = AddGoal(s, "b", "", T({}, 1, {}));
  auto alloc = [](Goal& g, const std::string& person, double fte, const std::string& period) {
    goalsync::v1::Allocation* x = g.add_allocations();
    x->set_person(person);
    x->set_fte(fte);
    x->set_period(period);
  };
  alloc(a, "ana", 0.6, "2026-Q1");
  alloc(b, "ana", 0.6, "2026-02");  // inside Q1: overlaps
  alloc(b, "bo", 0.5, "2026-Q2");
  std::vector<Overallocation> loads = PersonLoads(s);
  ASSERT_EQ(loads.size(), 3u);
  EXPECT_EQ(loads[0].person, "ana");
  EXPECT_NEAR(loads[0].fte, 1.2, 1e-12);
  std::vector<Overallocation> over = FindOverallocations(s);
  ASSERT_EQ(over.size(), 2u);  // ana in 2026-02 and in 2026-Q1
  for (const Overallocation& o : over) EXPECT_EQ(o.person, "ana");
}

}  // namespace
}  // namespace goalsync::core
