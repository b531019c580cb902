#include "cli/table.hpp"

#include <algorithm>
#include <cctype>

namespace outpost::cli {
namespace {

constexpr std::size_t kColumnGap = 3;

std::string single_line(std::string cell) {
  std::ranges::replace_if(cell, [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  return cell;
}

std::string upper(std::string text) {
  std::ranges::transform(text, text.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

}  // namespace

std::string render_table(const Table& table, const std::string& indent) {
  const std::size_t columns = table.headers.size();
  std::vector<std::vector<std::string>> lines;
  lines.reserve(table.rows.size() + 1);
  std::vector<std::string> header_line;
  for (const auto& header : table.headers) header_line.push_back(upper(single_line(header)));
  lines.push_back(std::move(header_line));
  for (const auto& row : table.rows) {
    std::vector<std::string> line(columns);
    for (std::size_t i = 0; i < columns && i < row.size(); ++i) line[i] = single_line(row[i]);
    lines.push_back(std::move(line));
  }

  std::vector<std::size_t> widths(columns, 0);
  for (const auto& line : lines) {
    for (std::size_t i = 0; i < columns; ++i) widths[i] = std::max(widths[i], line[i].size());
  }

  std::string out;
  for (const auto& line : lines) {
    std::string text = indent;
    for (std::size_t i = 0; i < columns; ++i) {
      text += line[i];
      if (i + 1 < columns) text.append(widths[i] - line[i].size() + kColumnGap, ' ');
    }
    while (text.size() > indent.size() && text.back() == ' ') text.pop_back();
    out += text;
    out += '\n';
  }
  return out;
}

}  // namespace outpost::cli
