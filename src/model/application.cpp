#include "model/application.hpp"

#include <algorithm>
#include <set>
#include <tuple>

#include "common/names.hpp"
#include "model/application_parts.hpp"
#include "model/render.hpp"
#include "model/spec_fields.hpp"

namespace outpost {
namespace {

using spec::Fields;

constexpr std::int64_t max_replicas = 1000;

// Catches "${" typos when the spec is applied, not later on every site that runs it.
Status check_variables(const std::string& text, const std::string& field) {
  auto variables = referenced_variables(text);
  if (!variables) return invalid(field, variables.error().message);
  return {};
}

Result<std::string> parse_image(const Fields& fields) {
  auto image = fields.required_string("image");
  if (!image) return image;
  bool printable = std::ranges::all_of(*image, [](char c) { return c > 0x20 && c < 0x7f; });
  if (image->empty() || !printable)
    return invalid(fields.path("image"),
                   "must be an image reference such as registry:5000/team/app:1.0 "
                   "(not empty, no spaces)");
  return image;
}

Result<PortSpec> parse_port(const Json& value, const std::string& field) {
  auto fields = Fields::open(value, field, {"container", "host", "protocol", "host-ip"});
  if (!fields) return std::unexpected(fields.error());
  PortSpec port;
  auto container = fields->required("container");
  if (!container) return std::unexpected(container.error());
  auto container_port = spec::port_text(**container, fields->path("container"));
  if (!container_port) return std::unexpected(container_port.error());
  port.container = std::move(*container_port);
  if (const Json* host = fields->find("host")) {
    auto host_port = spec::port_text(*host, fields->path("host"));
    if (!host_port) return std::unexpected(host_port.error());
    port.host = std::move(*host_port);
  }
  auto protocol = fields->choice("protocol", "tcp", {"tcp", "udp"});
  if (!protocol) return std::unexpected(protocol.error());
  port.protocol = std::move(*protocol);
  auto host_ip = fields->string("host-ip", port.host_ip);
  if (!host_ip) return std::unexpected(host_ip.error());
  if (host_ip->find("${") != std::string::npos) {
    if (Status ok = check_variables(*host_ip, fields->path("host-ip")); !ok)
      return std::unexpected(ok.error());
  } else if (!spec::is_ip_address(*host_ip)) {
    return invalid(fields->path("host-ip"),
                   "must be an IP address such as 127.0.0.1 or 0.0.0.0, got \"" + *host_ip + "\"");
  }
  port.host_ip = std::move(*host_ip);
  return port;
}

Status parse_runtime(const Fields& fields, ContainerSpec& container) {
  if (const Json* command = fields.find("command")) {
    auto argv = spec::as_command(*command, fields.path("command"));
    if (!argv) return std::unexpected(argv.error());
    for (std::size_t i = 0; i < argv->size(); ++i)
      if (Status ok = check_variables((*argv)[i], spec::index(fields.path("command"), i)); !ok) return ok;
    container.command = std::move(*argv);
  }
  if (const Json* env = fields.find("env")) {
    auto variables =
        spec::as_text_map(*env, fields.path("env"), [](const std::string& key, const std::string& key_field) {
          return spec::validate_variable_name(key, key_field);
        });
    if (!variables) return std::unexpected(variables.error());
    for (const auto& [key, text] : *variables)
      if (Status ok = check_variables(text, spec::join(fields.path("env"), key)); !ok) return ok;
    container.env = std::move(*variables);
  }
  if (const Json* ports = fields.find("ports")) {
    if (!ports->is_array()) return spec::wrong_type(fields.path("ports"), "a list", *ports);
    for (std::size_t i = 0; i < ports->size(); ++i) {
      auto port = parse_port((*ports)[i], spec::index(fields.path("ports"), i));
      if (!port) return std::unexpected(port.error());
      container.ports.push_back(std::move(*port));
    }
  }
  auto restart = fields.choice("restart", container.restart, {"always", "on-failure", "never"});
  if (!restart) return std::unexpected(restart.error());
  container.restart = std::move(*restart);
  return {};
}

Result<ContainerSpec> parse_container(const Json& value, const std::string& field,
                                      const std::set<std::string>& volumes) {
  auto fields = Fields::open(
      value, field, {"name", "image", "command", "env", "ports", "restart", "probes", "resources", "mounts"});
  if (!fields) return std::unexpected(fields.error());
  ContainerSpec container;
  auto name = fields->required_name("name");
  if (!name) return std::unexpected(name.error());
  container.name = std::move(*name);
  auto image = parse_image(*fields);
  if (!image) return std::unexpected(image.error());
  container.image = std::move(*image);
  if (Status ok = parse_runtime(*fields, container); !ok) return std::unexpected(ok.error());
  if (const Json* probes = fields->find("probes")) {
    auto parsed = spec::parse_probes(*probes, fields->path("probes"));
    if (!parsed) return std::unexpected(parsed.error());
    container.probes = std::move(*parsed);
  }
  if (const Json* resources = fields->find("resources")) {
    auto parsed = spec::parse_resources(*resources, fields->path("resources"));
    if (!parsed) return std::unexpected(parsed.error());
    container.resources = std::move(*parsed);
  }
  if (const Json* mounts = fields->find("mounts")) {
    auto parsed = spec::parse_mounts(*mounts, fields->path("mounts"), volumes);
    if (!parsed) return std::unexpected(parsed.error());
    container.mounts = std::move(*parsed);
  }
  return container;
}

// All containers of one instance share a host, so two of them publishing the same host port
// can never both start.
Status check_published_ports(const ServiceSpec& service, const std::string& field) {
  std::set<std::tuple<std::string, std::string, std::string>> published;
  for (std::size_t c = 0; c < service.containers.size(); ++c) {
    const auto& ports = service.containers[c].ports;
    for (std::size_t p = 0; p < ports.size(); ++p) {
      if (ports[p].host.empty()) continue;
      if (!published.emplace(ports[p].host, ports[p].protocol, ports[p].host_ip).second)
        return invalid(
            spec::join(spec::index(spec::join(spec::index(spec::join(field, "containers"), c), "ports"), p),
                       "host"),
            "host port " + ports[p].host + "/" + ports[p].protocol + " is published twice in this service");
    }
  }
  return {};
}

Result<ServiceSpec> parse_service(const Json& value, const std::string& field) {
  auto fields = Fields::open(value, field, {"name", "replicas", "mode", "containers", "volumes"});
  if (!fields) return std::unexpected(fields.error());
  ServiceSpec service;
  auto name = fields->required_name("name");
  if (!name) return std::unexpected(name.error());
  service.name = std::move(*name);
  auto mode = fields->choice("mode", "replicated", {"replicated", "one-per-host"});
  if (!mode) return std::unexpected(mode.error());
  service.one_per_host = *mode == "one-per-host";
  if (service.one_per_host && fields->find("replicas"))
    return invalid(fields->path("replicas"),
                   "must not be set with mode one-per-host (one instance runs on every host)");
  auto replicas = fields->integer("replicas", 1, 0, max_replicas);
  if (!replicas) return std::unexpected(replicas.error());
  service.replicas = static_cast<int>(*replicas);
  std::set<std::string> volume_names;
  if (const Json* volumes = fields->find("volumes")) {
    auto parsed = spec::parse_volumes(*volumes, fields->path("volumes"));
    if (!parsed) return std::unexpected(parsed.error());
    for (const auto& volume : *parsed) volume_names.insert(volume["name"].get<std::string>());
    service.volumes = std::move(*parsed);
  }
  auto containers = fields->required("containers");
  if (!containers) return std::unexpected(containers.error());
  if (!(*containers)->is_array()) return spec::wrong_type(fields->path("containers"), "a list", **containers);
  if ((*containers)->empty()) return invalid(fields->path("containers"), "needs at least one container");
  for (std::size_t i = 0; i < (*containers)->size(); ++i) {
    std::string container_field = spec::index(fields->path("containers"), i);
    auto container = parse_container((**containers)[i], container_field, volume_names);
    if (!container) return std::unexpected(container.error());
    for (const auto& other : service.containers)
      if (other.name == container->name)
        return invalid(spec::join(container_field, "name"),
                       "duplicate container name \"" + other.name + "\"");
    service.containers.push_back(std::move(*container));
  }
  if (Status ok = check_published_ports(service, field); !ok) return std::unexpected(ok.error());
  return service;
}

Result<std::string> parse_version(const Fields& fields) {
  auto value = fields.required("version");
  if (!value) return std::unexpected(value.error());
  if ((*value)->is_number())
    return invalid(fields.path("version"), "must be a string, got number; quote it (version: \"" +
                                               (*value)->dump() + "\") so YAML keeps it as text");
  auto version = spec::as_string(**value, fields.path("version"));
  if (!version) return version;
  if (Status ok = validate_version(*version, fields.path("version")); !ok) return std::unexpected(ok.error());
  return version;
}

Result<Application> parse_application(const Json& doc) {
  auto fields = Fields::open(doc, "", {"kind", "name", "version", "services"});
  if (!fields) return std::unexpected(fields.error());
  if (Status ok = fields->kind("application"); !ok) return std::unexpected(ok.error());
  Application app;
  auto name = fields->required_name("name");
  if (!name) return std::unexpected(name.error());
  app.name = std::move(*name);
  auto version = parse_version(*fields);
  if (!version) return std::unexpected(version.error());
  app.version = std::move(*version);
  auto services = fields->required("services");
  if (!services) return std::unexpected(services.error());
  if (!(*services)->is_array()) return spec::wrong_type("services", "a list", **services);
  if ((*services)->empty()) return invalid("services", "needs at least one service");
  for (std::size_t i = 0; i < (*services)->size(); ++i) {
    std::string service_field = spec::index("services", i);
    auto service = parse_service((**services)[i], service_field);
    if (!service) return std::unexpected(service.error());
    if (app.service(service->name))
      return invalid(spec::join(service_field, "name"), "duplicate service name \"" + service->name + "\"");
    app.services.push_back(std::move(*service));
  }
  return app;
}

Json port_to_json(const PortSpec& port) {
  Json out = {{"container", spec::port_json(port.container)}};
  if (!port.host.empty()) out["host"] = spec::port_json(port.host);
  out["protocol"] = port.protocol;
  out["host-ip"] = port.host_ip;
  return out;
}

Json container_to_json(const ContainerSpec& container) {
  Json ports = Json::array();
  for (const auto& port : container.ports) ports.push_back(port_to_json(port));
  return Json{
      {"name", container.name},     {"image", container.image},         {"command", container.command},
      {"env", container.env},       {"ports", std::move(ports)},        {"restart", container.restart},
      {"probes", container.probes}, {"resources", container.resources}, {"mounts", container.mounts}};
}

Json service_to_json(const ServiceSpec& service) {
  Json out = {{"name", service.name}, {"mode", service.one_per_host ? "one-per-host" : "replicated"}};
  if (!service.one_per_host) out["replicas"] = service.replicas;
  Json containers = Json::array();
  for (const auto& container : service.containers) containers.push_back(container_to_json(container));
  out["containers"] = std::move(containers);
  out["volumes"] = service.volumes;
  return out;
}

}  // namespace

const ServiceSpec* Application::service(std::string_view service_name) const {
  for (const auto& candidate : services)
    if (candidate.name == service_name) return &candidate;
  return nullptr;
}

Result<Application> Application::from_json(const Json& doc) {
  return spec::explained(parse_application(doc));
}

Json Application::to_json() const {
  Json out = {{"kind", "application"}, {"name", name}, {"version", version}};
  Json service_list = Json::array();
  for (const auto& service : services) service_list.push_back(service_to_json(service));
  out["services"] = std::move(service_list);
  return out;
}

}  // namespace outpost
