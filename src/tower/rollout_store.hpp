#pragma once
// How the rollout controller keeps rollouts in the store. A rollout as one value meant
// rewriting an entry per placed site (megabytes at 10,000 sites) whenever one site moved; here a
// rollout is a header and one key per site, and a save writes the header and only the sites
// whose entry changed:
//
//   /rollouts/<deployment>               {"deployment", "application", "epoch",
//                                         "state": the state without its "sites"}
//   /rollouts/<deployment>/sites/<site>  {"epoch", "entry": the site's entry (absent: the site left),
//                                         "before": its entry before the save, when it had one}
//
// A save that fits one transaction is one. A larger one (etcd refuses more than 128 operations)
// writes its sites first, as many to a transaction as the store takes, and the header, which names
// the save's epoch, last: the header commits the save. A site entry whose epoch is newer than its
// header's belongs to a save that never committed and stands for its "before", so a save cut
// short, by a failing store or by the tower stopping, leaves the rollout as it was. ("before" is
// written only by such multi-transaction saves: a single transaction never leaves half a save.)
// A site that left is written as an entry without "entry" and deleted once the header landed.
//
// Towers before this layout stored the whole state, sites included, in the header and wrote no
// "epoch"; load reads that and rewrites it in this layout.
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "rollout/rollout_state.hpp"
#include "store/store.hpp"

namespace outpost::tower {

struct StoredRollout {
  std::string application;
  RolloutState state;
  friend bool operator==(const StoredRollout&, const StoredRollout&) = default;
};

class RolloutStore {
 public:
  // `per_transaction` 0: as many operations as the store takes in one transaction.
  explicit RolloutStore(Store& store, std::size_t per_transaction = 0)
      : store_(store), per_transaction_(per_transaction ? per_transaction : store.operations_per_transaction()) {}

  // Every stored rollout, by deployment. A rollout that does not parse is left out (and logged);
  // its keys are overwritten or deleted by the next save or removal of that deployment.
  Result<std::map<std::string, StoredRollout>> load();
  // Stores `after`, writing only what differs from `before`: the rollout as stored now, null when
  // none is. On failure the stored rollout is still `before`.
  Status save(const std::string& deployment, const StoredRollout* before, const StoredRollout& after);
  // Deletes the header and every site key in one transaction: all of them, or on failure none.
  Status remove(const std::string& deployment);
  // The deployments this store may still hold keys of: rollouts loaded or saved, and site keys
  // found without a readable header.
  std::vector<std::string> deployments() const;

 private:
  // What the store holds of one deployment's rollout besides what was saved last.
  struct Keys {
    std::uint64_t epoch = 0;       // the newest epoch in the store, so none is written twice
    std::set<std::string> stale;   // site keys that may not hold the saved entry (or should be gone)
    bool rewrite_all = false;      // stored in the earlier single-value layout
  };

  // The rollout a header and its site keys hold, noting in `known` what the next save must fix.
  Result<StoredRollout> assemble(const Json& header, const std::map<std::string, Json>& sites, Keys& known) const;
  // Commits `ops` in transactions of per_transaction_; `committed` counts the ops that landed.
  Status commit_in_chunks(const std::vector<TxnOp>& ops, std::size_t& committed);
  // Deletes the site keys `names` (they exist); those deleted leave `known.stale`.
  Status delete_sites(const std::string& deployment, const std::vector<std::string>& names, Keys& known);

  Store& store_;
  std::size_t per_transaction_;
  std::map<std::string, Keys> keys_;  // by deployment
};

}  // namespace outpost::tower
