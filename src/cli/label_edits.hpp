#pragma once
// Parsing of key/value arguments: `--label k=v`, `--var K=V`, and kubectl-style label edits where
// `k=v` sets a key and `k-` removes it.
#include <string>
#include <vector>

#include "common/json.hpp"
#include "common/result.hpp"

namespace outpost::cli {

// ["a=1", "b=2"] → {"a": "1", "b": "2"}. Each argument needs a non-empty key and an '='; the
// value may be empty. `what` names the option in error messages ("--label").
Result<Json> parse_assignments(const std::vector<std::string>& arguments, const std::string& what);

// ["a=1", "b-"] → {"a": "1", "b": null}: the merge-patch body of PATCH /v1/sites/{site}, where
// null deletes. Naming the same key twice is an error (which edit was meant?).
Result<Json> parse_label_edits(const std::vector<std::string>& arguments);

}  // namespace outpost::cli
