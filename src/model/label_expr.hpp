#pragma once
// Label expressions select sites and hosts:
//   k = v, k != v, k in (a, b), k notin (a, b), has(k), not E, E and E, E or E, (E)
// Precedence: not > and > or. Values may be bare words ([A-Za-z0-9._/-]+) or quoted ("..." or
// '...'). Keywords (and, or, not, in, notin, has) are case-sensitive. A missing key never
// equals anything: `k != v` and `k notin (...)` are true when k is absent.
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace outpost {

using Labels = std::map<std::string, std::string, std::less<>>;

class LabelExpr {
 public:
  struct Node;

  // Parse errors are 422 "invalid" with a message that names the 1-based character position
  // and what was expected, e.g. "at position 14: expected ')' after the value list".
  // `field` is the error's field (e.g. "placement.sites").
  static Result<LabelExpr> parse(std::string_view text, const std::string& field = "selector");

  // The empty expression matches everything.
  static LabelExpr match_all();

  bool matches(const Labels& labels) const;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::shared_ptr<const Node> root_;  // null = match all
};

}  // namespace outpost
