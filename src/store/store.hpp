#pragma once
// The tower's single source of truth: a versioned key-value store with watch, after etcd's model.
// One store-wide revision counter increases by one per committed write (a transaction is one
// write); each key keeps the revision that created it and the one that last modified it. An
// object's API "revision" is its mod_revision. Backends: SQLite (embedded, default) and etcd.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace outpost {

struct KeyValue {
  std::string key;
  std::string value;
  std::int64_t create_revision = 0;
  std::int64_t mod_revision = 0;
};

struct WatchEvent {
  enum class Type { put, remove };
  Type type;
  KeyValue kv;  // for remove: key set, value empty, mod_revision = the deleting revision
};

// One operation of an all-or-nothing transaction.
//   expected_revision nullopt: unconditional.
//   expected_revision 0:       the key must not exist (else 409 "already_exists").
//   expected_revision N > 0:   the key's mod_revision must be N (412 "revision_mismatch"; 404 if
//                              the key is missing).
// A remove of a missing key is 404 "not_found".
// remove_range removes every key in [key, range_end), however many there are (none is fine), as
// one operation: what etcd's DeleteRange does, so a caller that counts operations against etcd's
// limit of 128 per transaction counts it once. It takes no condition (400), needs a non-empty
// range_end (400), and no other operation of its transaction may name a key inside its range
// (400, as etcd refuses a put into a range deleted by the same transaction).
struct TxnOp {
  enum class Kind { put, remove, remove_range };

  TxnOp() = default;
  TxnOp(Kind op_kind, std::string op_key, std::string op_value, std::optional<std::int64_t> expected)
      : kind(op_kind), key(std::move(op_key)), value(std::move(op_value)), expected_revision(expected) {}
  static TxnOp range_removal(std::string from, std::string to) {
    TxnOp op(Kind::remove_range, std::move(from), {}, std::nullopt);
    op.range_end = std::move(to);
    return op;
  }

  Kind kind = Kind::put;
  std::string key;
  std::string value;
  std::optional<std::int64_t> expected_revision;
  std::string range_end;
};

struct ListPage {
  std::vector<KeyValue> items;  // ascending by key
  std::string next_after;       // non-empty when more keys follow: pass as start_after
};

class Store {
 public:
  using WatchCallback = std::function<void(const std::vector<WatchEvent>&)>;
  using WatchId = std::uint64_t;

  virtual ~Store() = default;

  virtual Result<std::optional<KeyValue>> get(std::string_view key) = 0;
  // Keys starting with `prefix`, strictly after `start_after`, at most `limit` (0 = all).
  virtual Result<ListPage> list(std::string_view prefix, std::string_view start_after = {},
                                std::size_t limit = 0) = 0;
  // Returns the new store revision (= the key's mod_revision).
  virtual Result<std::int64_t> put(std::string_view key, std::string_view value,
                                   std::optional<std::int64_t> expected_revision = std::nullopt) = 0;
  virtual Result<std::int64_t> remove(std::string_view key,
                                      std::optional<std::int64_t> expected_revision = std::nullopt) = 0;
  // Applies every op or none; one new revision for the whole transaction. The first failing
  // condition is returned and nothing is written. A transaction that changes nothing (no ops, or
  // only ranges with no keys in them) is a no-op returning the current revision, as in etcd.
  virtual Result<std::int64_t> commit(const std::vector<TxnOp>& ops) = 0;
  virtual Result<std::int64_t> revision() = 0;

  // Calls `callback` with the events of every committed write touching keys under `prefix`, in
  // revision order, one call per transaction. Callers must not assume the call happens on the
  // writer's thread or before the write returns (etcd delivers asynchronously).
  virtual WatchId watch(std::string prefix, WatchCallback callback) = 0;
  virtual void unwatch(WatchId id) = 0;

  // The most operations one transaction may hold; callers that write many keys batch by it.
  // etcd refuses more than 128, the default here.
  virtual std::size_t operations_per_transaction() const { return etcd_operations_per_transaction; }
  static constexpr std::size_t etcd_operations_per_transaction = 128;
};

struct SqliteStoreOptions {
  // SQLite has no limit of its own, and each commit is an fsync: a fan-out to 10,000 sites
  // writes its desired states in 10 transactions instead of 100. Not unbounded, so that one
  // commit does not hold the tower's thread for long.
  std::size_t operations_per_transaction = 1000;
};

// Opens (creating if needed) an SQLite store in WAL mode at `path`. Durable: a write that
// returned has been committed with synchronous=FULL.
Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path, SqliteStoreOptions options = {});

}  // namespace outpost
