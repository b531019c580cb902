#pragma once
// The tower's registry of live agent sessions and of what the agents last reported. Lives on the
// tower's io_context thread; nothing here blocks.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/json.hpp"
#include "common/listeners.hpp"

namespace outpost::tower {

// Implemented by an agent session; the hub calls it to push new desired state or to drop it.
class SessionHandle {
 public:
  virtual ~SessionHandle() = default;
  virtual void desired_changed() = 0;
  virtual void close(const std::string& reason) = 0;
};

struct HostConnection {
  bool connected = false;
  std::int64_t since = 0;          // unix seconds of the last connect or disconnect
  std::uint64_t acknowledged = 0;  // desired-state revision the agent checkpointed
};

class SessionHub {
 public:
  explicit SessionHub(const Clock& clock) : clock_(clock) {}

  // A newer session for the same host replaces (closes) the older one.
  void attach(const std::string& site, const std::string& host, std::shared_ptr<SessionHandle> session);
  void detach(const std::string& site, const std::string& host, const SessionHandle* session);
  // Reports count only from the session currently attached for that host: a replaced or
  // closing session cannot overwrite its successor or resurrect a deleted site.
  void acknowledged(const std::string& site, const std::string& host, const SessionHandle* from, std::uint64_t revision);

  HostConnection connection(const std::string& site, const std::string& host) const;
  // `session` is the one attached for the host now (what the report rule above checks).
  bool is_current(const std::string& site, const std::string& host, const SessionHandle* session) const;
  // Pushes the site's new desired state to every connected host of the site.
  void notify_desired(const std::string& site);
  // Closes every session of the site (it was deleted) or of one host.
  void disconnect(const std::string& site, const std::string& host_or_empty, const std::string& reason);

  // Latest instance reports, by host. Items are normalised to the documented fields and types
  // (an agent's report is untrusted input) and stamped with site and host.
  void set_instances(const std::string& site, const std::string& host, const SessionHandle* from, const Json& instances);
  Json instances(const std::string& site) const;  // array over every host of the site
  // Per-application health as each host last reported it (same rules as instances).
  void set_apps(const std::string& site, const std::string& host, const SessionHandle* from, const Json& apps);
  Json apps(const std::string& site) const;
  // Conditions on the host a person should know about (protocol.md "status"), as last reported:
  // kept after the host disconnects, replaced by its next report, gone with its site. At most
  // max_problems strings of at most max_problem_text bytes; anything else in the report is dropped.
  void set_problems(const std::string& site, const std::string& host, const SessionHandle* from, const Json& problems);
  std::vector<std::string> problems(const std::string& site, const std::string& host) const;
  static constexpr std::size_t max_problems = 10;
  static constexpr std::size_t max_problem_text = 500;
  // Every one of `hosts` holds a session now (false for a site without hosts).
  bool site_connected(const std::string& site, const std::vector<std::string>& hosts) const;
  void forget_site(const std::string& site);

  // Told the site's name whenever anything a rollout looks at changes there (connections,
  // acknowledgements, reports), so a controller need only look again at the sites named.
  std::uint64_t subscribe(std::function<void(const std::string& site)> listener) { return listeners_.add(std::move(listener)); }
  void unsubscribe(std::uint64_t id) { listeners_.remove(id); }

 private:
  struct HostEntry {
    HostConnection connection;
    std::shared_ptr<SessionHandle> session;
    Json instances = Json::array();
    Json apps = Json::array();
    std::vector<std::string> problems;
  };
  HostEntry* current(const std::string& site, const std::string& host, const SessionHandle* from);
  const HostEntry* entry(const std::string& site, const std::string& host) const;
  const Clock& clock_;
  std::map<std::string, std::map<std::string, HostEntry>> sites_;
  Listeners<std::string> listeners_;
};

}  // namespace outpost::tower
