#include "tower/session_hub.hpp"

#include "tower/instance_report.hpp"
#include "common/text.hpp"

namespace outpost::tower {

void SessionHub::attach(const std::string& site, const std::string& host, std::shared_ptr<SessionHandle> session) {
  auto& entry = sites_[site][host];
  if (entry.session && entry.session != session) entry.session->close("replaced by a newer session of the same host");
  entry.session = std::move(session);
  entry.connection.connected = true;
  entry.connection.since = unix_seconds(clock_.now());
  listeners_.tell(site);
}

void SessionHub::detach(const std::string& site, const std::string& host, const SessionHandle* session) {
  auto site_it = sites_.find(site);
  if (site_it == sites_.end()) return;
  auto host_it = site_it->second.find(host);
  if (host_it == site_it->second.end() || host_it->second.session.get() != session) return;
  host_it->second.session.reset();
  host_it->second.connection.connected = false;
  host_it->second.connection.since = unix_seconds(clock_.now());
  listeners_.tell(site);
}

SessionHub::HostEntry* SessionHub::current(const std::string& site, const std::string& host, const SessionHandle* from) {
  auto site_it = sites_.find(site);
  if (site_it == sites_.end()) return nullptr;
  auto host_it = site_it->second.find(host);
  if (host_it == site_it->second.end() || host_it->second.session.get() != from) return nullptr;
  return &host_it->second;
}

void SessionHub::acknowledged(const std::string& site, const std::string& host, const SessionHandle* from,
                              std::uint64_t revision) {
  auto* entry = current(site, host, from);
  if (!entry || entry->connection.acknowledged == revision) return;
  entry->connection.acknowledged = revision;
  listeners_.tell(site);
}

const SessionHub::HostEntry* SessionHub::entry(const std::string& site, const std::string& host) const {
  auto site_it = sites_.find(site);
  if (site_it == sites_.end()) return nullptr;
  auto host_it = site_it->second.find(host);
  return host_it == site_it->second.end() ? nullptr : &host_it->second;
}

HostConnection SessionHub::connection(const std::string& site, const std::string& host) const {
  const auto* found = entry(site, host);
  return found ? found->connection : HostConnection{};
}

bool SessionHub::is_current(const std::string& site, const std::string& host, const SessionHandle* session) const {
  const auto* found = entry(site, host);
  return found && session && found->session.get() == session;
}

void SessionHub::notify_desired(const std::string& site) {
  auto site_it = sites_.find(site);
  if (site_it == sites_.end()) return;
  for (auto& [host, entry] : site_it->second)
    if (entry.session) entry.session->desired_changed();
}

void SessionHub::disconnect(const std::string& site, const std::string& host_or_empty, const std::string& reason) {
  auto site_it = sites_.find(site);
  if (site_it == sites_.end()) return;
  for (auto& [host, entry] : site_it->second) {
    if (!host_or_empty.empty() && host != host_or_empty) continue;
    if (entry.session) entry.session->close(reason);
  }
}

void SessionHub::set_instances(const std::string& site, const std::string& host, const SessionHandle* from,
                               const Json& instances) {
  auto* entry = current(site, host, from);
  if (!entry) return;
  Json normalised = Json::array();
  for (const auto& item : instances)
    if (item.is_object()) normalised.push_back(normalise_instance(site, host, item));
  if (normalised == entry->instances) return;
  entry->instances = std::move(normalised);
  listeners_.tell(site);
}

void SessionHub::set_apps(const std::string& site, const std::string& host, const SessionHandle* from, const Json& apps) {
  auto* entry = current(site, host, from);
  if (!entry) return;
  Json normalised = Json::array();
  for (const auto& item : apps)
    if (item.is_object()) normalised.push_back(normalise_app_health(site, host, item));
  if (normalised == entry->apps) return;
  entry->apps = std::move(normalised);
  listeners_.tell(site);
}

void SessionHub::set_problems(const std::string& site, const std::string& host, const SessionHandle* from,
                              const Json& problems) {
  auto* entry = current(site, host, from);
  if (!entry) return;
  std::vector<std::string> normalised;
  if (problems.is_array()) {
    for (const auto& item : problems) {
      if (normalised.size() == max_problems) break;
      if (item.is_string() && !item.get_ref<const std::string&>().empty())
        normalised.push_back(bounded_text(item.get<std::string>(), max_problem_text));
    }
  }
  entry->problems = std::move(normalised);
}

std::vector<std::string> SessionHub::problems(const std::string& site, const std::string& host) const {
  const auto* found = entry(site, host);
  return found ? found->problems : std::vector<std::string>{};
}

Json SessionHub::apps(const std::string& site) const {
  Json out = Json::array();
  auto site_it = sites_.find(site);
  if (site_it == sites_.end()) return out;
  for (const auto& [host, entry] : site_it->second)
    for (const auto& item : entry.apps) out.push_back(item);
  return out;
}

bool SessionHub::site_connected(const std::string& site, const std::vector<std::string>& hosts) const {
  if (hosts.empty()) return false;
  for (const auto& host : hosts)
    if (!connection(site, host).connected) return false;
  return true;
}

Json SessionHub::instances(const std::string& site) const {
  Json out = Json::array();
  auto site_it = sites_.find(site);
  if (site_it == sites_.end()) return out;
  for (const auto& [host, entry] : site_it->second)
    for (const auto& item : entry.instances) out.push_back(item);
  return out;
}

void SessionHub::forget_site(const std::string& site) {
  disconnect(site, "", "site deleted");
  sites_.erase(site);
  listeners_.tell(site);
}

}  // namespace outpost::tower
