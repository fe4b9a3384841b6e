// goalctl's table renderer: fixed-width columns that wrap instead of cutting, and the few
// number formats every table shares. Pure functions of their arguments.
#ifndef GOALSYNC_CLI_OUTPUT_TABLE_H_
#define GOALSYNC_CLI_OUTPUT_TABLE_H_

#include <optional>
#include <string>
#include <vector>

namespace goalsync::cli {

// `s` padded with spaces to `width`; longer text is cut with "~" (for labels only: cells
// that hold what the user wrote are wrapped with Wrap).
std::string Fit(const std::string& s, size_t width);

// `s` without trailing spaces.
std::string TrimRight(std::string s);

// `s` broken into lines of at most `width` characters, at spaces where it can be (a word
// longer than `width` is split); at least one line. UTF-8 sequences are never split.
std::vector<std::string> Wrap(const std::string& s, size_t width);

// Columns side by side: column i is `cells[i]` (lines) in `widths[i]` characters (a column
// past `widths` is printed as it is); as many lines as the tallest column; trailing spaces
// trimmed. A row of a table.
std::string SideBySide(const std::vector<std::vector<std::string>>& cells,
                       const std::vector<size_t>& widths);

// "84%" (rounded); "-" for nullopt.
std::string Percent(std::optional<double> fraction);

// A number as people write it, to two decimals at most: "42", "12.5", "17.47", "1000000".
std::string Number(double v);

// `s` in upper case (ASCII).
std::string Upper(std::string s);

}  // namespace goalsync::cli

#endif  // GOALSYNC_CLI_OUTPUT_TABLE_H_
