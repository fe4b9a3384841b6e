#include "cli/output/svg.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace goalsync::cli {

std::string Xml(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

absl::Status WriteFile(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  f.close();
  if (!f) return absl::PermissionDeniedError(absl::StrCat("cannot write ", path));
  return absl::OkStatus();
}


std::string Mark(const GanttRow& b) {
  if (b.late) return "LATE";
  if (b.ahead) return "ahead";
  return b.status;
}

std::string GanttSvg(const std::vector<GanttRow>& bars, absl::CivilDay first, absl::CivilDay last,
                     absl::CivilDay today) {
  constexpr int kLabel = 260, kWidth = 640, kRow = 26, kTop = 40;
  const double days = std::max<double>(1, last - first + 1);
  auto x = [&](absl::CivilDay d) { return kLabel + kWidth * ((d - first) / days); };
  const int height = kTop + kRow * static_cast<int>(bars.size()) + 20;
  std::ostringstream s;
  s << R"(<?xml version="1.0" encoding="UTF-8"?>)" << "\n"
    << R"(<svg xmlns="http://www.w3.org/2000/svg" width=")" << kLabel + kWidth + 80
    << R"(" height=")" << height << R"(" font-family="sans-serif" font-size="12">)" << "\n"
    << "<title>goalsync gantt</title>\n";
  for (absl::CivilMonth m(first); absl::CivilDay(m) <= last; ++m) {
    const absl::CivilDay d = std::max(absl::CivilDay(m), first);
    s << absl::StrFormat(R"(<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#ddd"/>)", x(d),
                         kTop - 10, x(d), height - 10)
      << "\n"
      << absl::StrFormat(R"(<text x="%.1f" y="%d" fill="#555">%s</text>)", x(d) + 2, kTop - 16,
                         absl::FormatCivilTime(m).substr(0, 7))
      << "\n";
  }
  if (first <= today && today <= last) {
    s << absl::StrFormat(R"(<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#c00" stroke-dasharray="4 3"/>)",
                         x(today), kTop - 10, x(today), height - 10)
      << "\n";
  }
  for (size_t i = 0; i < bars.size(); ++i) {
    const GanttRow& b = bars[i];
    const int y = kTop + kRow * static_cast<int>(i);
    const std::string color = b.late ? "#d9534f" : b.status == "done" ? "#5cb85c"
                              : b.status == "doing" ? "#5bc0de" : b.status == "blocked" ? "#f0ad4e" : "#999";
    s << "<g class=\"task\" id=\"" << Xml(b.goal + "/" + b.task) << "\">\n"
      << absl::StrFormat(R"(<text x="4" y="%d">%s</text>)", y + 14, Xml(b.goal + "/" + b.task + " " + b.title))
      << "\n";
    if (b.milestone) {
      const double cx = x(b.due);
      s << absl::StrFormat(R"(<polygon points="%.1f,%d %.1f,%d %.1f,%d %.1f,%d" fill="%s"/>)", cx,
                           y + 2, cx + 8, y + 10, cx, y + 18, cx - 8, y + 10, color)
        << "\n";
    } else {
      s << absl::StrFormat(R"(<rect x="%.1f" y="%d" width="%.1f" height="16" rx="3" fill="%s"/>)",
                           x(b.start), y + 2, std::max(3.0, x(b.due + 1) - x(b.start)), color)
        << "\n";
    }
    s << absl::StrFormat(R"(<text x="%.1f" y="%d" fill="#333">%s</text>)", x(b.due + 1) + 10, y + 14,
                         Xml(Mark(b)))
      << "\n</g>\n";
  }
  s << "</svg>\n";
  return s.str();
}

std::string BurnUpSvg(const std::string& goal, const std::vector<v1::PeriodVariance>& periods) {
  constexpr int kLeft = 60, kWidth = 560, kTop = 40, kHeight = 260;
  double max = 1, plan = 0, actual = 0;
  for (const auto& p : periods) {
    plan += p.plan();
    actual += p.actual();
    max = std::max({max, plan, actual});
  }
  const size_t n = periods.size();
  auto x = [&](size_t i) { return kLeft + kWidth * (static_cast<double>(i) / std::max<size_t>(n, 1)); };
  auto y = [&](double v) { return kTop + kHeight - kHeight * (v / max); };
  std::ostringstream s;
  s << R"(<?xml version="1.0" encoding="UTF-8"?>)" << "\n"
    << R"(<svg xmlns="http://www.w3.org/2000/svg" width=")" << kLeft + kWidth + 40 << R"(" height=")"
    << kTop + kHeight + 60 << R"(" font-family="sans-serif" font-size="12">)" << "\n"
    << "<title>" << Xml("burn-up of " + goal) << "</title>\n"
    << absl::StrFormat(R"(<text x="%d" y="20" font-size="14">%s</text>)", kLeft, Xml("Burn-up: " + goal)) << "\n"
    << absl::StrFormat(R"(<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>)", kLeft, kTop + kHeight,
                       kLeft + kWidth, kTop + kHeight)
    << "\n"
    << absl::StrFormat(R"(<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>)", kLeft, kTop, kLeft,
                       kTop + kHeight)
    << "\n"
    << absl::StrFormat(R"(<text x="4" y="%.1f">%g</text>)", y(max) + 4, max) << "\n";
  std::string plan_points = absl::StrFormat("%.1f,%.1f", x(0), y(0));
  std::string actual_points = plan_points;
  plan = actual = 0;
  for (size_t i = 0; i < n; ++i) {
    plan += periods[i].plan();
    actual += periods[i].actual();
    absl::StrAppend(&plan_points, absl::StrFormat(" %.1f,%.1f", x(i + 1), y(plan)));
    absl::StrAppend(&actual_points, absl::StrFormat(" %.1f,%.1f", x(i + 1), y(actual)));
    s << absl::StrFormat(R"(<text x="%.1f" y="%d" text-anchor="middle">%s</text>)", x(i + 1),
                         kTop + kHeight + 18, Xml(periods[i].period()))
      << "\n";
  }
  s << R"(<polyline class="plan" fill="none" stroke="#999" stroke-dasharray="6 4" stroke-width="2" points=")"
    << plan_points << "\"/>\n"
    << R"(<polyline class="actual" fill="none" stroke="#0275d8" stroke-width="3" points=")"
    << actual_points << "\"/>\n"
    << absl::StrFormat(R"(<text x="%d" y="%d" fill="#999">plan (cumulative)</text>)", kLeft + 10, kTop + kHeight + 40)
    << "\n"
    << absl::StrFormat(R"(<text x="%d" y="%d" fill="#0275d8">actual (cumulative)</text>)", kLeft + 160,
                       kTop + kHeight + 40)
    << "\n</svg>\n";
  return s.str();
}

}  // namespace goalsync::cli
