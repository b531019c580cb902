#pragma once
// kubectl-style tables: an upper-case header row and left-aligned columns three spaces apart.
#include <string>
#include <vector>

namespace outpost::cli {

struct Table {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> rows;
};

// Each line ends with '\n' and carries no trailing spaces. Headers are upper-cased; line breaks
// and tabs inside a cell become spaces so that one row stays one line. Rows shorter than the
// header are padded with empty cells.
std::string render_table(const Table& table, const std::string& indent = {});

}  // namespace outpost::cli
