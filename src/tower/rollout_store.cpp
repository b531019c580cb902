#include "tower/rollout_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "store/key_range.hpp"
#include "tower/keys.hpp"

namespace outpost::tower {
namespace {

// Keys read per store request while loading: 10,000 sites of 21 deployments are 210,000 known.
constexpr std::size_t load_page = 1000;

Json header_value(const std::string& deployment, const StoredRollout& rollout, std::uint64_t epoch) {
  return {{"deployment", deployment},
          {"application", rollout.application},
          {"epoch", epoch},
          {"state", rollout.state.header_json()}};
}

// The names of the sites whose entries differ between `a` and `b`, present in either.
std::set<std::string> differing(const std::map<std::string, SiteRollout>& a, const std::map<std::string, SiteRollout>& b) {
  std::set<std::string> out;
  auto left = a.begin();
  auto right = b.begin();
  while (left != a.end() || right != b.end()) {
    if (right == b.end() || (left != a.end() && left->first < right->first)) {
      out.insert(out.end(), (left++)->first);
    } else if (left == a.end() || right->first < left->first) {
      out.insert(out.end(), (right++)->first);
    } else {
      if (left->second != right->second) out.insert(out.end(), left->first);
      ++left;
      ++right;
    }
  }
  return out;
}

std::set<std::string> names_of(const std::map<std::string, SiteRollout>& sites) {
  std::set<std::string> out;
  for (const auto& [name, site] : sites) out.insert(out.end(), name);
  return out;
}

}  // namespace

Result<std::map<std::string, StoredRollout>> RolloutStore::load() {
  std::map<std::string, Json> headers;                        // by deployment
  std::map<std::string, std::map<std::string, Json>> sites;   // deployment -> site -> value
  std::string after;
  do {
    auto page = store_.list(keys::rollouts_prefix, after, load_page);
    if (!page) return std::unexpected(page.error());
    for (const auto& kv : page->items) {
      const std::string rest = kv.key.substr(keys::rollouts_prefix.size());
      const auto slash = rest.find('/');
      const std::string deployment = rest.substr(0, slash);
      Json value = Json::parse(kv.value, nullptr, false);
      if (slash == std::string::npos) {
        headers[deployment] = std::move(value);
      } else if (const std::string prefix = keys::rollout_sites(deployment); kv.key.size() > prefix.size() &&
                                                                            kv.key.starts_with(prefix)) {
        sites[deployment][kv.key.substr(prefix.size())] = std::move(value);
      } else {
        spdlog::warn("stored key {} is not part of any rollout and is ignored", kv.key);
      }
    }
    after = page->next_after;
  } while (!after.empty());

  std::map<std::string, StoredRollout> out;
  static const std::map<std::string, Json> no_sites;
  for (const auto& [deployment, header] : headers) {
    auto found = sites.find(deployment);
    Keys& known = keys_[deployment];
    auto rollout = assemble(header, found == sites.end() ? no_sites : found->second, known);
    if (!rollout) {
      spdlog::error("stored rollout of {} is invalid and is dropped: {}", deployment, rollout.error().message);
      if (found != sites.end())
        for (const auto& [site, value] : found->second) known.stale.insert(site);
      continue;
    }
    spdlog::info("rollout of {} resumed: {} to {}, {}", deployment, rollout->state.from_version,
                 rollout->state.to_version, to_string(rollout->state.phase));
    if (known.rewrite_all) {
      // Until this lands the earlier layout still holds the rollout; the next save tries again.
      if (auto saved = save(deployment, &*rollout, *rollout); saved)
        spdlog::info("rollout of {} rewritten with one key per site", deployment);
      else
        spdlog::warn("rollout of {} stays in the single-value layout for now: {}", deployment, saved.error().message);
    }
    out.emplace(deployment, std::move(*rollout));
  }
  // Site keys without a header: a first save or a removal cut short.
  for (const auto& [deployment, values] : sites) {
    if (headers.contains(deployment)) continue;
    Keys& known = keys_[deployment];
    for (const auto& [site, value] : values) {
      known.stale.insert(site);
      known.epoch = std::max(known.epoch, unsigned_or(value, "epoch"));
    }
  }
  return out;
}

Result<StoredRollout> RolloutStore::assemble(const Json& header, const std::map<std::string, Json>& sites,
                                             Keys& known) const {
  if (!header.is_object()) return invalid("rollout", "must be an object");
  auto state = RolloutState::from_json(header.value("state", Json()));
  if (!state) return std::unexpected(state.error());
  StoredRollout rollout{string_or(header, "application"), std::move(*state)};
  for (const auto& [site, value] : sites) known.epoch = std::max(known.epoch, unsigned_or(value, "epoch"));
  if (!header.contains("epoch")) {
    // The single-value layout: every site is in the header; site keys can only be leftovers of
    // a rewrite that did not complete.
    for (const auto& [site, value] : sites) known.stale.insert(site);
    known.rewrite_all = true;
    return rollout;
  }
  if (!header.at("epoch").is_number_unsigned()) return invalid("rollout.epoch", "must be a whole number");
  const std::uint64_t epoch = header.at("epoch").get<std::uint64_t>();
  known.epoch = std::max(known.epoch, epoch);
  for (const auto& [site, value] : sites) {
    const std::string field = "rollout.sites." + site;
    if (!value.is_object() || !value.contains("epoch") || !value.at("epoch").is_number_unsigned())
      return invalid(field, "must be an object with an epoch");
    const bool committed = unsigned_or(value, "epoch") <= epoch;
    if (!committed) known.stale.insert(site);
    auto entry = value.find(committed ? "entry" : "before");
    if (entry == value.end()) {
      known.stale.insert(site);  // a site that left, or one an unfinished save added
      continue;
    }
    auto parsed = SiteRollout::from_json(*entry, field);
    if (!parsed) return std::unexpected(parsed.error());
    rollout.state.sites.emplace(site, std::move(*parsed));
  }
  return rollout;
}

Status RolloutStore::save(const std::string& deployment, const StoredRollout* before, const StoredRollout& after) {
  Keys& known = keys_[deployment];
  const std::uint64_t epoch = ++known.epoch;
  static const std::map<std::string, SiteRollout> none;
  const auto& old_sites = before ? before->state.sites : none;
  const auto& new_sites = after.state.sites;

  std::set<std::string> changed = known.rewrite_all ? names_of(new_sites) : differing(old_sites, new_sites);
  if (known.rewrite_all) changed.merge(names_of(old_sites));
  changed.insert(known.stale.begin(), known.stale.end());
  const bool several_transactions = changed.size() + 1 > per_transaction_;

  std::vector<TxnOp> ops;
  std::vector<std::string> names;  // of ops[i], for the sites
  std::vector<std::string> left;
  ops.reserve(changed.size() + 1);
  for (const auto& site : changed) {
    Json value = {{"epoch", epoch}};
    if (auto now = new_sites.find(site); now != new_sites.end())
      value["entry"] = now->second.to_json();
    else
      left.push_back(site);
    if (several_transactions)
      if (auto was = old_sites.find(site); was != old_sites.end()) value["before"] = was->second.to_json();
    ops.push_back({TxnOp::Kind::put, keys::rollout_site(deployment, site), value.dump(), std::nullopt});
    names.push_back(site);
  }
  // Last: the header commits the save.
  ops.push_back({TxnOp::Kind::put, keys::rollout(deployment), header_value(deployment, after, epoch).dump(), std::nullopt});

  std::size_t committed = 0;
  if (auto status = commit_in_chunks(ops, committed); !status) {
    // Every site key this save may have reached (the failed transaction's outcome may be
    // unknown) could now hold an entry of an epoch that never committed: the next save
    // rewrites them before its header commits a newer epoch over them.
    const std::size_t reached = std::min(names.size(), committed + per_transaction_);
    known.stale.insert(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(reached));
    return status;
  }
  known.stale.clear();
  known.rewrite_all = false;
  known.stale.insert(left.begin(), left.end());
  if (auto deleted = delete_sites(deployment, left, known); !deleted)
    spdlog::warn("rollout of {}: entries of sites that left stay until the next save: {}", deployment,
                 deleted.error().message);
  return {};
}

Status RolloutStore::remove(const std::string& deployment) {
  // One transaction of two ranges, whatever the rollout holds: the header (a range, so that a
  // missing one is no error) and every site key.
  const std::string header = keys::rollout(deployment);
  const std::string sites = keys::rollout_sites(deployment);
  const std::vector<TxnOp> ops{TxnOp::range_removal(header, header + '\0'),
                               TxnOp::range_removal(sites, prefix_successor(sites).value_or(std::string()))};
  if (auto removed = store_.commit(ops); !removed) return std::unexpected(removed.error());
  keys_.erase(deployment);
  return {};
}

std::vector<std::string> RolloutStore::deployments() const {
  std::vector<std::string> out;
  for (const auto& [deployment, known] : keys_) out.push_back(deployment);
  return out;
}

Status RolloutStore::commit_in_chunks(const std::vector<TxnOp>& ops, std::size_t& committed) {
  committed = 0;
  for (std::size_t begin = 0; begin < ops.size(); begin += per_transaction_) {
    const std::size_t end = std::min(ops.size(), begin + per_transaction_);
    auto done = store_.commit(std::vector<TxnOp>(ops.begin() + static_cast<std::ptrdiff_t>(begin),
                                                 ops.begin() + static_cast<std::ptrdiff_t>(end)));
    if (!done) return std::unexpected(done.error());
    committed = end;
  }
  return {};
}

Status RolloutStore::delete_sites(const std::string& deployment, const std::vector<std::string>& names, Keys& known) {
  std::vector<TxnOp> ops;
  ops.reserve(names.size());
  for (const auto& site : names) ops.push_back({TxnOp::Kind::remove, keys::rollout_site(deployment, site), "", std::nullopt});
  std::size_t committed = 0;
  auto status = commit_in_chunks(ops, committed);
  for (std::size_t i = 0; i < committed; ++i) known.stale.erase(names[i]);
  return status;
}

}  // namespace outpost::tower
