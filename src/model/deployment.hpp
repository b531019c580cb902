#pragma once
// The deployment specification: where (placement expression over site labels) and which version
// of an application runs. `version: "*"` follows the newest stored version.
#include <string>

#include "common/json.hpp"
#include "model/label_expr.hpp"

namespace outpost {

struct Deployment {
  std::string name;
  std::string application;
  std::string version = "*";
  LabelExpr placement = LabelExpr::match_all();  // field placement.sites
  Json rollout = Json::object();                 // validated shape; used by the rollout engine

  static Result<Deployment> from_json(const Json& doc);
  Json to_json() const;
};

}  // namespace outpost
