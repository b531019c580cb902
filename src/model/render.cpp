#include "model/render.hpp"

#include <openssl/evp.h>

#include <charconv>

#include "model/spec_fields.hpp"

namespace outpost {
namespace {

using Vars = std::map<std::string, std::string>;

// Computed here rather than through common/pki so the model does not depend on the PKI code.
std::string sha256_hex_of(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex += digits[digest[i] >> 4];
    hex += digits[digest[i] & 0xf];
  }
  return hex;
}

Result<std::string> substituted(std::string_view text, const Vars& vars, const std::string& field) {
  auto result = substitute(text, vars);
  if (!result) return invalid(field, result.error().message);
  return result;
}

Result<int> port_number(std::string_view text, const Vars& vars, const std::string& field) {
  auto value = substituted(text, vars, field);
  if (!value) return std::unexpected(value.error());
  int port = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), port);
  if (value->empty() || ec != std::errc{} || end != value->data() + value->size() || port < 1 ||
      port > 65535) {
    std::string origin = *value == text ? "" : " (from \"" + std::string(text) + "\")";
    return invalid(field, "must be a port number from 1 to 65535, got \"" + *value + "\"" + origin);
  }
  return port;
}

Result<PublishedPort> publish(const PortSpec& port, const Vars& vars, const std::string& field) {
  PublishedPort out;
  auto container = port_number(port.container, vars, spec::join(field, "container"));
  if (!container) return std::unexpected(container.error());
  auto host = port_number(port.host, vars, spec::join(field, "host"));
  if (!host) return std::unexpected(host.error());
  auto host_ip = substituted(port.host_ip, vars, spec::join(field, "host-ip"));
  if (!host_ip) return std::unexpected(host_ip.error());
  if (!spec::is_ip_address(*host_ip))
    return invalid(spec::join(field, "host-ip"), "must be an IP address, got \"" + *host_ip + "\"");
  return PublishedPort{*container, *host, port.protocol, std::move(*host_ip)};
}

// Probe ports may name site variables like published ports do; the agent gets numbers.
Result<Json> render_probes(const Json& probes, const Vars& vars, const std::string& field) {
  Json out = probes.is_object() ? probes : Json::object();
  for (auto& [kind, probe] : out.items()) {
    for (const char* check : {"http", "tcp"}) {
      if (!probe.is_object() || !probe.contains(check) || !probe[check].contains("port")) continue;
      Json& port = probe[check]["port"];
      if (port.is_number_integer()) continue;
      if (!port.is_string()) return invalid(spec::join(spec::join(spec::join(field, kind), check), "port"), "must be a port");
      auto number = port_number(port.get<std::string>(), vars, spec::join(spec::join(spec::join(field, kind), check), "port"));
      if (!number) return std::unexpected(number.error());
      port = *number;
    }
  }
  return out;
}

std::string spec_hash_of(const PlannedContainer& planned) {
  Json ports = Json::array();
  for (const auto& port : planned.ports)
    ports.push_back({{"container", port.container},
                     {"host", port.host},
                     {"protocol", port.protocol},
                     {"host_ip", port.host_ip}});
  Json defining = {{"image", planned.image},
                   {"command", planned.command},
                   {"env", planned.env},
                   {"ports", std::move(ports)},
                   {"restart", planned.restart}};
  return sha256_hex_of(defining.dump());
}

Result<PlannedContainer> render_container(const PlannedContainer& identity, const ContainerSpec& spec,
                                          const Vars& vars, const std::string& field) {
  PlannedContainer planned = identity;
  planned.container = spec.name;
  planned.name = "outpost-" + planned.site + "-" + planned.host + "-" + planned.app + "-" + planned.instance +
                 "-" + spec.name;
  planned.image = spec.image;
  planned.restart = spec.restart;
  for (std::size_t i = 0; i < spec.command.size(); ++i) {
    auto argument = substituted(spec.command[i], vars, spec::index(spec::join(field, "command"), i));
    if (!argument) return std::unexpected(argument.error());
    planned.command.push_back(std::move(*argument));
  }
  for (const auto& [key, value] : spec.env) {  // std::map: already sorted by key
    auto text = substituted(value, vars, spec::join(spec::join(field, "env"), key));
    if (!text) return std::unexpected(text.error());
    planned.env.push_back(key + "=" + *text);
  }
  for (std::size_t i = 0; i < spec.ports.size(); ++i) {
    if (spec.ports[i].host.empty()) continue;  // unpublished: documentation of what listens inside
    auto port = publish(spec.ports[i], vars, spec::index(spec::join(field, "ports"), i));
    if (!port) return std::unexpected(port.error());
    planned.ports.push_back(std::move(*port));
  }
  auto probes = render_probes(spec.probes, vars, spec::join(field, "probes"));
  if (!probes) return std::unexpected(probes.error());
  planned.probes = std::move(*probes);
  planned.spec_hash = spec_hash_of(planned);
  planned.labels = {{std::string(labels::site), planned.site},
                    {std::string(labels::host), planned.host},
                    {std::string(labels::app), planned.app},
                    {std::string(labels::version), planned.version},
                    {std::string(labels::service), planned.service},
                    {std::string(labels::instance), planned.instance},
                    {std::string(labels::container), planned.container},
                    {std::string(labels::spec_hash), planned.spec_hash}};
  return planned;
}

// Every container of the instance, or none: half an instance is never started.
Result<std::vector<PlannedContainer>> render_instance(const SiteDesired& desired, const std::string& host,
                                                      const Application& app,
                                                      const InstanceAssignment& instance) {
  const ServiceSpec* service = app.service(instance.service);
  if (!service)
    return invalid("instances", "application " + app.name + " has no service \"" + instance.service + "\"");
  std::string service_field =
      spec::index("services", static_cast<std::size_t>(service - app.services.data()));
  Vars vars = desired.vars;
  vars["SYS_SITE"] = desired.site;
  vars["SYS_HOST"] = host;
  vars["SYS_APP"] = app.name;
  vars["SYS_SERVICE"] = service->name;
  vars["SYS_VERSION"] = app.version;
  vars["SYS_INSTANCE"] = instance.instance;
  PlannedContainer identity;
  identity.site = desired.site;
  identity.host = host;
  identity.app = app.name;
  identity.version = app.version;
  identity.service = service->name;
  identity.instance = instance.instance;
  std::vector<PlannedContainer> containers;
  for (std::size_t i = 0; i < service->containers.size(); ++i) {
    auto planned = render_container(identity, service->containers[i], vars,
                                    spec::index(spec::join(service_field, "containers"), i));
    if (!planned) return std::unexpected(std::move(planned.error()));
    containers.push_back(std::move(*planned));
  }
  return containers;
}

}  // namespace

HostPlan render_host(const SiteDesired& desired, const std::string& host) {
  HostPlan plan;
  for (const auto& [name, site_app] : desired.live()) {
    for (const auto& instance : site_app->instances) {
      if (instance.host != host) continue;
      auto containers = render_instance(desired, host, site_app->application, instance);
      if (!containers) {
        plan.errors.push_back(
            RenderError{site_app->application.name, instance.instance, spec::explained(containers.error())});
        continue;
      }
      for (auto& container : *containers) plan.containers.push_back(std::move(container));
    }
  }
  return plan;
}

}  // namespace outpost
