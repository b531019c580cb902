#include "cli/describe_views.hpp"

#include <algorithm>
#include <sstream>

#include "cli/cell_text.hpp"
#include "cli/resource_tables.hpp"
#include "cli/table.hpp"

namespace outpost::cli {
namespace {

constexpr const char* kIndent = "  ";

std::vector<Json> array_member(const Json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_array()) return {};
  return it->get<std::vector<Json>>();
}

const Json& object_member(const Json& object, const char* key) {
  static const Json kEmpty = Json::object();
  const auto it = object.find(key);
  return it != object.end() && it->is_object() ? *it : kEmpty;
}

// "Name:" padded so that the values of one view line up.
void field(std::ostream& out, const std::string& label, const std::string& value) {
  constexpr std::size_t kLabelWidth = 14;
  std::string padded = label + ":";
  if (padded.size() < kLabelWidth) padded.append(kLabelWidth - padded.size(), ' ');
  out << padded << ' ' << value << '\n';
}

// A table indented under a heading, or "<heading> <none>" when it has no rows.
void section(std::ostream& out, const std::string& heading, const Table& table) {
  if (table.rows.empty()) {
    field(out, heading, kNone);
    return;
  }
  out << heading << ":\n" << render_table(table, kIndent);
}

std::string joined(const std::vector<Json>& values, const char* separator) {
  std::string text;
  for (const auto& value : values) {
    if (!text.empty()) text += separator;
    text += value.is_string() ? value.get<std::string>() : value.dump();
  }
  return text.empty() ? std::string(kNone) : text;
}

// 8080:80/tcp (host:container/protocol), or 80/tcp when not published.
std::string ports_text(const Json& container) {
  std::string text;
  for (const auto& port : array_member(container, "ports")) {
    if (!text.empty()) text += ',';
    const std::string host = cell(port, "host");
    if (host != kNone) text += host + ":";
    text += cell(port, "container");
    const std::string protocol = cell(port, "protocol");
    text += "/" + (protocol == kNone ? std::string("tcp") : protocol);
  }
  return text.empty() ? std::string(kNone) : text;
}

std::string service_scale(const Json& service) {
  const std::string mode = cell(service, "mode");
  if (mode != kNone) return "mode: " + mode;
  const std::string replicas = cell(service, "replicas");
  return "replicas: " + (replicas == kNone ? std::string("1") : replicas);
}

std::string connected_text(const Json& object) {
  const auto it = object.find("connected");
  if (it != object.end() && it->is_boolean()) return it->get<bool>() ? "yes" : "no";
  return cell(object, "connected");
}

}  // namespace

std::string describe_site(const Json& site, const std::vector<Json>& instances) {
  std::ostringstream out;
  field(out, "Name", cell(site, "name"));
  field(out, "Labels", key_values_text(object_member(site, "labels")));
  field(out, "Vars", key_values_text(object_member(site, "vars")));
  field(out, "Revision", cell(site, "revision"));
  field(out, "Connected", connected_hosts_text(site));

  Table hosts{{"name", "connected", "since", "revision"}, {}};
  for (const auto& host : array_member(site, "hosts")) {
    hosts.rows.push_back({cell(host, "name"), yes_no_cell(host, "connected"), time_cell(host, "since"),
                          cell(host, "revision")});
  }
  section(out, "Hosts", hosts);
  // Only when there are some: a healthy site's view stays as short as before.
  std::string problems;
  for (const auto& host : array_member(site, "hosts")) {
    for (const auto& problem : array_member(host, "problems")) {
      if (!problem.is_string()) continue;
      std::string text = problem.get<std::string>();
      std::replace_if(text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
      problems += std::string(kIndent) + cell(host, "name") + ": " + text + '\n';
    }
  }
  if (!problems.empty()) out << "Problems:\n" << problems;

  Table rows{{"host", "app", "version", "instance", "container", "state", "health", "restarts", "message"}, {}};
  for (const auto& instance : instances) {
    rows.rows.push_back({cell(instance, "host"), cell(instance, "app"), cell(instance, "version"),
                         cell(instance, "instance"), cell(instance, "container"), cell(instance, "state"),
                         cell(instance, "health"), cell(instance, "restarts"), instance_note(instance)});
  }
  section(out, "Instances", rows);
  return out.str();
}

std::string describe_application(const Json& application) {
  std::ostringstream out;
  field(out, "Name", cell(application, "name"));
  field(out, "Version", cell(application, "version"));
  field(out, "Versions", joined(array_member(application, "versions"), ", "));
  field(out, "Revision", cell(application, "revision"));
  const auto services = array_member(application, "services");
  if (services.empty()) {
    field(out, "Services", kNone);
    return out.str();
  }
  out << "Services:\n";
  for (const auto& service : services) {
    out << kIndent << cell(service, "name") << " (" << service_scale(service) << ")\n";
    Table containers{{"container", "image", "ports"}, {}};
    for (const auto& container : array_member(service, "containers")) {
      containers.rows.push_back({cell(container, "name"), cell(container, "image"), ports_text(container)});
    }
    out << render_table(containers, std::string(kIndent) + kIndent);
  }
  return out.str();
}

std::string describe_deployment(const Json& deployment, const Json& status) {
  std::ostringstream out;
  field(out, "Name", cell(deployment, "name"));
  field(out, "Application", cell(deployment, "application"));
  field(out, "Version", cell(deployment, "version"));
  const std::string resolved = cell(status, "version");
  if (resolved != kNone && resolved != cell(deployment, "version")) field(out, "Resolved", resolved);
  field(out, "Placement", cell(object_member(deployment, "placement"), "sites"));
  field(out, "Rollout", key_values_text(object_member(deployment, "rollout")));
  field(out, "Revision", cell(deployment, "revision"));

  const auto sites = array_member(status, "sites");
  if (sites.empty()) {
    field(out, "Sites", kNone);
    return out.str();
  }
  Table site_rows{{"site", "connected", "version", "state"}, {}};
  for (const auto& site : sites) {
    site_rows.rows.push_back({cell(site, "site"), connected_text(site), cell(site, "version"), cell(site, "state")});
  }
  // The site table is rendered whole (so its columns align) and each site's instances are
  // slotted in beneath its row.
  std::istringstream site_lines(render_table(site_rows, kIndent));
  std::string line;
  std::getline(site_lines, line);
  out << "Sites:\n" << line << '\n';
  const std::string instance_indent = std::string(kIndent) + kIndent + kIndent;
  for (const auto& site : sites) {
    std::getline(site_lines, line);
    out << line << '\n';
    Table instances{{"instance", "container", "state", "health", "restarts", "message"}, {}};
    for (const auto& instance : array_member(site, "instances")) {
      instances.rows.push_back({cell(instance, "instance"), cell(instance, "container"), cell(instance, "state"),
                                cell(instance, "health"), cell(instance, "restarts"), instance_note(instance)});
    }
    if (!instances.rows.empty()) out << render_table(instances, instance_indent);
  }
  return out.str();
}

}  // namespace outpost::cli
