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

// Which check-ins count: those of periods within `period` (nullopt: every period, and
// check-ins without one), and, with `started_by`, only those of periods that began by then.
struct Window {
  std::optional<Period> period;
  std::optional<absl::CivilDay> started_by;
  bool include_periodless = false;  // with `period`: check-ins without a period count too
};

bool Counts(const std::string& checkin_period, const Window& w) {
  if (!w.period.has_value() && !w.started_by.has_value()) return true;
  if (checkin_period.empty()) return !w.period.has_value() || w.include_periodless;
  absl::StatusOr<Period> p = ParsePeriod(checkin_period);
  if (!p.ok()) return false;
  if (w.period.has_value() && !Contains(*w.period, *p)) return false;
  return !w.started_by.has_value() || p->first <= *w.started_by;
}

// Actual from the goal's own check-ins, through the kernel's per-period aggregates: the sum
// (CUMULATIVE) or the latest value (LEVEL) of every check-in period within the window.
bool OwnActual(const Goal& g, const Window& window, double* actual) {
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
    if (a.count() == 0 || !Counts(checkin_period, window)) continue;
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

bool HasAnyTarget(const goalsync::v1::Targets& t) {
  return t.has_floor() || t.has_base() || t.has_stretch();
}

// The target of `period` from the goal's finer period targets (quarters of a year, months
// of a year or a quarter) when they cover it day for day.
std::optional<double> TargetFromParts(const Goal& g, const Period& period, bool original,
                                      std::string* source) {
  const auto& targets = original ? g.original_period_targets() : g.period_targets();
  const bool level = g.details().aggregation() == goalsync::v1::AGGREGATION_LEVEL;
  for (PeriodKind kind : {PeriodKind::kQuarter, PeriodKind::kMonth}) {
    if (kind == PeriodKind::kQuarter && period.kind != PeriodKind::kYear) continue;
    if (kind == PeriodKind::kMonth && period.kind != PeriodKind::kYear &&
        period.kind != PeriodKind::kQuarter) {
      continue;
    }
    std::vector<std::pair<Period, double>> parts;
    for (const auto& [text, value] : targets) {
      absl::StatusOr<Period> p = ParsePeriod(text);
      if (p.ok() && p->kind == kind && Contains(period, *p)) parts.emplace_back(*p, value);
    }
    int64_t days = 0;
    for (const auto& [p, v] : parts) days += p.last - p.first + 1;
    if (parts.empty() || days != period.last - period.first + 1) continue;
    std::sort(parts.begin(), parts.end(),
              [](const auto& a, const auto& b) { return a.first.first < b.first.first; });
    const char* name = kind == PeriodKind::kQuarter ? "quarterly" : "monthly";
    if (level) {
      *source = absl::StrCat("last ", name, " target");
      return parts.back().second;
    }
    double sum = 0;
    for (const auto& [p, v] : parts) sum += v;
    *source = absl::StrCat("sum of ", name, " targets");
    return sum;
  }
  return std::nullopt;
}

absl::StatusOr<Progress> Compute(const PlanState& state, const Goal& g, const Window& window,
                                 const std::string& period_text, Scoring scoring, int depth) {
  Progress p;
  p.goal_id = g.id();
  const bool original = scoring == Scoring::kOriginalTargets;
  if (window.period.has_value()) {
    const auto& targets = original ? g.original_period_targets() : g.period_targets();
    auto it = targets.find(period_text);
    if (it != targets.end()) {
      p.targets.set_base(it->second);
    } else if (std::optional<double> t = TargetFromParts(g, *window.period, original, &p.target_source)) {
      p.targets.set_base(*t);
    }
  } else {
    p.targets = original ? g.original_targets() : g.targets();
  }
  const auto rule = g.details().rollup();
  std::vector<const Goal*> children;
  if (depth < 64 && rule != goalsync::v1::ROLLUP_UNSPECIFIED && rule != goalsync::v1::ROLLUP_MANUAL) {
    children = Children(state, g.id());
  }
  if (children.empty()) {
    p.has_actual = OwnActual(g, window, &p.actual);
    p.source = "check-ins";
  } else if (rule == goalsync::v1::ROLLUP_SUM) {
    for (const Goal* c : children) {
      absl::StatusOr<Progress> cp = Compute(state, *c, window, period_text, scoring, depth + 1);
      if (!cp.ok()) return cp.status();
      p.actual += cp->actual;
      p.has_actual |= cp->has_actual;
    }
    p.source = "sum of children";
  } else {
    double weighted = 0, weights = 0, minimum = 1e300;
    bool child_without_checkins = false;
    for (const Goal* c : children) {
      absl::StatusOr<Progress> cp = Compute(state, *c, window, period_text, scoring, depth + 1);
      if (!cp.ok()) return cp.status();
      child_without_checkins |= cp->band == "no check-ins";
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
    p.has_actual = OwnActual(g, window, &p.actual);
    p.band = p.fraction.has_value() ? (*p.fraction >= 1 ? "base met" : "below base")
             : child_without_checkins ? "no check-ins"
                                      : "no target";
    return p;
  }
  if (!p.has_actual) {
    p.actual = 0;
    p.band = HasAnyTarget(p.targets) ? "no check-ins" : "no target";
    return p;
  }
  p.fraction = FractionOf(g.details().direction(), p.targets, p.actual);
  p.band = BandOf(g.details().direction(), p.targets, p.actual);
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
  Window w;
  if (!period.empty()) {
    absl::StatusOr<Period> parsed = ParsePeriod(period);
    if (!parsed.ok()) return parsed.status();
    w.period = *parsed;
  }
  return Compute(state, it->second, w, period, scoring, 0);
}

std::string BandOf(goalsync::v1::Direction direction, const goalsync::v1::Targets& t, double actual) {
  if (!Reference(t).has_value()) return "no target";
  if (direction == goalsync::v1::DIRECTION_STAY_WITHIN) {
    if (t.has_floor() && actual < t.floor()) return "below range";
    if (t.has_stretch() && actual > t.stretch()) return "above range";
    return "within range";
  }
  const bool decrease = direction == goalsync::v1::DIRECTION_DECREASE;
  auto met = [&](double target) { return decrease ? actual <= target : actual >= target; };
  if (t.has_stretch() && met(t.stretch())) return "stretch met";
  if (t.has_base() && met(t.base())) return "base met";
  if (t.has_floor() && met(t.floor())) return "floor met";
  return t.has_floor() ? "below floor" : "below base";
}

std::optional<double> FractionOf(goalsync::v1::Direction direction, const goalsync::v1::Targets& t,
                                 double actual) {
  if (direction == goalsync::v1::DIRECTION_STAY_WITHIN && (t.has_floor() || t.has_stretch())) {
    if (t.has_floor() && actual < t.floor()) return t.floor() == 0 ? 0.0 : actual / t.floor();
    if (t.has_stretch() && actual > t.stretch()) return actual == 0 ? 0.0 : t.stretch() / actual;
    return 1.0;
  }
  std::optional<double> ref = Reference(t);
  if (!ref.has_value() || *ref == 0) return std::nullopt;
  if (direction == goalsync::v1::DIRECTION_DECREASE) return actual == 0 ? 1.0 : *ref / actual;
  return actual / *ref;
}

namespace {

// The plan to `as_of` of a goal's own targets; see YearToDate::plan.
void PlanToDate(const Goal& g, absl::CivilDay as_of, YearToDate* y) {
  const absl::CivilYear year(as_of);
  const bool level = g.details().aggregation() == goalsync::v1::AGGREGATION_LEVEL;
  for (PeriodKind kind : {PeriodKind::kQuarter, PeriodKind::kMonth, PeriodKind::kYear}) {
    std::vector<std::pair<Period, double>> parts;
    for (const auto& [text, value] : g.period_targets()) {
      absl::StatusOr<Period> p = ParsePeriod(text);
      if (p.ok() && p->kind == kind && absl::CivilYear(p->first) == year) parts.emplace_back(*p, value);
    }
    if (parts.empty()) continue;
    std::sort(parts.begin(), parts.end(),
              [](const auto& a, const auto& b) { return a.first.first < b.first.first; });
    y->has_plan = true;
    y->plan_source = kind == PeriodKind::kQuarter ? "quarterly targets"
                     : kind == PeriodKind::kMonth ? "monthly targets"
                                                  : "year target";
    y->plan = 0;
    for (const auto& [p, v] : parts) {
      if (p.first > as_of) break;
      if (level) {
        y->plan = v;  // the period under way (or the last ended)
      } else if (p.last <= as_of) {
        y->plan += v;
      } else {
        y->plan += v * static_cast<double>(as_of - p.first + 1) / static_cast<double>(p.last - p.first + 1);
      }
    }
    return;
  }
  if (std::optional<double> ref = Reference(g.targets()); ref.has_value()) {
    y->has_plan = true;
    y->plan_source = level ? "the goal's target" : "share of the goal's target";
    const absl::CivilDay first(year), last(year + 1);
    y->plan = level ? *ref : *ref * static_cast<double>(as_of - first + 1) / static_cast<double>(last - first);
  }
}

absl::StatusOr<YearToDate> Ytd(const PlanState& state, const Goal& g, absl::CivilDay as_of, int depth) {
  YearToDate y;
  y.goal_id = g.id();
  y.as_of = as_of;
  PlanToDate(g, as_of, &y);
  if (y.has_plan) {
    // The goal's own targets scaled so that its reference target is the plan to date.
    std::optional<double> ref = Reference(g.targets());
    if (ref.has_value() && *ref != 0) {
      const double ratio = y.plan / *ref;
      if (g.targets().has_floor()) y.targets.set_floor(g.targets().floor() * ratio);
      if (g.targets().has_base()) y.targets.set_base(g.targets().base() * ratio);
      if (g.targets().has_stretch()) y.targets.set_stretch(g.targets().stretch() * ratio);
    } else {
      y.targets.set_base(y.plan);
    }
  }
  Window w;
  w.period = ParsePeriod(absl::StrCat(absl::CivilYear(as_of).year())).value_or(Period{});
  w.started_by = as_of;
  w.include_periodless = true;  // they carry no date of their own
  const auto rule = g.details().rollup();
  std::vector<const Goal*> children;
  if (depth < 64 && rule != goalsync::v1::ROLLUP_UNSPECIFIED && rule != goalsync::v1::ROLLUP_MANUAL) {
    children = Children(state, g.id());
  }
  auto own = [&](double* actual) { return OwnActual(g, w, actual); };
  if (children.empty()) {
    y.has_actual = own(&y.actual);
  } else if (rule == goalsync::v1::ROLLUP_SUM) {
    for (const Goal* c : children) {
      absl::StatusOr<YearToDate> cy = Ytd(state, *c, as_of, depth + 1);
      if (!cy.ok()) return cy.status();
      y.actual += cy->actual;
      y.has_actual |= cy->has_actual;
    }
  } else {
    double weighted = 0, weights = 0, minimum = 1e300;
    bool child_without_checkins = false;
    for (const Goal* c : children) {
      absl::StatusOr<YearToDate> cy = Ytd(state, *c, as_of, depth + 1);
      if (!cy.ok()) return cy.status();
      child_without_checkins |= cy->band == "no check-ins";
      if (!cy->fraction.has_value()) continue;
      const double wt = c->details().has_weight() ? c->details().weight() : 1.0;
      weighted += wt * *cy->fraction;
      weights += wt;
      minimum = std::min(minimum, *cy->fraction);
    }
    if (weights > 0) y.fraction = rule == goalsync::v1::ROLLUP_MIN ? minimum : weighted / weights;
    y.has_actual = own(&y.actual);
    y.band = y.fraction.has_value() ? (*y.fraction >= 1 ? "base met" : "below base")
             : child_without_checkins ? "no check-ins"
                                      : "no target";
    return y;
  }
  if (!y.has_actual) {
    y.actual = 0;
    y.band = y.has_plan ? "no check-ins" : "no target";
    return y;
  }
  y.fraction = FractionOf(g.details().direction(), y.targets, y.actual);
  y.band = BandOf(g.details().direction(), y.targets, y.actual);
  return y;
}

}  // namespace

absl::StatusOr<YearToDate> ComputeYearToDate(const PlanState& state, const std::string& goal_id,
                                             absl::CivilDay as_of) {
  auto it = state.goals().find(goal_id);
  if (it == state.goals().end()) return absl::NotFoundError(absl::StrCat("goal ", goal_id, " does not exist"));
  return Ytd(state, it->second, as_of, 0);
}

bool AtRiskToDate(const YearToDate& ytd, const Goal& goal) {
  if (!ytd.has_actual && !ytd.fraction.has_value()) return false;
  if (ytd.band == "below floor" || ytd.band == "below range" || ytd.band == "above range") return true;
  const double confidence = goal.check_in_count() > 0 ? goal.last_check_in().confidence() : -1;
  return ytd.band == "below base" && confidence >= 0 && confidence < 0.5;
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
  std::vector<Overallocation> out;
  for (const Overallocation& o : PersonLoads(state)) {
    if (o.fte > 1.0 + 1e-9) out.push_back(o);
  }
  return out;
}

std::vector<Overallocation> PersonLoads(const PlanState& state) {
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
  for (const auto& [key, fte] : totals) out.push_back({key.first, key.second, fte});
  return out;
}

}  // namespace goalsync::core
