#include "tower/repository.hpp"

#include <algorithm>

#include "model/version.hpp"
#include "tower/keys.hpp"

namespace outpost::tower {

namespace {

// Stored objects were validated on the way in, so a parse failure here means the store was
// damaged or written by an incompatible version: an internal error, not the caller's fault.
template <class T>
Result<Stored<T>> decode(const KeyValue& kv) {
  Json doc;
  try {
    doc = Json::parse(kv.value);
  } catch (const std::exception& e) {
    return internal_error("stored object " + kv.key + " is not JSON: " + e.what());
  }
  if constexpr (std::is_same_v<T, Json>) {
    return Stored<Json>{std::move(doc), kv.mod_revision};
  } else {
    auto value = T::from_json(doc);
    if (!value) return internal_error("stored object " + kv.key + " is invalid: " + value.error().message);
    return Stored<T>{std::move(*value), kv.mod_revision};
  }
}

template <class T>
Result<std::optional<Stored<T>>> load(Store& store, const std::string& key) {
  auto kv = store.get(key);
  if (!kv) return std::unexpected(kv.error());
  if (!*kv) return std::optional<Stored<T>>{};
  auto value = decode<T>(**kv);
  if (!value) return std::unexpected(value.error());
  return std::optional<Stored<T>>{std::move(*value)};
}

template <class T>
Result<std::vector<Stored<T>>> load_all(Store& store, const std::string& prefix) {
  auto page = store.list(prefix);
  if (!page) return std::unexpected(page.error());
  std::vector<Stored<T>> out;
  out.reserve(page->items.size());
  for (const auto& kv : page->items) {
    auto value = decode<T>(kv);
    if (!value) return std::unexpected(value.error());
    out.push_back(std::move(*value));
  }
  return out;
}

}  // namespace

Result<std::optional<Stored<Site>>> Repository::site(const std::string& name) {
  return load<Site>(store_, keys::site(name));
}
Result<std::vector<Stored<Site>>> Repository::sites() { return load_all<Site>(store_, keys::sites_prefix); }
Result<std::vector<Stored<Host>>> Repository::hosts(const std::string& site) {
  return load_all<Host>(store_, keys::hosts_of(site));
}
Result<std::optional<Stored<Host>>> Repository::host(const std::string& site, const std::string& name) {
  return load<Host>(store_, keys::host(site, name));
}
Result<std::optional<Stored<Application>>> Repository::application(const std::string& name,
                                                                   const std::string& version) {
  return load<Application>(store_, keys::application(name, version));
}

Result<std::vector<Stored<Application>>> Repository::versions(const std::string& name) {
  auto all = load_all<Application>(store_, keys::versions_of(name));
  if (!all) return all;
  std::sort(all->begin(), all->end(), [](const auto& a, const auto& b) {
    return compare_versions(a.value.version, b.value.version) > 0;
  });
  return all;
}

Result<std::optional<Stored<Application>>> Repository::resolve(const std::string& name,
                                                               const std::string& version) {
  if (version != "*") return application(name, version);
  auto all = versions(name);
  if (!all) return std::unexpected(all.error());
  if (all->empty()) return std::optional<Stored<Application>>{};
  return std::optional<Stored<Application>>{std::move(all->front())};
}

Result<std::optional<Stored<Deployment>>> Repository::deployment(const std::string& name) {
  return load<Deployment>(store_, keys::deployment(name));
}
Result<std::vector<Stored<Deployment>>> Repository::deployments() {
  return load_all<Deployment>(store_, keys::deployments_prefix);
}
Result<std::optional<Stored<SiteDesired>>> Repository::desired(const std::string& site) {
  return load<SiteDesired>(store_, keys::desired(site));
}
Result<std::optional<Stored<Json>>> Repository::raw(const std::string& key) { return load<Json>(store_, key); }
Result<std::vector<Stored<Json>>> Repository::raw_list(const std::string& prefix) {
  return load_all<Json>(store_, prefix);
}

Json with_revision(Json object, std::int64_t revision) {
  object["revision"] = revision;
  return object;
}

}  // namespace outpost::tower
