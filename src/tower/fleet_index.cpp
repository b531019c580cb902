#include "tower/fleet_index.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "tower/keys.hpp"

namespace outpost::tower {

namespace {

// "/hosts/SITE/HOST" → {SITE, HOST}; empty names when the key has another shape.
std::pair<std::string, std::string> host_key_parts(const std::string& key) {
  const std::string rest = key.substr(keys::hosts_prefix.size());
  const auto slash = rest.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == rest.size()) return {};
  return {rest.substr(0, slash), rest.substr(slash + 1)};
}

}  // namespace

FleetIndex::~FleetIndex() {
  for (auto id : watches_) store_.unwatch(id);
}

Status FleetIndex::start() {
  // Watching first means no write falls between the load and the watch; an event for a write
  // the load already saw is recognised by its revision and changes nothing.
  watches_.push_back(store_.watch(keys::sites_prefix, [this](const std::vector<WatchEvent>& events) { on_sites(events); }));
  watches_.push_back(store_.watch(keys::hosts_prefix, [this](const std::vector<WatchEvent>& events) { on_hosts(events); }));
  auto sites = store_.list(keys::sites_prefix);
  if (!sites) return std::unexpected(sites.error());
  for (const auto& kv : sites->items) put_site(kv);
  auto hosts = store_.list(keys::hosts_prefix);
  if (!hosts) return std::unexpected(hosts.error());
  for (const auto& kv : hosts->items) {
    auto [site, host] = host_key_parts(kv.key);
    if (!site.empty()) add_host(site, host);
  }
  return {};
}

const FleetIndex::SiteEntry* FleetIndex::site(const std::string& name) const {
  auto it = sites_.find(name);
  return it == sites_.end() ? nullptr : &it->second;
}

const std::vector<std::string>& FleetIndex::hosts(const std::string& site) const {
  static const std::vector<std::string> none;
  auto it = hosts_.find(site);
  return it == hosts_.end() ? none : it->second;
}

bool FleetIndex::put_site(const KeyValue& kv) {
  const std::string name = kv.key.substr(keys::sites_prefix.size());
  auto known = sites_.find(name);
  if (known != sites_.end() && known->second.revision >= kv.mod_revision) return false;
  auto site = Site::from_json(Json::parse(kv.value, nullptr, false));
  if (!site) {
    // Stored sites were validated on the way in; one that does not parse is left out rather
    // than stopping every controller.
    spdlog::error("stored site {} is invalid and is left out of placement: {}", name, site.error().message);
    return false;
  }
  Labels labels = site->effective_labels();
  sites_.insert_or_assign(name, SiteEntry{std::move(*site), std::move(labels), kv.mod_revision});
  return true;
}

bool FleetIndex::add_host(const std::string& site, const std::string& host) {
  auto& names = hosts_[site];
  auto at = std::lower_bound(names.begin(), names.end(), host);
  if (at != names.end() && *at == host) return false;
  names.insert(at, host);
  return true;
}

bool FleetIndex::remove_host(const std::string& site, const std::string& host) {
  auto it = hosts_.find(site);
  if (it == hosts_.end()) return false;
  auto& names = it->second;
  auto at = std::lower_bound(names.begin(), names.end(), host);
  if (at == names.end() || *at != host) return false;
  names.erase(at);
  if (names.empty()) hosts_.erase(it);
  return true;
}

void FleetIndex::on_sites(const std::vector<WatchEvent>& events) {
  std::set<std::string> changed;
  for (const auto& event : events) {
    const std::string name = event.kv.key.substr(keys::sites_prefix.size());
    if (event.type == WatchEvent::Type::put) {
      if (put_site(event.kv)) changed.insert(name);
    } else if (sites_.erase(name) > 0) {
      changed.insert(name);
    }
  }
  tell(changed);
}

void FleetIndex::on_hosts(const std::vector<WatchEvent>& events) {
  std::set<std::string> changed;
  for (const auto& event : events) {
    auto [site, host] = host_key_parts(event.kv.key);
    if (site.empty()) continue;
    const bool did = event.type == WatchEvent::Type::put ? add_host(site, host) : remove_host(site, host);
    if (did) changed.insert(site);
  }
  tell(changed);
}

void FleetIndex::tell(const std::set<std::string>& changed) {
  if (!changed.empty()) listeners_.tell(changed);
}

}  // namespace outpost::tower
