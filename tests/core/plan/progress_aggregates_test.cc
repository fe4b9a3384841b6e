// The kernel keeps check-ins as per-goal, per-period aggregates (the check-ins themselves stay
// in the log). Property: progress computed from those aggregates equals progress recomputed
// from the whole log's check-ins, for every aggregation (cumulative, level), direction and
// roll-up, over every goal and every kind of period, on random logs (seeds printed).
#include <cmath>
#include <map>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/plan/period.h"
#include "core/plan/progress.h"
#include "core/plan/tree.h"
#include "gtest/gtest.h"
#include "tests/core/plan/kernel_test_util.h"

namespace goalsync::core {
namespace {

using goalsync::v1::Event;
using goalsync::v1::Goal;
using goalsync::v1::PlanState;

struct RawCheckIn {
  uint64_t seq;
  double value;
  std::string period;
};

// The oracle: the old, history-sized way. Every check-in of the log, per goal, in log order.
using Raw = std::map<std::string, std::vector<RawCheckIn>>;

bool OracleOwn(const Goal& g, const Raw& raw, const std::optional<Period>& period, double* actual) {
  bool any = false;
  const bool level = g.details().aggregation() == goalsync::v1::AGGREGATION_LEVEL;
  auto it = raw.find(g.id());
  if (it == raw.end()) return false;
  for (const RawCheckIn& c : it->second) {
    if (period.has_value()) {
      if (c.period.empty()) continue;
      absl::StatusOr<Period> p = ParsePeriod(c.period);
      if (!p.ok() || !Contains(*period, *p)) continue;
    }
    *actual = level ? c.value : *actual + c.value;
    any = true;
  }
  return any;
}

// The roll-up, as progress.h documents it, over the oracle's own actuals.
struct OracleProgress {
  double actual = 0;
  bool has_actual = false;
  std::optional<double> fraction;
};

OracleProgress Oracle(const PlanState& s, const Goal& g, const Raw& raw,
                      const std::optional<Period>& period, const std::string& period_text) {
  OracleProgress p;
  goalsync::v1::Targets t;
  if (period.has_value()) {
    if (auto it = g.period_targets().find(period_text); it != g.period_targets().end()) {
      t.set_base(it->second);
    } else {
      // A year from its four quarters, else a year or quarter from all its months.
      const bool level = g.details().aggregation() == goalsync::v1::AGGREGATION_LEVEL;
      for (PeriodKind kind : {PeriodKind::kQuarter, PeriodKind::kMonth}) {
        if (kind == PeriodKind::kQuarter && period->kind != PeriodKind::kYear) continue;
        if (kind == PeriodKind::kMonth && period->kind != PeriodKind::kYear &&
            period->kind != PeriodKind::kQuarter) {
          continue;
        }
        std::map<absl::CivilDay, double> parts;
        for (const auto& [text, value] : g.period_targets()) {
          absl::StatusOr<Period> pp = ParsePeriod(text);
          if (pp.ok() && pp->kind == kind && Contains(*period, *pp)) parts[pp->first] = value;
        }
        const size_t want = kind == PeriodKind::kQuarter ? 4 : period->kind == PeriodKind::kYear ? 12 : 3;
        if (parts.size() != want) continue;
        double sum = 0;
        for (const auto& [first, v] : parts) sum += v;
        t.set_base(level ? parts.rbegin()->second : sum);
        break;
      }
    }
  } else {
    t = g.targets();
  }
  const auto rule = g.details().rollup();
  std::vector<const Goal*> children;
  if (rule != goalsync::v1::ROLLUP_UNSPECIFIED && rule != goalsync::v1::ROLLUP_MANUAL) {
    children = Children(s, g.id());
  }
  if (children.empty()) {
    p.has_actual = OracleOwn(g, raw, period, &p.actual);
  } else if (rule == goalsync::v1::ROLLUP_SUM) {
    for (const Goal* c : children) {
      OracleProgress cp = Oracle(s, *c, raw, period, period_text);
      p.actual += cp.actual;
      p.has_actual |= cp.has_actual;
    }
  } else {
    double weighted = 0, weights = 0, minimum = 1e300;
    for (const Goal* c : children) {
      OracleProgress cp = Oracle(s, *c, raw, period, period_text);
      if (!cp.fraction.has_value()) continue;
      const double w = c->details().has_weight() ? c->details().weight() : 1.0;
      weighted += w * *cp.fraction;
      weights += w;
      minimum = std::min(minimum, *cp.fraction);
    }
    if (weights > 0) p.fraction = rule == goalsync::v1::ROLLUP_MIN ? minimum : weighted / weights;
    p.has_actual = OracleOwn(g, raw, period, &p.actual);
    return p;
  }
  const double ref = t.has_base() ? t.base() : t.has_floor() ? t.floor() : t.has_stretch() ? t.stretch() : 0;
  // Nothing measured has no fraction (it is never "met").
  if (p.has_actual && ref != 0 && (t.has_base() || t.has_floor() || t.has_stretch())) {
    const bool decrease = g.details().direction() == goalsync::v1::DIRECTION_DECREASE;
    p.fraction = decrease ? (p.actual == 0 ? 1.0 : ref / p.actual) : p.actual / ref;
  }
  return p;
}

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  std::string Next(const PlanState& s) {
    const int n = s.goals_size();
    const int kind = n < 3 ? 0 : Int(0, 9);
    const std::string g = absl::StrCat("g", n == 0 ? 0 : Int(0, n - 1));
    if (kind == 0 || (kind == 1 && n < 30)) {
      const std::string parent = n > 0 && Chance(0.8) ? g : "";
      return absl::StrCat(
          R"({"goalCreated": {"goalId": "g)", n, R"(", "parentId": ")", parent,
          R"(", "level": "GOAL_LEVEL_)", parent.empty() ? "COMPANY" : "TEAM",
          R"(", "statement": "s", "details": {"rollup": ")",
          Pick({"ROLLUP_SUM", "ROLLUP_WEIGHTED_AVERAGE", "ROLLUP_MIN", "ROLLUP_MANUAL"}),
          R"(", "aggregation": ")", Pick({"AGGREGATION_CUMULATIVE", "AGGREGATION_LEVEL"}),
          R"(", "direction": ")", Pick({"DIRECTION_INCREASE", "DIRECTION_DECREASE"}),
          R"(", "weight": )", Int(1, 3), "}}}");
    }
    if (kind == 2) {
      return absl::StrCat(R"({"periodTargetSet": {"goalId": ")", g, R"(", "target": {"period": ")",
                          Period(), R"(", "target": )", Int(1, 30), "}}}");
    }
    if (kind == 3) {
      return absl::StrCat(R"({"targetsSet": {"goalId": ")", g, R"(", "targets": {"base": )",
                          Int(10, 40), "}}}");
    }
    if (kind == 4 && Chance(0.2)) {
      return absl::StrCat(R"({")", Chance(0.5) ? "goalArchived" : "goalRestored",
                          R"(": {"goalId": ")", g, R"("}})");
    }
    const std::string period = Chance(0.15) ? "" : Period();
    return absl::StrCat(R"({"checkInRecorded": {"goalId": ")", g, R"(", "value": )", Int(-3, 12),
                        R"(, "confidence": 0.5, "period": ")", period, R"("}})");
  }

  // A period of 2026: the year, a quarter, a month or an ISO week.
  std::string Period() {
    switch (Int(0, 3)) {
      case 0: return "2026";
      case 1: return absl::StrCat("2026-Q", Int(1, 4));
      case 2: return absl::StrFormat("2026-%02d", Int(1, 12));
      default: return absl::StrFormat("2026-W%02d", Int(1, 52));
    }
  }

 private:
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  std::string Pick(std::initializer_list<const char*> options) {
    return *(options.begin() + Int(0, static_cast<int>(options.size()) - 1));
  }
  std::mt19937 rng_;
};

TEST(ProgressAggregatesTest, ProgressFromAggregatesEqualsProgressFromTheWholeLog) {
  std::vector<std::string> periods = {"", "2026"};
  for (int q = 1; q <= 4; ++q) periods.push_back(absl::StrCat("2026-Q", q));
  for (int m = 1; m <= 12; ++m) periods.push_back(absl::StrFormat("2026-%02d", m));
  for (int w = 1; w <= 52; w += 3) periods.push_back(absl::StrFormat("2026-W%02d", w));
  int compared = 0, with_actual = 0;
  for (uint32_t seed = 1; seed <= 25; ++seed) {
    SCOPED_TRACE(absl::StrCat("seed ", seed));
    Generator gen(seed);
    PlanState s;
    Raw raw;
    for (int i = 0; i < 1500; ++i) {
      Event e = testing::MakeEvent(s.seq() + 1, gen.Next(s));
      if (!Apply(e, &s).ok()) continue;
      if (e.payload().has_check_in_recorded()) {
        const auto& c = e.payload().check_in_recorded();
        raw[c.goal_id()].push_back({e.seq(), c.value(), c.period()});
      }
    }
    for (const auto& [id, goal] : s.goals()) {
      for (const std::string& period : periods) {
        absl::StatusOr<Progress> got = ComputeProgress(s, id, period);
        ASSERT_TRUE(got.ok()) << got.status();
        std::optional<core::Period> p;
        if (!period.empty()) p = *ParsePeriod(period);
        const OracleProgress want = Oracle(s, goal, raw, p, period);
        SCOPED_TRACE(absl::StrCat(id, " period '", period, "'"));
        EXPECT_EQ(got->has_actual, want.has_actual);
        EXPECT_NEAR(got->actual, want.actual, 1e-9 * (1 + std::abs(want.actual)));
        EXPECT_EQ(got->fraction.has_value(), want.fraction.has_value());
        if (got->fraction.has_value() && want.fraction.has_value()) {
          EXPECT_NEAR(*got->fraction, *want.fraction, 1e-9 * (1 + std::abs(*want.fraction)));
        }
        ++compared;
        with_actual += want.has_actual;
      }
      // The count and the last check-in are the log's too.
      auto it = raw.find(id);
      const uint64_t count = it == raw.end() ? 0 : it->second.size();
      EXPECT_EQ(goal.check_in_count(), count) << id;
      if (count > 0) EXPECT_EQ(goal.last_check_in().recorded().seq(), it->second.back().seq) << id;
    }
  }
  EXPECT_GT(with_actual, compared / 10) << "the generator should give goals check-ins in many periods";
}

TEST(ProgressAggregatesTest, TheStateDoesNotGrowWithCheckIns) {
  PlanState s;
  ASSERT_TRUE(testing::ApplyJson(&s, R"({"goalCreated": {"goalId": "g", "level": "GOAL_LEVEL_COMPANY", "statement": "s"}})").ok());
  auto checkin = [&](int week) {
    return testing::ApplyJson(&s, absl::StrFormat(R"({"checkInRecorded": {"goalId": "g", "value": 1, "note": "weekly", "period": "2026-W%02d"}})", week));
  };
  for (int w = 1; w <= 52; ++w) ASSERT_TRUE(checkin(w).ok());
  const size_t after_a_year = s.ByteSizeLong();
  for (int i = 0; i < 5000; ++i) ASSERT_TRUE(checkin(1 + i % 52).ok());
  // Counters and seqs (one per period) take a byte or two more as varints; nothing else grows.
  EXPECT_LT(s.ByteSizeLong(), after_a_year + 2 * 52 + 16);
  EXPECT_EQ(s.goals().at("g").actuals_size(), 52);
  EXPECT_EQ(s.goals().at("g").check_in_count(), 5052u);
}

}  // namespace
}  // namespace goalsync::core
