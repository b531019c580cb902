#pragma once
// The `get` tables, one per kind, built from the objects the tower returns (docs/api.md "Shapes").
#include <vector>

#include "cli/kinds.hpp"
#include "cli/table.hpp"
#include "common/json.hpp"

namespace outpost::cli {

Table sites_table(const std::vector<Json>& sites);                // NAME LABELS HOSTS CONNECTED
Table applications_table(const std::vector<Json>& applications);  // NAME VERSION VERSIONS SERVICES
Table versions_table(const std::vector<Json>& versions);          // NAME VERSION SERVICES
Table deployments_table(const std::vector<Json>& deployments);    // NAME APPLICATION VERSION PLACEMENT
Table hosts_table(const std::vector<Json>& hosts);        // SITE NAME CONNECTED SINCE REVISION LABELS
Table instances_table(const std::vector<Json>& instances);
// SITE HOST APP VERSION INSTANCE CONTAINER STATE MESSAGE

Table table_for(Kind kind, const std::vector<Json>& items);

// "api,worker": the service names of an application spec.
std::string service_names(const Json& application);

}  // namespace outpost::cli
