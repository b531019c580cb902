#pragma once
// The application specification: what to run. See DESIGN.md for the YAML shape. Every field is
// validated strictly at parse time (unknown field, missing field, wrong type, bad name, bad
// value are all 422 with the field path), so what the store holds is always well formed.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.hpp"

namespace outpost {

struct PortSpec {
  // Kept as text: a host port may be a site variable ("${HTTP_PORT}") resolved per site.
  std::string container;        // "8080" or "${VAR}"
  std::string host;             // empty = not published
  std::string protocol = "tcp"; // tcp | udp
  std::string host_ip = "127.0.0.1"; // field "host-ip"; where the published port listens

  bool operator==(const PortSpec&) const = default;
};

struct ContainerSpec {
  std::string name;
  std::string image;
  std::vector<std::string> command;           // empty = image default
  std::map<std::string, std::string> env;
  std::vector<PortSpec> ports;
  std::string restart = "always";             // always | on-failure | never
  Json probes = Json::object();               // validated shape, interpreted by the agent
  Json resources = Json::object();            // {cpus: number, memory: "256Mi"}
  Json mounts = Json::array();                // [{volume, path}]

  bool operator==(const ContainerSpec&) const = default;
};

struct ServiceSpec {
  std::string name;
  int replicas = 1;                           // >= 0
  bool one_per_host = false;                  // `mode: one-per-host`
  std::vector<ContainerSpec> containers;      // >= 1, unique names
  Json volumes = Json::array();

  bool operator==(const ServiceSpec&) const = default;
};

struct Application {
  std::string name;
  std::string version;
  std::vector<ServiceSpec> services;          // >= 1, unique names

  // Accepts the parsed document (from YAML or JSON). `kind` must be "application" if present.
  static Result<Application> from_json(const Json& doc);
  // Canonical form: every field spelled out, so two equal specs serialize identically.
  Json to_json() const;

  // nullptr when the application has no service of that name.
  const ServiceSpec* service(std::string_view service_name) const;

  // Field by field; equal applications serialize identically (to_json is canonical).
  bool operator==(const Application&) const = default;
};

}  // namespace outpost
