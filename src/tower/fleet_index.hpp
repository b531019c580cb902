#pragma once
// The sites and hosts of the store, held in memory and kept current by store watches. The
// controllers that visit every site (placement, rollouts) read them here: at 10,000 sites a
// pass that read and parsed every site and listed every site's hosts from the store cost more
// than the pass itself, and it ran on every change.
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/listeners.hpp"
#include "model/site.hpp"
#include "store/store.hpp"

namespace outpost::tower {

class FleetIndex {
 public:
  struct SiteEntry {
    Site site;
    Labels labels;  // site.effective_labels(), computed once per change
    std::int64_t revision = 0;
  };
  // Told the names of the sites whose record or host list changed (added, modified, removed).
  using Listener = Listeners<std::set<std::string>>::Callback;

  explicit FleetIndex(Store& store) : store_(store) {}
  ~FleetIndex();
  FleetIndex(const FleetIndex&) = delete;
  FleetIndex& operator=(const FleetIndex&) = delete;

  // Watches, then loads what the store holds.
  Status start();
  std::uint64_t subscribe(Listener listener) { return listeners_.add(std::move(listener)); }
  void unsubscribe(std::uint64_t id) { listeners_.remove(id); }

  const std::map<std::string, SiteEntry>& sites() const { return sites_; }
  const SiteEntry* site(const std::string& name) const;
  // The names of the site's enrolled hosts, sorted; empty for an unknown site.
  const std::vector<std::string>& hosts(const std::string& site) const;

 private:
  void on_sites(const std::vector<WatchEvent>& events);
  void on_hosts(const std::vector<WatchEvent>& events);
  // Returns whether the index changed.
  bool put_site(const KeyValue& kv);
  bool add_host(const std::string& site, const std::string& host);
  bool remove_host(const std::string& site, const std::string& host);
  void tell(const std::set<std::string>& changed);

  Store& store_;
  std::map<std::string, SiteEntry> sites_;
  std::map<std::string, std::vector<std::string>> hosts_;  // may hold a site not (yet) in sites_
  std::vector<Store::WatchId> watches_;
  Listeners<std::set<std::string>> listeners_;
};

}  // namespace outpost::tower
