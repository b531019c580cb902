#pragma once
// `-o table|json|yaml`: table is for people; json and yaml print what the tower sent.
#include <ostream>
#include <string>
#include <vector>

#include "common/json.hpp"
#include "common/result.hpp"

namespace outpost::cli {

enum class OutputFormat { table, json, yaml };

Result<OutputFormat> parse_output_format(const std::string& text);

// Pretty JSON (2-space indent) or block YAML, ending with a newline.
void print_document(std::ostream& out, const Json& document, OutputFormat format);

// Lists print as {"items": [...]}, the shape of one page of the API without the cursor.
void print_items(std::ostream& out, const std::vector<Json>& items, OutputFormat format);

}  // namespace outpost::cli
