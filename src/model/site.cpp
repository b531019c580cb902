#include "model/site.hpp"

#include <limits>

#include "common/names.hpp"
#include "model/spec_fields.hpp"

namespace outpost {
namespace {

// Labels the platform sets itself; a user label of the same key would silently lose.
bool is_builtin_label(std::string_view key) { return key == "name" || key == "tenant"; }

// Labels a user sets are held to the label rules; labels an agent discovered on its host are
// taken as reported (an OS name may hold spaces), only their keys must be usable in selectors.
Result<Labels> parse_labels(const Json& value, const std::string& field, bool set_by_user) {
  auto map =
      spec::as_text_map(value, field, [&](const std::string& key, const std::string& key_field) -> Status {
        if (Status ok = validate_label_key(key, key_field); !ok) return ok;
        if (set_by_user && is_builtin_label(key))
          return invalid(key_field, "'" + key + "' is a built-in label and cannot be set");
        return {};
      });
  if (!map) return std::unexpected(map.error());
  Labels labels;
  for (auto& [key, text] : *map) {
    if (set_by_user) {
      if (Status ok = validate_label_value(text, spec::join(field, key)); !ok)
        return std::unexpected(ok.error());
    }
    labels.emplace(key, std::move(text));
  }
  return labels;
}

Result<std::map<std::string, std::string>> parse_vars(const Json& value, const std::string& field) {
  return spec::as_text_map(value, field, [](const std::string& key, const std::string& key_field) -> Status {
    if (Status ok = spec::validate_variable_name(key, key_field); !ok) return ok;
    if (key.starts_with("SYS_"))
      return invalid(key_field, "variables starting with SYS_ are built in and cannot be set");
    return {};
  });
}

Result<Site> parse_site(const Json& doc) {
  auto fields = spec::Fields::open(doc, "", {"kind", "name", "labels", "vars", "upgrade-window", "when-disconnected"});
  if (!fields) return std::unexpected(fields.error());
  if (Status ok = fields->kind("site"); !ok) return std::unexpected(ok.error());
  Site site;
  auto name = fields->required_name("name");
  if (!name) return std::unexpected(name.error());
  site.name = std::move(*name);
  if (const Json* labels = fields->find("labels")) {
    auto parsed = parse_labels(*labels, "labels", true);
    if (!parsed) return std::unexpected(parsed.error());
    site.labels = std::move(*parsed);
  }
  if (const Json* vars = fields->find("vars")) {
    auto parsed = parse_vars(*vars, "vars");
    if (!parsed) return std::unexpected(parsed.error());
    site.vars = std::move(*parsed);
  }
  if (const Json* window = fields->find("upgrade-window")) {
    auto parsed = UpgradeWindow::from_json(*window, fields->path("upgrade-window"));
    if (!parsed) return std::unexpected(parsed.error());
    site.upgrade_window = std::move(*parsed);
  }
  auto when_disconnected = fields->choice("when-disconnected", "normal", {"normal", "expected", "error"});
  if (!when_disconnected) return std::unexpected(when_disconnected.error());
  site.when_disconnected = std::move(*when_disconnected);
  return site;
}

Result<Host> parse_host(const Json& doc) {
  auto fields = spec::Fields::open(doc, "", {"site", "name", "certificate_serial", "enrolled_at", "labels"});
  if (!fields) return std::unexpected(fields.error());
  Host host;
  auto site = fields->required_name("site");
  if (!site) return std::unexpected(site.error());
  auto name = fields->required_name("name");
  if (!name) return std::unexpected(name.error());
  auto serial = fields->string("certificate_serial", "");
  if (!serial) return std::unexpected(serial.error());
  auto enrolled_at = fields->integer("enrolled_at", 0, 0, std::numeric_limits<std::int64_t>::max());
  if (!enrolled_at) return std::unexpected(enrolled_at.error());
  host.site = std::move(*site);
  host.name = std::move(*name);
  host.certificate_serial = std::move(*serial);
  host.enrolled_at = *enrolled_at;
  if (const Json* labels = fields->find("labels")) {
    auto parsed = parse_labels(*labels, "labels", false);
    if (!parsed) return std::unexpected(parsed.error());
    host.labels = std::move(*parsed);
  }
  return host;
}

Json labels_json(const Labels& labels) {
  Json out = Json::object();
  for (const auto& [key, value] : labels) out[key] = value;
  return out;
}

}  // namespace

Labels Site::effective_labels() const {
  Labels all = labels;
  all["name"] = name;
  return all;
}

Result<Site> Site::from_json(const Json& doc) { return spec::explained(parse_site(doc)); }

Json Site::to_json() const {
  Json out{{"name", name}, {"labels", labels_json(labels)}, {"vars", vars}};
  if (upgrade_window) out["upgrade-window"] = upgrade_window->to_json();
  if (when_disconnected != "normal") out["when-disconnected"] = when_disconnected;
  return out;
}

Result<Host> Host::from_json(const Json& doc) { return spec::explained(parse_host(doc)); }

Json Host::to_json() const {
  return Json{{"site", site},
              {"name", name},
              {"certificate_serial", certificate_serial},
              {"enrolled_at", enrolled_at},
              {"labels", labels_json(labels)}};
}

}  // namespace outpost
