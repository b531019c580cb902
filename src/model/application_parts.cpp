#include "model/application_parts.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "common/names.hpp"
#include "model/spec_fields.hpp"

namespace outpost::spec {
namespace {

// Header names are HTTP tokens; values may not break the request line structure.
Result<Json> http_headers(const Json& value, const std::string& field) {
  if (!value.is_object()) return wrong_type(field, "a map of header names to values", value);
  Json out = Json::object();
  for (const auto& [name, header_value] : value.items()) {
    const std::string header_field = join(field, name);
    const bool token = !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
      return std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
    });
    if (!token) return invalid(header_field, "is not a valid HTTP header name");
    if (!header_value.is_string()) return wrong_type(header_field, "a string", header_value);
    const auto& text = header_value.get_ref<const std::string&>();
    if (text.find_first_of("\r\n") != std::string::npos || text.find('\0') != std::string::npos)
      return invalid(header_field, "must not contain line breaks");
    out[name] = text;
  }
  return out;
}

// `status: 200` or `status: "200-299"`; the default accepts any 2xx or 3xx. Canonical: "MIN-MAX".
Result<std::string> status_range(const Json* value, const std::string& field) {
  if (!value) return std::string("200-399");
  std::string text;
  if (value->is_number_integer()) text = std::to_string(value->get<std::int64_t>());
  else if (value->is_string()) text = value->get<std::string>();
  else return wrong_type(field, "a status code or a range such as \"200-299\"", *value);
  auto range = parse_status_range(text, field);
  if (!range) return std::unexpected(range.error());
  return std::to_string(range->first) + "-" + std::to_string(range->second);
}

Result<Json> port_check(const Json& value, const std::string& field, std::string_view kind) {
  bool http = kind == "http";
  auto fields = http ? Fields::open(value, field, {"path", "port", "headers", "status"})
                     : Fields::open(value, field, {"port"});
  if (!fields) return std::unexpected(fields.error());
  auto port_value = fields->required("port");
  if (!port_value) return std::unexpected(port_value.error());
  auto port = port_text(**port_value, fields->path("port"));
  if (!port) return std::unexpected(port.error());
  Json out = {{"port", port_json(*port)}};
  if (!http) return out;
  auto path = fields->string("path", "/");
  if (!path) return std::unexpected(path.error());
  if (!path->starts_with('/'))
    return invalid(fields->path("path"), "must start with '/', got \"" + *path + "\"");
  out["path"] = *path;
  if (const Json* headers = fields->find("headers")) {
    auto parsed = http_headers(*headers, fields->path("headers"));
    if (!parsed) return parsed;
    out["headers"] = std::move(*parsed);
  }
  auto status = status_range(fields->find("status"), fields->path("status"));
  if (!status) return std::unexpected(status.error());
  out["status"] = *status;
  return out;
}

Result<Json> parse_probe(const Json& value, const std::string& field) {
  auto fields = Fields::open(value, field,
                             {"http", "tcp", "exec", "period", "timeout", "initial-delay",
                              "failure-threshold", "success-threshold"});
  if (!fields) return std::unexpected(fields.error());
  Json out = Json::object();
  int checks = 0;
  for (std::string_view kind : {"http", "tcp"}) {
    if (const Json* check = fields->find(kind)) {
      auto parsed = port_check(*check, fields->path(kind), kind);
      if (!parsed) return parsed;
      out[std::string(kind)] = std::move(*parsed);
      ++checks;
    }
  }
  if (const Json* exec = fields->find("exec")) {
    auto exec_fields = Fields::open(*exec, fields->path("exec"), {"command"});
    if (!exec_fields) return std::unexpected(exec_fields.error());
    auto command_value = exec_fields->required("command");
    if (!command_value) return std::unexpected(command_value.error());
    auto command = as_command(**command_value, exec_fields->path("command"));
    if (!command) return std::unexpected(command.error());
    if (command->empty()) return invalid(exec_fields->path("command"), "must not be empty");
    out["exec"] = {{"command", *command}};
    ++checks;
  }
  if (checks != 1) return invalid(field, "needs exactly one of http, tcp or exec");
  for (std::string_view key : {"period", "timeout", "initial-delay"}) {
    if (const Json* duration = fields->find(key)) {
      if (Status ok = validate_duration(*duration, fields->path(key)); !ok)
        return std::unexpected(ok.error());
      out[std::string(key)] = *duration;
    }
  }
  for (std::string_view key : {"failure-threshold", "success-threshold"}) {
    if (const Json* threshold = fields->find(key)) {
      auto count = as_integer(*threshold, fields->path(key), 1, 1000);
      if (!count) return std::unexpected(count.error());
      out[std::string(key)] = *count;
    }
  }
  return out;
}

Result<Json> parse_volume(const Json& value, const std::string& field) {
  auto fields = Fields::open(value, field, {"name", "persistent", "config", "secret"});
  if (!fields) return std::unexpected(fields.error());
  auto name = fields->required_name("name");
  if (!name) return std::unexpected(name.error());
  Json out = {{"name", *name}};
  int sources = 0;
  if (const Json* persistent = fields->find("persistent")) {
    auto persistent_fields = Fields::open(*persistent, fields->path("persistent"), {"size"});
    if (!persistent_fields) return std::unexpected(persistent_fields.error());
    out["persistent"] = Json::object();
    if (const Json* size = persistent_fields->find("size")) {
      if (Status ok = validate_quantity(*size, persistent_fields->path("size")); !ok)
        return std::unexpected(ok.error());
      out["persistent"]["size"] = *size;
    }
    ++sources;
  }
  if (const Json* config = fields->find("config")) {
    auto config_fields = Fields::open(*config, fields->path("config"), {"files"});
    if (!config_fields) return std::unexpected(config_fields.error());
    auto files_value = config_fields->required("files");
    if (!files_value) return std::unexpected(files_value.error());
    auto files = as_text_map(
        **files_value, config_fields->path("files"),
        [](const std::string& file, const std::string& file_field) -> Status {
          if (file.empty() || file == "." || file == ".." || file.find_first_of("/\\") != std::string::npos ||
              file.find('\0') != std::string::npos)
            return invalid(file_field, "must be a plain file name (no '/', not '.' or '..')");
          return {};
        });
    if (!files) return std::unexpected(files.error());
    out["config"] = {{"files", *files}};
    ++sources;
  }
  if (const Json* secret = fields->find("secret")) {
    auto secret_fields = Fields::open(*secret, fields->path("secret"), {"vault", "secret"});
    if (!secret_fields) return std::unexpected(secret_fields.error());
    auto vault = secret_fields->required_name("vault");
    if (!vault) return std::unexpected(vault.error());
    auto secret_name = secret_fields->required_name("secret");
    if (!secret_name) return std::unexpected(secret_name.error());
    out["secret"] = {{"vault", *vault}, {"secret", *secret_name}};
    ++sources;
  }
  if (sources != 1) return invalid(field, "needs exactly one of persistent, config or secret");
  return out;
}

}  // namespace

Result<std::pair<int, int>> parse_status_range(std::string_view text, const std::string& field) {
  const auto dash = text.find('-');
  const std::string_view first = text.substr(0, dash);
  const std::string_view second = dash == std::string_view::npos ? first : text.substr(dash + 1);
  auto parse = [](std::string_view part, int& out) {
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return !part.empty() && ec == std::errc{} && end == part.data() + part.size();
  };
  int low = 0;
  int high = 0;
  if (!parse(first, low) || !parse(second, high))
    return invalid(field, "must be a status code such as 200 or a range such as \"200-299\", got \"" +
                              std::string(text) + "\"");
  if (low < 100 || high > 599 || low > high)
    return invalid(field, "must be a range of HTTP status codes within 100-599, low to high");
  return std::pair{low, high};
}

Result<Json> parse_probes(const Json& value, const std::string& field) {
  auto fields = Fields::open(value, field, {"startup", "readiness", "liveness"});
  if (!fields) return std::unexpected(fields.error());
  Json out = Json::object();
  for (std::string_view kind : {"startup", "readiness", "liveness"}) {
    if (const Json* probe = fields->find(kind)) {
      auto parsed = parse_probe(*probe, fields->path(kind));
      if (!parsed) return parsed;
      out[std::string(kind)] = std::move(*parsed);
    }
  }
  return out;
}

Result<Json> parse_resources(const Json& value, const std::string& field) {
  auto fields = Fields::open(value, field, {"cpus", "memory"});
  if (!fields) return std::unexpected(fields.error());
  Json out = Json::object();
  if (const Json* cpus = fields->find("cpus")) {
    if (!cpus->is_number()) return wrong_type(fields->path("cpus"), "a number", *cpus);
    if (cpus->get<double>() <= 0 || cpus->get<double>() > 1024)
      return invalid(fields->path("cpus"), "must be more than 0 and at most 1024, got " + cpus->dump());
    out["cpus"] = *cpus;
  }
  if (const Json* memory = fields->find("memory")) {
    if (Status ok = validate_quantity(*memory, fields->path("memory")); !ok)
      return std::unexpected(ok.error());
    out["memory"] = *memory;
  }
  return out;
}

Result<Json> parse_volumes(const Json& value, const std::string& field) {
  if (!value.is_array()) return wrong_type(field, "a list", value);
  Json out = Json::array();
  std::set<std::string> names;
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto volume = parse_volume(value[i], index(field, i));
    if (!volume) return volume;
    if (!names.insert((*volume)["name"].get<std::string>()).second)
      return invalid(join(index(field, i), "name"),
                     "duplicate volume name \"" + (*volume)["name"].get<std::string>() + "\"");
    out.push_back(std::move(*volume));
  }
  return out;
}

Result<Json> parse_mounts(const Json& value, const std::string& field, const std::set<std::string>& volumes) {
  if (!value.is_array()) return wrong_type(field, "a list", value);
  Json out = Json::array();
  std::set<std::string> paths;
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto fields = Fields::open(value[i], index(field, i), {"volume", "path", "read-only"});
    if (!fields) return std::unexpected(fields.error());
    auto volume = fields->required_name("volume");
    if (!volume) return std::unexpected(volume.error());
    if (!volumes.contains(*volume))
      return invalid(fields->path("volume"), "no volume named \"" + *volume + "\" in this service's volumes");
    auto path = fields->required_string("path");
    if (!path) return std::unexpected(path.error());
    if (!path->starts_with('/'))
      return invalid(fields->path("path"), "must be an absolute path, got \"" + *path + "\"");
    if (!paths.insert(*path).second)
      return invalid(fields->path("path"), "\"" + *path + "\" is mounted twice");
    auto read_only = fields->boolean("read-only", false);
    if (!read_only) return std::unexpected(read_only.error());
    out.push_back({{"volume", *volume}, {"path", *path}, {"read-only", *read_only}});
  }
  return out;
}

}  // namespace outpost::spec
