#include "core/plan/period.h"

#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace goalsync::core {
namespace {

bool ParseDigits(absl::string_view s, int* out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return absl::SimpleAtoi(s, out);
}

absl::Status BadPeriod(absl::string_view text) {
  return absl::InvalidArgumentError(absl::StrCat(
      "period \"", text, "\" is not one of YYYY, YYYY-Qn, YYYY-MM, YYYY-Wnn (ISO week)"));
}

// Monday of ISO week 1: the week that holds January 4th.
absl::CivilDay IsoWeekOneMonday(int year) {
  const absl::CivilDay jan4(year, 1, 4);
  const int offset = (static_cast<int>(absl::GetWeekday(jan4)) -
                      static_cast<int>(absl::Weekday::monday) + 7) % 7;
  return jan4 - offset;
}

}  // namespace

absl::StatusOr<Period> ParsePeriodUncached(absl::string_view text);

absl::StatusOr<Period> ParsePeriod(absl::string_view text) {
  // Check-ins of one stretch of the log mostly name the same period: remember the last one
  // parsed on this thread (civil-time arithmetic costs more than the comparison).
  struct Last {
    char text[16];
    size_t size = ~size_t{0};  // nothing remembered yet
    Period period;
  };
  static thread_local Last last;
  if (text.size() == last.size && text.size() <= sizeof(last.text) &&
      std::memcmp(text.data(), last.text, text.size()) == 0) {
    return last.period;
  }
  absl::StatusOr<Period> parsed = ParsePeriodUncached(text);
  if (parsed.ok() && text.size() <= sizeof(last.text)) {
    std::memcpy(last.text, text.data(), text.size());
    last.size = text.size();
    last.period = *parsed;
  }
  return parsed;
}

absl::StatusOr<Period> ParsePeriodUncached(absl::string_view text) {
  int year = 0;
  if (text.size() < 4 || !ParseDigits(text.substr(0, 4), &year) || year < 1900) {
    return BadPeriod(text);
  }
  if (text.size() == 4) {
    return Period{PeriodKind::kYear, absl::CivilDay(year, 1, 1), absl::CivilDay(year, 12, 31)};
  }
  if (text[4] != '-' || text.size() < 7) return BadPeriod(text);
  absl::string_view rest = text.substr(5);
  int n = 0;
  if (rest.size() == 2 && rest[0] == 'Q' && ParseDigits(rest.substr(1), &n) && n >= 1 &&
      n <= 4) {
    const absl::CivilMonth first(year, 3 * (n - 1) + 1);
    return Period{PeriodKind::kQuarter, absl::CivilDay(first),
                  absl::CivilDay(first + 3) - 1};
  }
  if (rest.size() == 2 && ParseDigits(rest, &n) && n >= 1 && n <= 12) {
    const absl::CivilMonth month(year, n);
    return Period{PeriodKind::kMonth, absl::CivilDay(month), absl::CivilDay(month + 1) - 1};
  }
  if (rest.size() == 3 && rest[0] == 'W' && ParseDigits(rest.substr(1), &n) && n >= 1) {
    const absl::CivilDay monday = IsoWeekOneMonday(year) + 7 * (n - 1);
    if (n > 52 && monday >= IsoWeekOneMonday(year + 1)) {
      return absl::InvalidArgumentError(absl::StrCat("period \"", text, "\": ", year,
                                                     " has no ISO week ", n));
    }
    return Period{PeriodKind::kWeek, monday, monday + 6};
  }
  return BadPeriod(text);
}

absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      !ParseDigits(text.substr(0, 4), &y) || !ParseDigits(text.substr(5, 2), &m) ||
      !ParseDigits(text.substr(8, 2), &d)) {
    return absl::InvalidArgumentError(
        absl::StrCat("date \"", text, "\" is not YYYY-MM-DD"));
  }
  const absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d) {
    return absl::InvalidArgumentError(absl::StrCat("date \"", text, "\" does not exist"));
  }
  return day;
}

}  // namespace goalsync::core
