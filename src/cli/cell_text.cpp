#include "cli/cell_text.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <ctime>

namespace outpost::cli {

std::string cell(const Json& object, const char* key) {
  if (!object.is_object()) return kNone;
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return kNone;
  if (it->is_string()) return it->get_ref<const std::string&>().empty() ? kNone : it->get<std::string>();
  return it->dump();
}

std::string key_values_text(const Json& map) {
  if (!map.is_object() || map.empty()) return kNone;
  std::string text;
  for (const auto& [key, value] : map.items()) {
    if (!text.empty()) text += ',';
    text += key + "=" + (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return text;
}

std::string time_text(std::int64_t unix_seconds) {
  if (unix_seconds <= 0) return kNone;
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(static_cast<std::time_t>(unix_seconds)));
}

std::string time_cell(const Json& object, const char* key) {
  if (!object.is_object()) return kNone;
  const auto it = object.find(key);
  if (it == object.end()) return kNone;
  if (it->is_number_integer()) return time_text(it->get<std::int64_t>());
  return cell(object, key);
}

std::size_t host_count(const Json& site) {
  const auto it = site.find("hosts");
  return it != site.end() && it->is_array() ? it->size() : 0;
}

std::string connected_hosts_text(const Json& site) {
  std::size_t connected = 0;
  if (host_count(site) > 0) {
    for (const auto& host : site.at("hosts")) {
      const auto flag = host.find("connected");
      if (flag != host.end() && flag->is_boolean() && flag->get<bool>()) ++connected;
    }
  }
  return std::to_string(connected) + "/" + std::to_string(host_count(site));
}

std::string yes_no_cell(const Json& object, const char* key) {
  if (!object.is_object()) return kNone;
  const auto it = object.find(key);
  if (it == object.end() || !it->is_boolean()) return kNone;
  return it->get<bool>() ? "yes" : "no";
}

std::string instance_note(const Json& instance) {
  if (std::string message = string_or(instance, "message"); !message.empty()) return message;
  if (auto crash = instance.find("crash_loop"); crash != instance.end() && crash->is_object()) {
    std::string note = "crash loop: " + string_or(*crash, "reason");
    if (auto output = crash->find("last_output"); output != crash->end() && output->is_array() && !output->empty() &&
                                                  output->back().is_string())
      note += ": " + output->back().get<std::string>();
    return note;
  }
  if (auto probe = instance.find("last_probe"); probe != instance.end() && probe->is_object() &&
                                                probe->value("ok", true) == false)
    return string_or(*probe, "probe") + " probe: " + string_or(*probe, "message");
  return kNone;
}

}  // namespace outpost::cli
