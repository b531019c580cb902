#include "cli/resource_tables.hpp"

#include "cli/cell_text.hpp"

namespace outpost::cli {
namespace {

std::string versions_count(const Json& application) {
  const auto it = application.find("versions");
  return it != application.end() && it->is_array() ? std::to_string(it->size()) : std::string(kNone);
}

std::string placement_text(const Json& deployment) {
  const auto placement = deployment.find("placement");
  if (placement == deployment.end() || !placement->is_object()) return kNone;
  return cell(*placement, "sites");
}

std::string labels_cell(const Json& object) {
  const auto it = object.find("labels");
  return it == object.end() ? std::string(kNone) : key_values_text(*it);
}

}  // namespace

std::string service_names(const Json& application) {
  const auto services = application.find("services");
  if (services == application.end() || !services->is_array() || services->empty()) return kNone;
  std::string names;
  for (const auto& service : *services) {
    if (!names.empty()) names += ',';
    names += cell(service, "name");
  }
  return names;
}

Table sites_table(const std::vector<Json>& sites) {
  Table table{{"name", "labels", "hosts", "connected", "connection", "alert"}, {}};
  for (const auto& site : sites) {
    const Json connection = site.value("connection", Json::object());
    table.rows.push_back({cell(site, "name"), labels_cell(site), std::to_string(host_count(site)),
                          connected_hosts_text(site), cell(connection, "state"), cell(connection, "alert")});
  }
  return table;
}

Table applications_table(const std::vector<Json>& applications) {
  Table table{{"name", "version", "versions", "services"}, {}};
  for (const auto& application : applications) {
    table.rows.push_back({cell(application, "name"), cell(application, "version"), versions_count(application),
                          service_names(application)});
  }
  return table;
}

Table versions_table(const std::vector<Json>& versions) {
  Table table{{"name", "version", "services"}, {}};
  for (const auto& version : versions) {
    table.rows.push_back({cell(version, "name"), cell(version, "version"), service_names(version)});
  }
  return table;
}

Table deployments_table(const std::vector<Json>& deployments) {
  Table table{{"name", "application", "version", "placement"}, {}};
  for (const auto& deployment : deployments) {
    table.rows.push_back({cell(deployment, "name"), cell(deployment, "application"), cell(deployment, "version"),
                          placement_text(deployment)});
  }
  return table;
}

Table hosts_table(const std::vector<Json>& hosts) {
  Table table{{"site", "name", "connected", "since", "revision", "labels"}, {}};
  for (const auto& host : hosts) {
    table.rows.push_back({cell(host, "site"), cell(host, "name"), yes_no_cell(host, "connected"),
                          time_cell(host, "since"), cell(host, "revision"), labels_cell(host)});
  }
  return table;
}

Table instances_table(const std::vector<Json>& instances) {
  Table table{{"site", "host", "app", "version", "instance", "container", "state", "health", "restarts", "message"}, {}};
  for (const auto& instance : instances) {
    table.rows.push_back({cell(instance, "site"), cell(instance, "host"), cell(instance, "app"),
                          cell(instance, "version"), cell(instance, "instance"), cell(instance, "container"),
                          cell(instance, "state"), cell(instance, "health"), cell(instance, "restarts"),
                          instance_note(instance)});
  }
  return table;
}

Table table_for(Kind kind, const std::vector<Json>& items) {
  switch (kind) {
    case Kind::site: return sites_table(items);
    case Kind::application: return applications_table(items);
    case Kind::deployment: return deployments_table(items);
    case Kind::instance: return instances_table(items);
    case Kind::host: return hosts_table(items);
    case Kind::version: return versions_table(items);
  }
  return {};
}

}  // namespace outpost::cli
