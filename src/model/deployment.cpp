#include "model/deployment.hpp"

#include "common/duration.hpp"
#include "common/names.hpp"
#include "model/spec_fields.hpp"

namespace outpost {
namespace {

using spec::Fields;

constexpr std::int64_t max_parallel_sites = 100'000;

Result<std::chrono::milliseconds> duration_field(const Fields& fields, std::string_view key,
                                                 std::chrono::milliseconds fallback) {
  const Json* value = fields.find(key);
  if (!value) return fallback;
  if (Status ok = spec::validate_duration(*value, fields.path(key)); !ok) return std::unexpected(ok.error());
  if (value->is_number_integer()) return std::chrono::seconds(value->get<std::int64_t>());
  return parse_duration(value->get_ref<const std::string&>(), fields.path(key));
}

Result<LabelExpr> expression_field(const Fields& fields, std::string_view key) {
  auto text = fields.string(key, "");
  if (!text) return std::unexpected(text.error());
  return LabelExpr::parse(*text, fields.path(key));
}

Result<RolloutPolicy::Canary> parse_canary(const Json& value, const std::string& field,
                                           std::chrono::milliseconds default_healthy_for) {
  auto fields = Fields::open(value, field, {"sites", "healthy-for"});
  if (!fields) return std::unexpected(fields.error());
  if (!fields->find("sites"))
    return invalid(fields->path("sites"), "is required: the label expression of the canary sites");
  auto sites = expression_field(*fields, "sites");
  if (!sites) return std::unexpected(sites.error());
  if (sites->text().find_first_not_of(" \t\r\n") == std::string::npos)
    return invalid(fields->path("sites"), "must not be empty: the canary would be every site");
  auto healthy_for = duration_field(*fields, "healthy-for", default_healthy_for);
  if (!healthy_for) return std::unexpected(healthy_for.error());
  return RolloutPolicy::Canary{std::move(*sites), *healthy_for};
}

Result<std::string> parse_version(const Fields& fields) {
  const Json* value = fields.find("version");
  if (!value) return std::string("*");
  if (value->is_number())
    return invalid(fields.path("version"), "must be a string, got number; quote it (version: \"" +
                                               value->dump() + "\") so YAML keeps it as text");
  auto version = spec::as_string(*value, fields.path("version"));
  if (!version || *version == "*") return version;
  if (Status ok = validate_version(*version, fields.path("version")); !ok) return std::unexpected(ok.error());
  return version;
}

Result<RolloutPolicy> parse_rollout(const Json& rollout, const std::string& field) {
  auto fields = Fields::open(
      rollout, field, {"canary", "sites-in-parallel", "healthy-for", "max-failed-sites", "on-failure", "site-deadline"});
  if (!fields) return std::unexpected(fields.error());
  RolloutPolicy policy;
  auto parallel = fields->integer("sites-in-parallel", policy.sites_in_parallel, 1, max_parallel_sites);
  if (!parallel) return std::unexpected(parallel.error());
  policy.sites_in_parallel = static_cast<int>(*parallel);
  auto healthy_for = duration_field(*fields, "healthy-for", policy.healthy_for);
  if (!healthy_for) return std::unexpected(healthy_for.error());
  policy.healthy_for = *healthy_for;
  auto max_failed = fields->integer("max-failed-sites", policy.max_failed_sites, 0, max_parallel_sites);
  if (!max_failed) return std::unexpected(max_failed.error());
  policy.max_failed_sites = static_cast<int>(*max_failed);
  auto on_failure = fields->choice("on-failure", "pause", {"rollback", "pause"});
  if (!on_failure) return std::unexpected(on_failure.error());
  policy.rollback_on_failure = *on_failure == "rollback";
  auto site_deadline = duration_field(*fields, "site-deadline", policy.site_deadline);
  if (!site_deadline) return std::unexpected(site_deadline.error());
  if (*site_deadline <= std::chrono::milliseconds::zero())
    return invalid(fields->path("site-deadline"), "must be longer than zero");
  policy.site_deadline = *site_deadline;
  if (const Json* canary = fields->find("canary")) {
    auto parsed = parse_canary(*canary, fields->path("canary"), policy.healthy_for);
    if (!parsed) return std::unexpected(parsed.error());
    policy.canary = std::move(*parsed);
  }
  return policy;
}

Result<Deployment> parse_deployment(const Json& doc) {
  auto fields = Fields::open(doc, "", {"kind", "name", "application", "version", "placement", "rollout"});
  if (!fields) return std::unexpected(fields.error());
  if (Status ok = fields->kind("deployment"); !ok) return std::unexpected(ok.error());
  Deployment deployment;
  auto name = fields->required_name("name");
  if (!name) return std::unexpected(name.error());
  deployment.name = std::move(*name);
  auto application = fields->required_name("application");
  if (!application) return std::unexpected(application.error());
  deployment.application = std::move(*application);
  auto version = parse_version(*fields);
  if (!version) return std::unexpected(version.error());
  deployment.version = std::move(*version);
  if (const Json* placement = fields->find("placement")) {
    auto placement_fields = Fields::open(*placement, "placement", {"sites"});
    if (!placement_fields) return std::unexpected(placement_fields.error());
    auto sites = expression_field(*placement_fields, "sites");
    if (!sites) return std::unexpected(sites.error());
    deployment.placement = std::move(*sites);
  }
  const Json* rollout = fields->find("rollout");
  auto policy = parse_rollout(rollout ? *rollout : Json::object(), "rollout");
  if (!policy) return std::unexpected(policy.error());
  deployment.rollout = policy->to_json();
  return deployment;
}

}  // namespace

Result<RolloutPolicy> RolloutPolicy::from_json(const Json& rollout, const std::string& field) {
  return spec::explained(parse_rollout(rollout, field));
}

Json RolloutPolicy::to_json() const {
  Json out = Json::object();
  if (canary)
    out["canary"] = {{"sites", canary->sites.text()}, {"healthy-for", format_duration(canary->healthy_for)}};
  out["sites-in-parallel"] = sites_in_parallel;
  out["healthy-for"] = format_duration(healthy_for);
  out["max-failed-sites"] = max_failed_sites;
  out["on-failure"] = rollback_on_failure ? "rollback" : "pause";
  if (site_deadline != RolloutPolicy{}.site_deadline) out["site-deadline"] = format_duration(site_deadline);
  return out;
}

Result<Deployment> Deployment::from_json(const Json& doc) { return spec::explained(parse_deployment(doc)); }

Json Deployment::to_json() const {
  return Json{{"kind", "deployment"},
              {"name", name},
              {"application", application},
              {"version", version},
              {"placement", {{"sites", placement.text()}}},
              {"rollout", rollout_policy().to_json()}};
}

RolloutPolicy Deployment::rollout_policy() const {
  // `rollout` is validated by from_json; a hand-built Deployment with a bad one gets defaults.
  auto policy = RolloutPolicy::from_json(rollout.is_null() ? Json::object() : rollout);
  return policy ? std::move(*policy) : RolloutPolicy{};
}

}  // namespace outpost
