#pragma once
// The deployment specification: where (placement expression over site labels) and which version
// of an application runs. `version: "*"` follows the newest stored version.
#include <chrono>
#include <optional>
#include <string>

#include "common/json.hpp"
#include "model/label_expr.hpp"

namespace outpost {

// The `rollout` section, typed, with the defaults that its canonical JSON spells out:
//   canary: {sites: EXPR, healthy-for: D}   optional; healthy-for defaults to the top-level one
//   sites-in-parallel: 1   healthy-for: 30s   max-failed-sites: 0   on-failure: pause
//   site-deadline: 10m  (written out only when not the default, so older canonical JSON is unchanged)
struct RolloutPolicy {
  struct Canary {
    LabelExpr sites;
    std::chrono::milliseconds healthy_for{0};
  };
  std::optional<Canary> canary;
  int sites_in_parallel = 1;
  std::chrono::milliseconds healthy_for = std::chrono::seconds(30);
  int max_failed_sites = 0;
  bool rollback_on_failure = false;  // on-failure: rollback | pause
  // A site told to upgrade that is not healthy within this long counts as failed.
  std::chrono::milliseconds site_deadline = std::chrono::minutes(10);

  // `field` prefixes error paths ("rollout.canary.sites").
  static Result<RolloutPolicy> from_json(const Json& rollout, const std::string& field = "rollout");
  Json to_json() const;
};

struct Deployment {
  std::string name;
  std::string application;
  std::string version = "*";
  LabelExpr placement = LabelExpr::match_all();  // field placement.sites
  Json rollout = Json::object();                 // canonical RolloutPolicy JSON

  static Result<Deployment> from_json(const Json& doc);
  Json to_json() const;

  // The typed view of `rollout` (which from_json validated).
  RolloutPolicy rollout_policy() const;
};

}  // namespace outpost
