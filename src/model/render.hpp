#pragma once
// Rendering turns a site's desired state into the concrete containers one host must run:
// variables substituted, ports resolved to numbers, engine names and ownership labels set and a
// hash of everything that defines the container (the spec hash) computed.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "model/desired_state.hpp"

namespace outpost {

// Replaces ${KEY} with vars[KEY]. "$$" is a literal "$". An unknown variable or an unclosed
// "${" is an error naming the variable.
Result<std::string> substitute(std::string_view text, const std::map<std::string, std::string>& vars);

// The variable names `text` refers to, in order of appearance, with the same syntax rules as
// substitute(): lets a spec be checked for well-formed ${...} before any site's vars are known.
Result<std::vector<std::string>> referenced_variables(std::string_view text);

struct PublishedPort {
  int container = 0;
  int host = 0;
  std::string protocol = "tcp";
  std::string host_ip = "127.0.0.1";
  bool operator==(const PublishedPort&) const = default;
};

// Label keys the agent puts on every container it owns.
namespace labels {
inline constexpr std::string_view site = "outpost.site";
inline constexpr std::string_view host = "outpost.host";
inline constexpr std::string_view app = "outpost.app";
inline constexpr std::string_view version = "outpost.version";
inline constexpr std::string_view service = "outpost.service";
inline constexpr std::string_view instance = "outpost.instance";
inline constexpr std::string_view container = "outpost.container";
inline constexpr std::string_view spec_hash = "outpost.spec-hash";
}  // namespace labels

struct PlannedContainer {
  std::string site, host, app, version, service, instance, container;
  std::string name;  // engine name: "outpost-<site>-<host>-<app>-<instance>-<container>"
  std::string image;
  std::vector<std::string> command;
  std::vector<std::string> env;  // "KEY=VALUE", sorted by key
  std::vector<PublishedPort> ports;
  std::string restart;  // always | on-failure | never
  // The container's probes with their ports resolved to numbers. Not part of the spec hash:
  // changing how health is judged does not restart what runs.
  Json probes = Json::object();
  std::map<std::string, std::string> labels;  // the outpost.* labels above
  // sha256 hex over the canonical JSON of image, command, env, ports and restart: what the
  // engine would run. Identity fields are in the name already; a new version whose containers
  // are unchanged keeps them running.
  std::string spec_hash;
};

struct RenderError {
  std::string app;
  std::string instance;
  Error error;
};

struct HostPlan {
  std::vector<PlannedContainer> containers;
  std::vector<RenderError> errors;  // an app that fails to render does not block the others
};

// Variables available: the site's vars, SYS_SITE, SYS_HOST, SYS_APP, SYS_SERVICE, SYS_VERSION,
// SYS_INSTANCE (SYS_TENANT when tenants exist).
HostPlan render_host(const SiteDesired& desired, const std::string& host);

}  // namespace outpost
