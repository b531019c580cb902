#include "engine/docker_api.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace outpost::docker_api {
namespace {

std::string string_field(const Json& object, std::string_view key) {
  if (!object.is_object()) return {};
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

std::map<std::string, std::string> string_map_field(const Json& object, std::string_view key) {
  std::map<std::string, std::string> result;
  if (!object.is_object()) return result;
  auto it = object.find(key);
  if (it == object.end() || !it->is_object()) return result;  // engines send null for "none"
  for (const auto& [name, value] : it->items()) {
    if (value.is_string()) result.emplace(name, value.get<std::string>());
  }
  return result;
}

Result<Json> parse_reply(std::string_view body, std::string_view what) {
  Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return fail(502, "engine", fmt::format("the container engine sent malformed JSON for {}", what));
  }
  return parsed;
}

// Docker fills the top-level IPAddress only for the default bridge; Podman and user-defined
// networks may leave it empty and name the address per network. Networks are visited in key
// order, which nlohmann keeps sorted, so "first" is stable across calls.
std::string ip_address_from_network_settings(const Json& settings) {
  std::string address = string_field(settings, "IPAddress");
  if (!address.empty() || !settings.is_object()) return address;
  auto networks = settings.find("Networks");
  if (networks == settings.end() || !networks->is_object()) return {};
  for (const auto& [name, network] : networks->items()) {
    address = string_field(network, "IPAddress");
    if (!address.empty()) return address;
  }
  return {};
}

constexpr std::size_t frame_header_size = 8;

// Whether `bytes` begins like a frame header, judged on as many of its 8 bytes as are present.
bool looks_like_frame_header(std::string_view bytes) {
  if (bytes.empty() || static_cast<unsigned char>(bytes[0]) > 2) return false;
  for (std::size_t i = 1; i < std::min<std::size_t>(bytes.size(), 4); ++i) {
    if (bytes[i] != '\0') return false;
  }
  return true;
}

std::size_t frame_payload_size(std::string_view header) {
  std::size_t size = 0;
  for (std::size_t i = 4; i < frame_header_size; ++i) size = (size << 8) | static_cast<unsigned char>(header[i]);
  return size;
}

// Appends while holding at most about twice `max_kept` bytes, so a long stream costs bounded
// memory, and cuts to the exact tail at the end.
class BoundedTail {
 public:
  explicit BoundedTail(std::size_t max_kept) : max_kept_(max_kept) {}
  void append(std::string_view bytes) {
    text_.append(bytes);
    if (text_.size() > max_kept_ && text_.size() - max_kept_ > max_kept_) {
      text_ = output_tail(text_, max_kept_);
    }
  }
  std::string take() && { return output_tail(text_, max_kept_); }

 private:
  std::size_t max_kept_;
  std::string text_;
};

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

}  // namespace

ImageReference split_image_reference(std::string_view image) {
  std::string_view name = image;
  std::string tag;
  if (auto at = image.find('@'); at != std::string_view::npos) {
    name = image.substr(0, at);
    tag = std::string(image.substr(at + 1));
  }
  // A ':' after the last '/' starts a tag; one before it belongs to a registry host's port.
  const auto colon = name.rfind(':');
  const auto slash = name.rfind('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    if (tag.empty()) tag = std::string(name.substr(colon + 1));  // a digest wins over a tag
    name = name.substr(0, colon);
  }
  if (tag.empty()) tag = "latest";
  return ImageReference{std::string(name), std::move(tag)};
}

std::string percent_encode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string list_containers_target(const std::map<std::string, std::string>& label_filter) {
  std::string target = fmt::format("{}/containers/json?all=1", api_prefix);
  if (label_filter.empty()) return target;
  Json pairs = Json::array();
  for (const auto& [key, value] : label_filter) pairs.push_back(key + "=" + value);
  const Json filters = {{"label", pairs}};
  return target + "&filters=" + percent_encode(filters.dump());
}

std::string pull_target(std::string_view image) {
  const ImageReference ref = split_image_reference(image);
  return fmt::format("{}/images/create?fromImage={}&tag={}", api_prefix,
                     percent_encode(ref.repository), percent_encode(ref.tag));
}

std::string image_inspect_target(std::string_view image) {
  // The engine routes /images/{name:.*}/json, so the reference's '/' and ':' stay literal.
  std::string path;
  for (char c : image) {
    path += (c == '/' || c == ':' || c == '@') ? std::string(1, c) : percent_encode(std::string_view(&c, 1));
  }
  return fmt::format("{}/images/{}/json", api_prefix, path);
}

std::string create_container_target(std::string_view name) {
  return fmt::format("{}/containers/create?name={}", api_prefix, percent_encode(name));
}

Json create_container_body(const PlannedContainer& planned) {
  Json body = {{"Image", planned.image}, {"Env", planned.env}, {"Labels", owned_labels(planned)}};
  if (!planned.command.empty()) body["Cmd"] = planned.command;

  Json exposed = Json::object();
  Json bindings = Json::object();
  for (const PublishedPort& port : planned.ports) {
    const std::string key = fmt::format("{}/{}", port.container, port.protocol);
    exposed[key] = Json::object();
    if (port.host > 0) {
      bindings[key].push_back({{"HostIp", port.host_ip}, {"HostPort", std::to_string(port.host)}});
    }
  }
  body["ExposedPorts"] = exposed;
  body["HostConfig"] = {{"PortBindings", bindings}, {"RestartPolicy", {{"Name", "no"}}}};
  return body;
}

Result<std::vector<std::string>> container_ids_from_list(std::string_view body) {
  auto parsed = parse_reply(body, "the container list");
  if (!parsed) return std::unexpected(parsed.error());
  if (!parsed->is_array()) return fail(502, "engine", "the container list is not a JSON array");
  std::vector<std::string> ids;
  for (const Json& entry : *parsed) {
    std::string id = string_field(entry, "Id");
    if (!id.empty()) ids.push_back(std::move(id));
  }
  return ids;
}

Result<ContainerInfo> container_info_from_inspect(std::string_view body) {
  auto parsed = parse_reply(body, "a container inspection");
  if (!parsed) return std::unexpected(parsed.error());
  const Json& doc = *parsed;
  ContainerInfo info;
  info.id = string_field(doc, "Id");
  if (info.id.empty()) return fail(502, "engine", "the container inspection has no Id");
  info.name = string_field(doc, "Name");
  if (info.name.starts_with('/')) info.name.erase(0, 1);

  const Json empty = Json::object();
  const Json& config = doc.contains("Config") ? doc["Config"] : empty;
  // Config.Image is the reference the container was created from; top-level Image is an id.
  info.image = string_field(config, "Image");
  if (info.image.empty()) info.image = string_field(doc, "Image");
  info.labels = string_map_field(config, "Labels");

  const Json& state = doc.contains("State") ? doc["State"] : empty;
  info.state = string_field(state, "Status");
  if (state.is_object() && state.contains("ExitCode") && state["ExitCode"].is_number_integer()) {
    info.exit_code = state["ExitCode"].get<int>();
  }
  info.started_at = string_field(state, "StartedAt");
  info.finished_at = string_field(state, "FinishedAt");
  info.error = string_field(state, "Error");
  info.ip_address = ip_address_from_network_settings(doc.contains("NetworkSettings") ? doc["NetworkSettings"] : empty);
  return info;
}

Result<std::string> container_id_from_create(std::string_view body) {
  auto parsed = parse_reply(body, "a container creation");
  if (!parsed) return std::unexpected(parsed.error());
  std::string id = string_field(*parsed, "Id");
  if (id.empty()) return fail(502, "engine", "the container creation reply has no Id");
  return id;
}

std::optional<std::string> pull_stream_error(std::string_view body) {
  while (!body.empty()) {
    const auto end = body.find('\n');
    const std::string_view line = trim(body.substr(0, end));
    body = end == std::string_view::npos ? std::string_view{} : body.substr(end + 1);
    if (line.empty()) continue;
    const Json event = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!event.is_object()) continue;  // progress noise we cannot read is not a failure
    if (auto it = event.find("errorDetail"); it != event.end()) {
      std::string message = string_field(*it, "message");
      if (!message.empty()) return message;
    }
    if (auto it = event.find("error"); it != event.end()) {
      std::string message = it->is_string() ? it->get<std::string>() : it->dump();
      return message.empty() ? std::string("the engine reported a pull error") : message;
    }
  }
  return std::nullopt;
}

std::string exec_create_target(std::string_view container_id) {
  return fmt::format("{}/containers/{}/exec", api_prefix, percent_encode(container_id));
}

Json exec_create_body(const std::vector<std::string>& command) {
  return {{"AttachStdin", false}, {"AttachStdout", true}, {"AttachStderr", true}, {"Tty", false},
          {"Cmd", command}};
}

Result<std::string> exec_id_from_create(std::string_view body) {
  auto parsed = parse_reply(body, "an exec creation");
  if (!parsed) return std::unexpected(parsed.error());
  std::string id = string_field(*parsed, "Id");
  if (id.empty()) return fail(502, "engine", "the exec creation reply has no Id");
  return id;
}

std::string exec_start_target(std::string_view exec_id) {
  return fmt::format("{}/exec/{}/start", api_prefix, percent_encode(exec_id));
}

Json exec_start_body() { return {{"Detach", false}, {"Tty", false}}; }

std::string exec_inspect_target(std::string_view exec_id) {
  return fmt::format("{}/exec/{}/json", api_prefix, percent_encode(exec_id));
}

Result<ExecState> exec_state_from_inspect(std::string_view body) {
  auto parsed = parse_reply(body, "an exec inspection");
  if (!parsed) return std::unexpected(parsed.error());
  if (!parsed->is_object()) return fail(502, "engine", "the exec inspection is not a JSON object");
  ExecState state;
  if (auto running = parsed->find("Running"); running != parsed->end() && running->is_boolean()) {
    state.running = running->get<bool>();
  }
  if (auto code = parsed->find("ExitCode"); code != parsed->end() && code->is_number_integer()) {
    state.exit_code = code->get<int>();
  }
  return state;
}

Error exec_error(unsigned http_status, std::string_view body) {
  std::string message = engine_error_message(http_status, body);
  const bool not_running = http_status == 409 || message.find("state improper") != std::string::npos ||
                           message.find("not running") != std::string::npos;
  if (not_running && http_status != 404) return Error{409, "conflict", std::move(message), {}};
  return engine_error(http_status, body);
}

std::string logs_target(std::string_view container_id, int tail_lines) {
  return fmt::format("{}/containers/{}/logs?stdout=1&stderr=1&tail={}", api_prefix,
                     percent_encode(container_id), std::max(tail_lines, 0));
}

std::string demultiplex_stream(std::string_view stream, std::size_t max_kept) {
  if (!looks_like_frame_header(stream.substr(0, frame_header_size))) return output_tail(stream, max_kept);
  BoundedTail output(max_kept);
  while (stream.size() >= frame_header_size) {
    if (!looks_like_frame_header(stream.substr(0, frame_header_size))) {
      // Lost framing: what follows is still output, and dropping it would hide it.
      output.append(stream);
      return std::move(output).take();
    }
    const std::size_t size = frame_payload_size(stream);
    stream.remove_prefix(frame_header_size);
    const std::string_view payload = stream.substr(0, size);
    output.append(payload);
    stream.remove_prefix(payload.size());
  }
  // Fewer than 8 bytes left: the start of a header whose frame never came.
  return std::move(output).take();
}

std::vector<std::string> last_lines(std::string_view text, int count) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (line.ends_with('\r')) line.remove_suffix(1);
    lines.push_back(line);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
  }
  const std::size_t kept = std::min(lines.size(), static_cast<std::size_t>(std::max(count, 0)));
  return {lines.end() - static_cast<std::ptrdiff_t>(kept), lines.end()};
}

std::string engine_error_message(unsigned http_status, std::string_view body) {
  const Json parsed = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  std::string message = string_field(parsed, "message");
  if (message.empty()) message = std::string(trim(body));
  if (message.empty()) message = fmt::format("the container engine answered HTTP {}", http_status);
  return message;
}

Error engine_error(unsigned http_status, std::string_view body) {
  return Error{static_cast<int>(http_status), http_status == 404 ? "not_found" : "engine",
               engine_error_message(http_status, body), {}};
}

}  // namespace outpost::docker_api
