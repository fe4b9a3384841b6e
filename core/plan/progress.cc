#include "core/plan/progress.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "core/plan/period.h"
#include "core/plan/tree.h"

namespace goalsync::core {
namespace {

using goalsync::v1::Goal;
using goalsync::v1::PlanState;

// Whether check-ins recorded for `checkin_period` count towards `period` (nullopt: the whole
// goal, where every check-in counts).
bool Counts(const std::string& checkin_period, const std::optional<Period>& period) {
  if (!period.has_value()) return true;
  if (checkin_period.empty()) return false;
  absl::StatusOr<Period> p = ParsePeriod(checkin_period);
  return p.ok() && Contains(*period, *p);
}

// Actual from the goal's own check-ins, through the kernel's per-period aggregates: the sum
// (CUMULATIVE) or the latest value (LEVEL) of every check-in period within `period`.
bool OwnActual(const Goal& g, const std::optional<Period>& period, double* actual) {
  bool any = false;
  const bool level = g.details().aggregation() == goalsync::v1::AGGREGATION_LEVEL;
  uint64_t latest = 0;
  // In period order, so that the sum is the same bits on every machine (map order is not).
  std::vector<std::pair<const std::string*, const goalsync::v1::CheckInAggregate*>> parts;
  for (const auto& [checkin_period, a] : g.actuals()) parts.emplace_back(&checkin_period, &a);
  std::sort(parts.begin(), parts.end(), [](const auto& x, const auto& y) { return *x.first < *y.first; });
  for (const auto& [checkin_period_ptr, a_ptr] : parts) {
    const std::string& checkin_period = *checkin_period_ptr;
    const goalsync::v1::CheckInAggregate& a = *a_ptr;
    if (a.count() == 0 || !Counts(checkin_period, period)) continue;
    if (level) {
      if (a.last_seq() >= latest) {
        latest = a.last_seq();
        *actual = a.last_value();
      }
    } else {
      *actual += a.sum();
    }
    any = true;
  }
  return any;
}

std::optional<double> Reference(const goalsync::v1::Targets& t) {
  if (t.has_base()) return t.base();
  if (t.has_floor()) return t.floor();
  if (t.has_stretch()) return t.stretch();
  return std::nullopt;
}

std::string Band(const Goal& g, const goalsync::v1::Targets& t, double actual) {
  if (!Reference(t).has_value()) return "no target";
  const bool decrease = g.details().direction() == goalsync::v1::DIRECTION_DECREASE;
  auto met = [&](double target) { return decrease ? actual <= target : actual >= target; };
  if (t.has_stretch() && met(t.stretch())) return "stretch met";
  if (t.has_base() && met(t.base())) return "base met";
  if (t.has_floor() && met(t.floor())) return "floor met";
  return t.has_floor() ? "below floor" : "below base";
}

absl::StatusOr<Progress> Compute(const PlanState& state, const Goal& g,
                                 const std::optional<Period>& period, const std::string& period_text,
                                 Scoring scoring, int depth) {
  Progress p;
  p.goal_id = g.id();
  const bool original = scoring == Scoring::kOriginalTargets;
  if (period.has_value()) {
    const auto& targets = original ? g.original_period_targets() : g.period_targets();
    auto it = targets.find(period_text);
    if (it != targets.end()) p.targets.set_base(it->second);
  } else {
    p.targets = original ? g.original_targets() : g.targets();
  }
  const auto rule = g.details().rollup();
  std::vector<const Goal*> children;
  if (depth < 64 && rule != goalsync::v1::ROLLUP_UNSPECIFIED && rule != goalsync::v1::ROLLUP_MANUAL) {
    children = Children(state, g.id());
  }
  if (children.empty()) {
    p.has_actual = OwnActual(g, period, &p.actual);
    p.source = "check-ins";
  } else if (rule == goalsync::v1::ROLLUP_SUM) {
    for (const Goal* c : children) {
      absl::StatusOr<Progress> cp = Compute(state, *c, period, period_text, scoring, depth + 1);
      if (!cp.ok()) return cp.status();
      p.actual += cp->actual;
      p.has_actual |= cp->has_actual;
    }
    p.source = "sum of children";
  } else {
    double weighted = 0, weights = 0, minimum = 1e300;
    for (const Goal* c : children) {
      absl::StatusOr<Progress> cp = Compute(state, *c, period, period_text, scoring, depth + 1);
      if (!cp.ok()) return cp.status();
      if (!cp->fraction.has_value()) continue;
      const double w = c->details().has_weight() ? c->details().weight() : 1.0;
      weighted += w * *cp->fraction;
      weights += w;
      minimum = std::min(minimum, *cp->fraction);
    }
    if (weights > 0) {
      p.fraction = rule == goalsync::v1::ROLLUP_MIN ? minimum : weighted / weights;
    }
    p.source = rule == goalsync::v1::ROLLUP_MIN ? "weakest child" : "weighted children";
    // The goal's own actual, if it has check-ins, is still shown.
    p.has_actual = OwnActual(g, period, &p.actual);
    p.band = p.fraction.has_value() ? (*p.fraction >= 1 ? "base met" : "below base") : "no target";
    return p;
  }
  if (std::optional<double> ref = Reference(p.targets); ref.has_value() && *ref != 0) {
    const bool decrease = g.details().direction() == goalsync::v1::DIRECTION_DECREASE;
    p.fraction = decrease ? (p.actual == 0 ? 1.0 : *ref / p.actual) : p.actual / *ref;
  }
  p.band = Band(g, p.targets, p.actual);
  return p;
}

// Sorts periods by their first day, then by length (a quarter before its first month).
bool PeriodBefore(const std::string& a, const std::string& b) {
  absl::StatusOr<Period> pa = ParsePeriod(a), pb = ParsePeriod(b);
  if (!pa.ok() || !pb.ok()) return a < b;
  if (pa->first != pb->first) return pa->first < pb->first;
  return pa->last > pb->last;
}

}  // namespace

absl::StatusOr<Progress> ComputeProgress(const PlanState& state, const std::string& goal_id,
                                         const std::string& period, Scoring scoring) {
  auto it = state.goals().find(goal_id);
  if (it == state.goals().end()) return absl::NotFoundError(absl::StrCat("goal ", goal_id, " does not exist"));
  std::optional<Period> p;
  if (!period.empty()) {
    absl::StatusOr<Period> parsed = ParsePeriod(period);
    if (!parsed.ok()) return parsed.status();
    p = *parsed;
  }
  return Compute(state, it->second, p, period, scoring, 0);
}

absl::StatusOr<std::vector<PeriodVariance>> ComputeVariance(const PlanState& state,
                                                            const std::string& goal_id) {
  auto it = state.goals().find(goal_id);
  if (it == state.goals().end()) return absl::NotFoundError(absl::StrCat("goal ", goal_id, " does not exist"));
  std::vector<std::string> periods;
  for (const auto& [period, target] : it->second.period_targets()) periods.push_back(period);
  std::sort(periods.begin(), periods.end(), PeriodBefore);
  std::vector<PeriodVariance> out;
  for (const std::string& period : periods) {
    absl::StatusOr<Progress> p = ComputeProgress(state, goal_id, period);
    if (!p.ok()) return p.status();
    PeriodVariance v{period, it->second.period_targets().at(period), p->actual, 0};
    v.variance = v.actual - v.plan;
    out.push_back(v);
  }
  return out;
}

std::vector<BreakdownCheck> CheckBreakdown(const PlanState& state) {
  std::vector<BreakdownCheck> checks;
  std::vector<std::string> ids;
  for (const auto& [id, g] : state.goals()) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  for (const std::string& id : ids) {
    const Goal& g = state.goals().at(id);
    if (g.archived() || g.details().aggregation() == goalsync::v1::AGGREGATION_LEVEL) continue;
    // Group the goal's period targets: quarters, and months by quarter.
    std::map<std::string, double> quarters;
    std::map<std::string, double> months_by_quarter;
    std::map<std::string, int> month_count;
    for (const auto& [period, target] : g.period_targets()) {
      absl::StatusOr<Period> p = ParsePeriod(period);
      if (!p.ok()) continue;
      if (p->kind == PeriodKind::kQuarter) quarters[period] = target;
      if (p->kind == PeriodKind::kMonth) {
        const std::string q = absl::StrCat(p->first.year(), "-Q", (p->first.month() - 1) / 3 + 1);
        months_by_quarter[q] += target;
        ++month_count[q];
      }
    }
    if (std::optional<double> ref = Reference(g.targets()); ref.has_value() && quarters.size() == 4) {
      double sum = 0;
      for (const auto& [q, t] : quarters) sum += t;
      checks.push_back({id, "quarters add up to the goal's target", *ref, sum,
                        std::abs(sum - *ref) < 1e-9});
    }
    for (const auto& [q, sum] : months_by_quarter) {
      auto qt = quarters.find(q);
      if (qt == quarters.end() || month_count[q] != 3) continue;
      checks.push_back({id, absl::StrCat("months of ", q, " add up to its target"), qt->second,
                        sum, std::abs(sum - qt->second) < 1e-9});
    }
    if (g.details().rollup() == goalsync::v1::ROLLUP_SUM) {
      std::vector<const Goal*> children = Children(state, id);
      for (const auto& [period, target] : quarters) {
        double sum = 0;
        bool all = !children.empty();
        for (const Goal* c : children) {
          auto ct = c->period_targets().find(period);
          if (ct == c->period_targets().end()) {
            all = false;
            break;
          }
          sum += ct->second;
        }
        if (all) {
          checks.push_back({id, absl::StrCat("children's ", period, " targets add up to it"),
                            target, sum, std::abs(sum - target) < 1e-9});
        }
      }
    }
  }
  return checks;
}

std::vector<Overallocation> FindOverallocations(const PlanState& state) {
  struct Slot {
    std::string person;
    std::string period;
    Period range;
    double fte;
  };
  std::vector<Slot> slots;
  for (const auto& [id, g] : state.goals()) {
    if (g.archived()) continue;
    for (const auto& a : g.allocations()) {
      absl::StatusOr<Period> p = ParsePeriod(a.period());
      if (p.ok()) slots.push_back({a.person(), a.period(), *p, a.fte()});
    }
  }
  std::map<std::pair<std::string, std::string>, double> totals;
  for (const Slot& s : slots) {
    double sum = 0;
    for (const Slot& o : slots) {
      if (o.person == s.person && o.range.first <= s.range.last && s.range.first <= o.range.last) {
        sum += o.fte;
      }
    }
    totals[{s.person, s.period}] = sum;
  }
  std::vector<Overallocation> out;
  for (const auto& [key, fte] : totals) {
    if (fte > 1.0 + 1e-9) out.push_back({key.first, key.second, fte});
  }
  return out;
}

}  // namespace goalsync::core
