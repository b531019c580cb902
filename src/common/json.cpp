#include "common/json.hpp"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cstdint>

namespace outpost {
namespace {

// Aliases let a small YAML text expand into a huge (or, with a self-reference, endless) tree.
// These bounds stop both long before memory or the stack run out; real specs are far smaller.
constexpr int max_depth = 128;
constexpr std::size_t max_nodes = 200'000;

bool all_digits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

std::string_view without_plus(std::string_view s) {
  return (!s.empty() && s.front() == '+') ? s.substr(1) : s;
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?  — the YAML 1.2 core schema float, minus
// .inf/.nan, which JSON cannot hold.
bool looks_like_float(std::string_view s) {
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) s.remove_prefix(1);
  auto exponent = s.find_first_of("eE");
  std::string_view mantissa = s.substr(0, exponent);
  auto dot = mantissa.find('.');
  if (dot == std::string_view::npos) {
    if (!all_digits(mantissa)) return false;
  } else {
    std::string_view whole = mantissa.substr(0, dot), fraction = mantissa.substr(dot + 1);
    if (whole.empty() && fraction.empty()) return false;
    if (!whole.empty() && !all_digits(whole)) return false;
    if (!fraction.empty() && !all_digits(fraction)) return false;
  }
  if (exponent == std::string_view::npos) return true;
  std::string_view power = s.substr(exponent + 1);
  if (!power.empty() && (power.front() == '+' || power.front() == '-')) power.remove_prefix(1);
  return all_digits(power);
}

// An unquoted YAML scalar, typed the way the YAML 1.2 core schema types it.
Json plain_scalar(const std::string& text) {
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  std::string_view digits = without_plus(text);
  const char* end = digits.data() + digits.size();
  if (all_digits(digits.substr(digits.starts_with('-') ? 1 : 0))) {
    std::int64_t integer = 0;
    if (auto [ptr, ec] = std::from_chars(digits.data(), end, integer); ec == std::errc{} && ptr == end)
      return integer;
  }
  if (looks_like_float(text)) {
    double number = 0;
    if (auto [ptr, ec] = std::from_chars(digits.data(), end, number); ec == std::errc{} && ptr == end)
      return number;
  }
  return text;
}

std::string position(const YAML::Mark& mark) {
  if (mark.is_null()) return "";
  return " at line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
}

class YamlConverter {
 public:
  Result<Json> convert(const YAML::Node& node, int depth) {
    if (depth > max_depth || ++nodes_ > max_nodes)
      return bad_request("YAML document too deeply nested or too large" + position(node.Mark()));
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        return nullptr;
      case YAML::NodeType::Scalar:
        // yaml-cpp tags plain scalars "?" and quoted or block scalars "!": only plain ones are typed.
        return node.Tag() == "?" ? plain_scalar(node.Scalar()) : Json(node.Scalar());
      case YAML::NodeType::Sequence: {
        Json array = Json::array();
        for (const auto& item : node) {
          auto value = convert(item, depth + 1);
          if (!value) return value;
          array.push_back(std::move(*value));
        }
        return array;
      }
      case YAML::NodeType::Map: {
        Json object = Json::object();
        for (const auto& pair : node) {
          if (!pair.first.IsScalar())
            return bad_request("YAML mapping keys must be plain text" + position(pair.first.Mark()));
          const std::string& key = pair.first.Scalar();
          if (object.contains(key))
            return bad_request("duplicate key '" + key + "'" + position(pair.first.Mark()));
          auto value = convert(pair.second, depth + 1);
          if (!value) return value;
          object[key] = std::move(*value);
        }
        return object;
      }
    }
    return nullptr;
  }

 private:
  std::size_t nodes_ = 0;
};

Result<Json> parse_json(std::string_view text) {
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    std::string detail = e.what();
    if (auto bracket = detail.find("] ");
        detail.starts_with("[json.exception") && bracket != std::string::npos)
      detail.erase(0, bracket + 2);
    return bad_request("invalid JSON: " + detail);
  }
}

Result<std::vector<Json>> parse_yaml(std::string_view text) {
  std::vector<YAML::Node> nodes;
  try {
    nodes = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return bad_request("invalid YAML" + position(e.mark) + ": " + e.msg);
  }
  std::vector<Json> documents;
  YamlConverter converter;
  for (const auto& node : nodes) {
    Result<Json> document;
    try {
      document = converter.convert(node, 0);
    } catch (const YAML::Exception& e) {
      return bad_request("invalid YAML" + position(e.mark) + ": " + e.msg);
    }
    if (!document) return std::unexpected(document.error());
    if (document->is_null()) continue;
    documents.push_back(std::move(*document));
  }
  return documents;
}

// YAML bytes are not checked for UTF-8 by yaml-cpp, but every later dump() would throw on them.
Status check_utf8(const std::vector<Json>& documents) {
  try {
    for (const auto& document : documents) (void)document.dump();
  } catch (const Json::type_error&) {
    return bad_request("the document is not valid UTF-8");
  }
  return {};
}

void emit(YAML::Emitter& out, const Json& value);

void emit_string(YAML::Emitter& out, const std::string& text) {
  // A string that would read back as another type ("true", "1.10", "~") must be quoted.
  if (!plain_scalar(text).is_string()) out << YAML::DoubleQuoted;
  out << text;
}

void emit(YAML::Emitter& out, const Json& value) {
  switch (value.type()) {
    case Json::value_t::object:
      if (value.empty()) out << YAML::Flow;  // "{}" on the key's line, not alone below it
      out << YAML::BeginMap;
      for (const auto& [key, item] : value.items()) {
        out << YAML::Key;
        emit_string(out, key);
        out << YAML::Value;
        emit(out, item);
      }
      out << YAML::EndMap;
      break;
    case Json::value_t::array:
      if (value.empty()) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& item : value) emit(out, item);
      out << YAML::EndSeq;
      break;
    case Json::value_t::string:
      emit_string(out, value.get_ref<const std::string&>());
      break;
    case Json::value_t::boolean:
      out << (value.get<bool>() ? "true" : "false");
      break;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      out << value.dump();  // nlohmann's shortest round-trip text; plain, so it reads back as a number
      break;
    default:
      out << YAML::Null;
      break;
  }
}

}  // namespace

Result<std::vector<Json>> parse_documents(std::string_view text) {
  auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (text[first] == '{' || text[first] == '[')) {
    auto document = parse_json(text);
    if (!document) return std::unexpected(document.error());
    return std::vector<Json>{std::move(*document)};
  }
  auto documents = parse_yaml(text);
  if (!documents) return documents;
  if (auto utf8 = check_utf8(*documents); !utf8) return std::unexpected(utf8.error());
  return documents;
}

Result<Json> parse_document(std::string_view text) {
  auto documents = parse_documents(text);
  if (!documents) return std::unexpected(documents.error());
  if (documents->empty()) return bad_request("the document is empty");
  if (documents->size() > 1)
    return bad_request("expected one document, got " + std::to_string(documents->size()));
  return std::move(documents->front());
}

std::string to_yaml(const Json& value) {
  YAML::Emitter out;
  emit(out, value);
  // The emitter refuses what it cannot write (e.g. invalid UTF-8); JSON is YAML, so fall back.
  if (!out.good()) return value.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
  return std::string(out.c_str()) + "\n";
}

std::string json_type_name(const Json& value) { return value.type_name(); }

std::string string_or(const Json& object, const std::string& key, std::string fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : fallback;
}

std::uint64_t unsigned_or(const Json& object, const std::string& key, std::uint64_t fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : fallback;
}

std::int64_t integer_or(const Json& object, const std::string& key, std::int64_t fallback) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<std::int64_t>() : fallback;
}

}  // namespace outpost
