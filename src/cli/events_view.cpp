#include "cli/events_view.hpp"

#include "cli/cell_text.hpp"

namespace outpost::cli {
namespace {

std::string instance_text(const Json& event) {
  const std::string app = string_or(event, "app");
  const std::string instance = string_or(event, "instance");
  if (!app.empty() && !instance.empty()) return app + "/" + instance;
  if (!app.empty()) return app;
  if (!instance.empty()) return instance;
  return kNone;
}

const Json& items_of(const Json& body) {
  static const Json kEmpty = Json::array();
  const auto it = body.is_object() ? body.find("items") : body.end();
  return it != body.end() && it->is_array() ? *it : kEmpty;
}

}  // namespace

Table events_table(const Json& body) {
  Table table{{"time", "host", "seq", "level", "kind", "instance", "message"}, {}};
  for (const auto& event : items_of(body)) {
    table.rows.push_back({time_cell(event, "time"), cell(event, "host"), cell(event, "seq"), cell(event, "level"),
                          cell(event, "kind"), instance_text(event), cell(event, "message")});
  }
  return table;
}

std::string dropped_lines(const Json& body) {
  std::string text;
  const auto dropped = body.is_object() ? body.find("dropped") : body.end();
  if (dropped == body.end() || !dropped->is_object()) return text;
  for (const auto& [host, count] : dropped->items()) {
    if (!count.is_number_integer() || count.get<std::int64_t>() <= 0) continue;
    text += "host " + host + " dropped " + count.dump() + " event(s): its buffer was full while the tower was unreachable\n";
  }
  return text;
}

std::string events_text(const Json& body) {
  const Table table = events_table(body);
  return (table.rows.empty() ? std::string("No events.\n") : render_table(table)) + dropped_lines(body);
}

}  // namespace outpost::cli
