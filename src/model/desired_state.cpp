#include "model/desired_state.hpp"

#include <algorithm>
#include <limits>
#include <set>

#include "common/names.hpp"
#include "model/spec_fields.hpp"

namespace outpost {
namespace {

using spec::Fields;

constexpr auto max_revision = std::numeric_limits<std::int64_t>::max();

Json instance_to_json(const InstanceAssignment& instance) {
  return Json{{"service", instance.service}, {"instance", instance.instance}, {"host", instance.host}};
}

Result<InstanceAssignment> parse_instance(const Json& value, const std::string& field,
                                          const Application& app) {
  auto fields = Fields::open(value, field, {"service", "instance", "host"});
  if (!fields) return std::unexpected(fields.error());
  auto service = fields->required_name("service");
  if (!service) return std::unexpected(service.error());
  if (!app.service(*service))
    return invalid(fields->path("service"),
                   "application " + app.name + " has no service \"" + *service + "\"");
  auto instance = fields->required_name("instance");
  if (!instance) return std::unexpected(instance.error());
  auto host = fields->required_name("host");
  if (!host) return std::unexpected(host.error());
  return InstanceAssignment{std::move(*service), std::move(*instance), std::move(*host)};
}

Result<SiteApp> parse_site_app(const Json& doc, const std::string& field) {
  auto fields = Fields::open(doc, field, {"deployment", "application", "instances"});
  if (!fields) return std::unexpected(fields.error());
  SiteApp site_app;
  auto deployment = fields->required_name("deployment");
  if (!deployment) return std::unexpected(deployment.error());
  site_app.deployment = std::move(*deployment);
  auto application_doc = fields->required("application");
  if (!application_doc) return std::unexpected(application_doc.error());
  auto application = Application::from_json(**application_doc);
  if (!application) return std::unexpected(spec::nested(fields->path("application"), application.error()));
  site_app.application = std::move(*application);
  if (const Json* instances = fields->find("instances")) {
    if (!instances->is_array()) return spec::wrong_type(fields->path("instances"), "a list", *instances);
    std::set<std::string> seen;
    for (std::size_t i = 0; i < instances->size(); ++i) {
      std::string instance_field = spec::index(fields->path("instances"), i);
      auto instance = parse_instance((*instances)[i], instance_field, site_app.application);
      if (!instance) return std::unexpected(instance.error());
      if (!seen.insert(instance->instance).second)
        return invalid(spec::join(instance_field, "instance"),
                       "duplicate instance \"" + instance->instance + "\"");
      site_app.instances.push_back(std::move(*instance));
    }
  }
  return site_app;
}

Result<std::map<std::string, std::string>> parse_vars(const Json& value, const std::string& field) {
  return spec::as_text_map(value, field, [](const std::string& key, const std::string& key_field) {
    return spec::validate_variable_name(key, key_field);
  });
}

Result<std::uint64_t> revision_field(const Fields& fields, std::string_view key) {
  auto value = fields.integer(key, 0, 0, max_revision);
  if (!value) return std::unexpected(value.error());
  return static_cast<std::uint64_t>(*value);
}

Result<SiteDesired> parse_site_desired(const Json& doc) {
  auto fields =
      Fields::open(doc, "", {"site", "revision", "compacted_before", "vars_revision", "vars", "apps"});
  if (!fields) return std::unexpected(fields.error());
  SiteDesired desired;
  auto site = fields->required_name("site");
  if (!site) return std::unexpected(site.error());
  desired.site = std::move(*site);
  for (auto [key, target] :
       {std::pair{"revision", &desired.revision}, std::pair{"compacted_before", &desired.compacted_before},
        std::pair{"vars_revision", &desired.vars_revision}}) {
    auto value = revision_field(*fields, key);
    if (!value) return std::unexpected(value.error());
    *target = *value;
  }
  if (const Json* vars = fields->find("vars")) {
    auto parsed = parse_vars(*vars, "vars");
    if (!parsed) return std::unexpected(parsed.error());
    desired.vars = std::move(*parsed);
  }
  if (const Json* apps = fields->find("apps")) {
    if (!apps->is_object()) return spec::wrong_type("apps", "an object", *apps);
    for (const auto& [name, entry_doc] : apps->items()) {
      std::string entry_field = spec::join("apps", name);
      if (Status ok = validate_name(name, entry_field); !ok) return std::unexpected(ok.error());
      auto entry_fields = Fields::open(entry_doc, entry_field, {"revision", "app"});
      if (!entry_fields) return std::unexpected(entry_fields.error());
      SiteDesired::Entry entry;
      auto revision = revision_field(*entry_fields, "revision");
      if (!revision) return std::unexpected(revision.error());
      entry.revision = *revision;
      if (const Json* app = entry_fields->find("app")) {
        auto parsed = parse_site_app(*app, entry_fields->path("app"));
        if (!parsed) return std::unexpected(parsed.error());
        entry.app = std::move(*parsed);
      }
      desired.apps.emplace(name, std::move(entry));
    }
  }
  return desired;
}

// What apply_delta() needs from a delta, all checked before any of it is applied.
struct ParsedDelta {
  std::string site;
  std::uint64_t from = 0, revision = 0;
  bool full = false;
  std::map<std::string, SiteApp> apps;
  std::vector<std::string> removed;
  std::optional<std::map<std::string, std::string>> vars;
};

Result<ParsedDelta> parse_delta(const Json& doc) {
  // "type" is allowed because the session frames the delta as {"type": "desired", ...delta}.
  auto fields =
      Fields::open(doc, "", {"type", "site", "from", "revision", "full", "vars", "apps", "removed"});
  if (!fields) return std::unexpected(fields.error());
  ParsedDelta delta;
  auto site = fields->required_name("site");
  if (!site) return std::unexpected(site.error());
  delta.site = std::move(*site);
  auto from = revision_field(*fields, "from");
  auto revision = revision_field(*fields, "revision");
  auto full = fields->boolean("full", false);
  if (!from || !revision || !full)
    return std::unexpected(!from ? from.error() : !revision ? revision.error() : full.error());
  delta.from = *from;
  delta.revision = *revision;
  delta.full = *full;
  if (!delta.full && delta.revision < delta.from)
    return invalid("revision", "a delta cannot end (" + std::to_string(delta.revision) +
                                   ") before it starts (" + std::to_string(delta.from) + ")");
  if (const Json* apps = fields->find("apps")) {
    if (!apps->is_object()) return spec::wrong_type("apps", "an object", *apps);
    for (const auto& [name, app_doc] : apps->items()) {
      if (Status ok = validate_name(name, spec::join("apps", name)); !ok) return std::unexpected(ok.error());
      auto app = parse_site_app(app_doc, spec::join("apps", name));
      if (!app) return std::unexpected(app.error());
      delta.apps.emplace(name, std::move(*app));
    }
  }
  if (const Json* removed = fields->find("removed")) {
    auto names = spec::as_text_list(*removed, "removed");
    if (!names) return std::unexpected(names.error());
    delta.removed = std::move(*names);
  }
  if (const Json* vars = fields->find("vars")) {
    auto parsed = parse_vars(*vars, "vars");
    if (!parsed) return std::unexpected(parsed.error());
    delta.vars = std::move(*parsed);
  }
  return delta;
}

}  // namespace

Json SiteApp::to_json() const {
  Json instance_list = Json::array();
  for (const auto& instance : instances) instance_list.push_back(instance_to_json(instance));
  return Json{{"deployment", deployment},
              {"application", application.to_json()},
              {"instances", std::move(instance_list)}};
}

Result<SiteApp> SiteApp::from_json(const Json& doc) { return spec::explained(parse_site_app(doc, "")); }

bool SiteDesired::update(const std::map<std::string, SiteApp>& apps_now,
                         const std::map<std::string, std::string>& vars_now) {
  std::vector<std::string> changed, removed;
  for (const auto& [name, app] : apps_now) {
    auto it = apps.find(name);
    // Equal values serialize to the same canonical JSON, what the agent receives: nothing to
    // send. Comparing values spares serializing both (a pass over 10,000 sites did that twice
    // per site).
    if (it == apps.end() || !it->second.app || *it->second.app != app)
      changed.push_back(name);
  }
  for (const auto& [name, entry] : apps)
    if (entry.app && !apps_now.contains(name)) removed.push_back(name);
  bool vars_changed = vars != vars_now;
  if (changed.empty() && removed.empty() && !vars_changed) return false;
  ++revision;
  for (const auto& name : changed) apps[name] = Entry{revision, apps_now.at(name)};
  for (const auto& name : removed) apps[name] = Entry{revision, std::nullopt};
  if (vars_changed) {
    vars = vars_now;
    vars_revision = revision;
  }
  return true;
}

Json SiteDesired::delta_since(std::uint64_t from) const {
  bool full = from == 0 || from > revision || from < compacted_before;
  Json delta = {{"site", site}, {"from", from}, {"revision", revision}, {"full", full}};
  if (full || vars_revision > from) delta["vars"] = vars;
  Json changed = Json::object(), removed = Json::array();
  for (const auto& [name, entry] : apps) {
    if (entry.app && (full || entry.revision > from)) changed[name] = entry.app->to_json();
    if (!entry.app && !full && entry.revision > from) removed.push_back(name);
  }
  delta["apps"] = std::move(changed);
  if (!full) delta["removed"] = std::move(removed);
  return delta;
}

Status SiteDesired::apply_delta(const Json& delta_doc) {
  auto delta = parse_delta(delta_doc);
  if (!delta) {
    Error malformed = delta.error();  // a delta is protocol, not user input: 400, not 422
    malformed.status = 400;
    malformed.code = "bad_request";
    return std::unexpected(spec::explained(std::move(malformed)));
  }
  if (!site.empty() && delta->site != site)
    return fail(409, "site_mismatch",
                "the delta is for site " + delta->site + ", this state is site " + site);
  if (!delta->full && delta->from != revision)
    return fail(409, "revision_gap",
                "the delta starts at revision " + std::to_string(delta->from) +
                    " but this state is at revision " + std::to_string(revision));
  if (delta->full) {
    apps.clear();
    vars.clear();
    compacted_before = 0;
  }
  for (auto& [name, app] : delta->apps) apps[name] = Entry{delta->revision, std::move(app)};
  for (const auto& name : delta->removed) apps.erase(name);
  if (delta->vars) {
    vars = std::move(*delta->vars);
    vars_revision = delta->revision;
  }
  site = delta->site;
  revision = delta->revision;
  return {};
}

void SiteDesired::compact(std::uint64_t before) {
  std::erase_if(apps, [&](const auto& item) { return !item.second.app && item.second.revision < before; });
  compacted_before = std::max(compacted_before, before);
}

std::map<std::string, const SiteApp*> SiteDesired::live() const {
  std::map<std::string, const SiteApp*> out;
  for (const auto& [name, entry] : apps)
    if (entry.app) out.emplace(name, &*entry.app);
  return out;
}

Json SiteDesired::to_json() const {
  Json app_entries = Json::object();
  for (const auto& [name, entry] : apps)
    app_entries[name] = {{"revision", entry.revision},
                         {"app", entry.app ? entry.app->to_json() : Json(nullptr)}};
  return Json{{"site", site},
              {"revision", revision},
              {"compacted_before", compacted_before},
              {"vars_revision", vars_revision},
              {"vars", vars},
              {"apps", std::move(app_entries)}};
}

Result<SiteDesired> SiteDesired::from_json(const Json& doc) {
  return spec::explained(parse_site_desired(doc));
}

}  // namespace outpost
