#pragma once
// A site is a place with one or a few hosts. The site provider names it, labels it and may give
// it variables (substituted as ${KEY} in env, command and ports of the applications it runs) and
// an upgrade window (when rollouts may upgrade it, on its own local time).
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/json.hpp"
#include "model/label_expr.hpp"
#include "model/upgrade_window.hpp"

namespace outpost {

struct Site {
  std::string name;
  Labels labels;                          // user labels; `name` is added by effective_labels()
  std::map<std::string, std::string> vars;
  std::optional<UpgradeWindow> upgrade_window;  // none = upgrades any time
  // How a disconnect of this site is raised: "normal" (a warning), "expected" (not at all: a
  // site that is often offline by design) or "error".
  std::string when_disconnected = "normal";

  // User labels plus the built-ins (`name`, `tenant` once tenants exist).
  Labels effective_labels() const;

  // Strict: unknown fields, wrong types, invalid names/keys/values are 422 with the field.
  // Accepted fields: name (required), labels, vars, upgrade-window; "kind: site" is accepted
  // and ignored.
  static Result<Site> from_json(const Json& doc);
  Json to_json() const;  // {"name","labels","vars"} and "upgrade-window" when set
};

// A host is one machine of a site, created by enrollment.
struct Host {
  std::string site;
  std::string name;
  std::string certificate_serial;
  std::int64_t enrolled_at = 0;  // unix seconds
  Labels labels;                 // discovered by the agent (arch, os, cpus, memory)

  static Result<Host> from_json(const Json& doc);
  Json to_json() const;
};

}  // namespace outpost
