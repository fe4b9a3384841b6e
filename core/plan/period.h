// Planning periods and dates: "2026" (year), "2026-Q1" (quarter), "2026-03" (month),
// "2026-W05" (ISO week, Monday to Sunday), and dates "2026-03-31". Pure.
#ifndef GOALSYNC_CORE_PLAN_PERIOD_H_
#define GOALSYNC_CORE_PLAN_PERIOD_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace goalsync::core {

enum class PeriodKind { kYear, kQuarter, kMonth, kWeek };

struct Period {
  PeriodKind kind;
  absl::CivilDay first;
  absl::CivilDay last;  // inclusive
};

// INVALID_ARGUMENT naming the accepted forms if `text` is not a period.
absl::StatusOr<Period> ParsePeriod(absl::string_view text);

// A YYYY-MM-DD date; INVALID_ARGUMENT otherwise.
absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view text);

inline bool Contains(const Period& outer, const Period& inner) {
  return outer.first <= inner.first && inner.last <= outer.last;
}

inline bool Contains(const Period& p, absl::CivilDay day) {
  return p.first <= day && day <= p.last;
}

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_PLAN_PERIOD_H_
