#pragma once
// Typed reads of the tower's objects from the store. Writes are composed by handlers as store
// transactions (TxnOp lists) so one request is one atomic write.
#include <optional>
#include <string>
#include <vector>

#include "model/application.hpp"
#include "model/deployment.hpp"
#include "model/desired_state.hpp"
#include "model/site.hpp"
#include "store/store.hpp"

namespace outpost::tower {

template <class T>
struct Stored {
  T value;
  std::int64_t revision = 0;
};

class Repository {
 public:
  explicit Repository(Store& store) : store_(store) {}

  Result<std::optional<Stored<Site>>> site(const std::string& name);
  Result<std::vector<Stored<Site>>> sites();
  Result<std::vector<Stored<Host>>> hosts(const std::string& site);
  Result<std::optional<Stored<Host>>> host(const std::string& site, const std::string& name);
  Result<std::optional<Stored<Application>>> application(const std::string& name, const std::string& version);
  // Every stored version, newest first.
  Result<std::vector<Stored<Application>>> versions(const std::string& name);
  // `version` "*" resolves to the newest.
  Result<std::optional<Stored<Application>>> resolve(const std::string& name, const std::string& version);
  Result<std::optional<Stored<Deployment>>> deployment(const std::string& name);
  Result<std::vector<Stored<Deployment>>> deployments();
  Result<std::optional<Stored<SiteDesired>>> desired(const std::string& site);
  // Raw JSON object with "revision" merged in, or nullopt.
  Result<std::optional<Stored<Json>>> raw(const std::string& key);
  Result<std::vector<Stored<Json>>> raw_list(const std::string& prefix);

  Store& store() { return store_; }

 private:
  Store& store_;
};

// Adds "revision" to an object's JSON for API responses.
Json with_revision(Json object, std::int64_t revision);

}  // namespace outpost::tower
