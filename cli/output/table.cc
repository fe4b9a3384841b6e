#include "cli/output/table.h"

#include <algorithm>
#include <cctype>

#include "absl/strings/str_format.h"

namespace goalsync::cli {
namespace {

// Characters shown, counting a UTF-8 sequence as one.
size_t Width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// The byte length of the first `chars` characters of `s`.
size_t BytesOf(const std::string& s, size_t chars) {
  size_t i = 0;
  for (size_t seen = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (seen == chars) break;
      ++seen;
    }
  }
  return i;
}

}  // namespace

std::string Fit(const std::string& s, size_t width) {
  const size_t w = Width(s);
  if (w <= width) return s + std::string(width - w, ' ');
  if (width == 0) return "";
  return s.substr(0, BytesOf(s, width - 1)) + "~";
}

std::string TrimRight(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

std::vector<std::string> Wrap(const std::string& s, size_t width) {
  std::vector<std::string> lines;
  width = std::max<size_t>(width, 1);
  std::string rest = s;
  while (Width(rest) > width) {
    const size_t cut = BytesOf(rest, width);
    size_t space = rest.rfind(' ', cut);
    if (space == std::string::npos || space == 0) {
      lines.push_back(rest.substr(0, cut));
      rest = rest.substr(cut);
    } else {
      lines.push_back(TrimRight(rest.substr(0, space)));
      rest = rest.substr(space + 1);
    }
    while (!rest.empty() && rest.front() == ' ') rest.erase(rest.begin());
  }
  if (!rest.empty() || lines.empty()) lines.push_back(rest);
  return lines;
}

std::string SideBySide(const std::vector<std::vector<std::string>>& cells,
                       const std::vector<size_t>& widths) {
  size_t rows = 0;
  for (const auto& c : cells) rows = std::max(rows, c.size());
  std::string out;
  for (size_t r = 0; r < rows; ++r) {
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) {
      const std::string& cell = r < cells[i].size() ? cells[i][r] : "";
      line += i < widths.size() ? Fit(cell, widths[i]) : cell;  // the last column: as is
    }
    out += TrimRight(line) + "\n";
  }
  return out;
}

std::string Percent(std::optional<double> fraction) {
  if (!fraction.has_value()) return "-";
  return absl::StrFormat("%.0f%%", 100 * *fraction);
}

std::string Number(double v) {
  // At most two decimals, without trailing zeros: 42, 12.5, 17.47 (not 17.4725).
  std::string s = absl::StrFormat("%.2f", v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s == "-0" ? "0" : s;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace goalsync::cli
