#pragma once
// The store's key layout, in one place.
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
inline std::string events(const std::string& site, const std::string& host) { return "/events/" + site + "/" + host; }
inline std::string events_of(const std::string& site) { return "/events/" + site + "/"; }
inline const std::string events_prefix = "/events/";

}  // namespace outpost::tower::keys
