#include "tower/instance_report.hpp"

#include "common/text.hpp"

namespace outpost::tower {
namespace {

constexpr std::size_t max_text = 1024;
constexpr std::size_t max_lines = 20;

std::string text(const Json& object, const char* key) { return bounded_text(string_or(object, key), max_text); }

Json lines(const Json& object, const char* key) {
  Json out = Json::array();
  auto it = object.find(key);
  if (it == object.end() || !it->is_array()) return out;
  const std::size_t skip = it->size() > max_lines ? it->size() - max_lines : 0;
  for (std::size_t i = skip; i < it->size(); ++i)
    if ((*it)[i].is_string()) out.push_back(bounded_text((*it)[i].get<std::string>(), max_text));
  return out;
}

bool flag(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

const Json* object_at(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_object() ? &*it : nullptr;
}

}  // namespace

Json normalise_instance(const std::string& site, const std::string& host, const Json& item) {
  Json clean = {{"site", site}, {"host", host}};
  for (const char* key : {"app", "version", "service", "instance", "container", "state", "message", "container_id", "image"})
    clean[key] = text(item, key);
  clean["exit_code"] = integer_or(item, "exit_code");
  clean["updated_at"] = integer_or(item, "updated_at");
  clean["ready"] = flag(item, "ready");
  clean["restarts"] = integer_or(item, "restarts");
  clean["health"] = string_or(item, "health").empty() ? std::string("pending") : text(item, "health");
  if (item.contains("next_restart_at")) clean["next_restart_at"] = integer_or(item, "next_restart_at");
  if (item.contains("ready_since")) clean["ready_since"] = integer_or(item, "ready_since");
  if (const Json* probe = object_at(item, "last_probe"))
    clean["last_probe"] = {{"probe", text(*probe, "probe")}, {"ok", flag(*probe, "ok")}, {"message", text(*probe, "message")}};
  if (const Json* exit = object_at(item, "last_exit"))
    clean["last_exit"] = {{"code", integer_or(*exit, "code")}, {"at", integer_or(*exit, "at")}, {"output", lines(*exit, "output")}};
  if (const Json* crash = object_at(item, "crash_loop"))
    clean["crash_loop"] = {{"failures_in_a_row", integer_or(*crash, "failures_in_a_row")},
                           {"reason", text(*crash, "reason")},
                           {"exit_code", integer_or(*crash, "exit_code")},
                           {"last_output", lines(*crash, "last_output")}};
  return clean;
}

Json normalise_app_health(const std::string& site, const std::string& host, const Json& item) {
  Json clean = {{"site", site},
                {"host", host},
                {"app", text(item, "app")},
                {"version", text(item, "version")},
                {"instances", integer_or(item, "instances")},
                {"ready", integer_or(item, "ready")},
                {"healthy", flag(item, "healthy")}};
  if (item.contains("healthy_since")) clean["healthy_since"] = integer_or(item, "healthy_since");
  return clean;
}

}  // namespace outpost::tower
