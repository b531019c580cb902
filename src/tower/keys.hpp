#pragma once
// The store's key layout, in one place.
#include <fmt/format.h>

#include <cstdint>
#include <string>

namespace outpost::tower::keys {

inline std::string site(const std::string& name) { return "/sites/" + name; }
inline const std::string sites_prefix = "/sites/";
inline std::string host(const std::string& site, const std::string& host) { return "/hosts/" + site + "/" + host; }
inline std::string hosts_of(const std::string& site) { return "/hosts/" + site + "/"; }
inline const std::string hosts_prefix = "/hosts/";
inline std::string token(const std::string& id) { return "/tokens/" + id; }
inline const std::string tokens_prefix = "/tokens/";
inline std::string application(const std::string& name, const std::string& version) {
  return "/applications/" + name + "/" + version;
}
inline std::string versions_of(const std::string& name) { return "/applications/" + name + "/"; }
inline const std::string applications_prefix = "/applications/";
inline std::string deployment(const std::string& name) { return "/deployments/" + name; }
inline const std::string deployments_prefix = "/deployments/";
inline std::string desired(const std::string& site) { return "/desired/" + site; }
inline const std::string desired_prefix = "/desired/";
inline std::string status(const std::string& site, const std::string& host) { return "/status/" + site + "/" + host; }
inline std::string status_of(const std::string& site) { return "/status/" + site + "/"; }
inline const std::string status_prefix = "/status/";
inline std::string rollout(const std::string& deployment) { return "/rollouts/" + deployment; }
inline std::string rollout_sites(const std::string& deployment) { return "/rollouts/" + deployment + "/sites/"; }
inline std::string rollout_site(const std::string& deployment, const std::string& site) {
  return rollout_sites(deployment) + site;
}
inline const std::string rollouts_prefix = "/rollouts/";
// A host's events (site_events.hpp): where its agent's journal stands, and one key per event,
// numbered by the tower in the order stored and zero-padded so that keys sort by that number.
inline std::string events_of(const std::string& site) { return "/events/" + site + "/"; }
inline std::string events_of(const std::string& site, const std::string& host) { return "/events/" + site + "/" + host + "/"; }
inline std::string events_journal(const std::string& site, const std::string& host) { return events_of(site, host) + "journal"; }
inline std::string event_numbers(const std::string& site, const std::string& host) { return events_of(site, host) + "e/"; }
inline std::string event(const std::string& site, const std::string& host, std::uint64_t number) {
  return fmt::format("{}{:020}", event_numbers(site, host), number);
}
// The single record of all a host's events that towers before per-event keys wrote.
inline std::string events_record(const std::string& site, const std::string& host) { return "/events/" + site + "/" + host; }
inline const std::string events_prefix = "/events/";

}  // namespace outpost::tower::keys
