// The embedded backend: one SQLite file in WAL mode, one connection guarded by a mutex.
//
// Schema: `kv` holds the live keys with their create/mod revisions; `meta` holds the store
// revision on its own row, because after the newest key is removed no key carries the latest
// revision any more, and the counter must never go backwards across a reopen.
#include <charconv>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "store/key_range.hpp"
#include "store/sqlite_db.hpp"
#include "store/store.hpp"
#include "store/watch_hub.hpp"

namespace outpost {
namespace {

constexpr int kSchemaVersion = 1;
constexpr int kBusyTimeoutMs = 5000;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS kv (
  key BLOB PRIMARY KEY NOT NULL,
  value BLOB NOT NULL,
  create_revision INTEGER NOT NULL,
  mod_revision INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
  name TEXT PRIMARY KEY NOT NULL,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (name, value) VALUES ('revision', 0);
)sql";

struct Statements {
  sqlite::Statement begin, commit, rollback;
  sqlite::Statement get_revision, set_revision;
  sqlite::Statement get, get_revisions, upsert, erase;
  sqlite::Statement range_keys, erase_range;
  sqlite::Statement list_bounded, list_unbounded;
};

Result<Statements> prepare_statements(sqlite::Connection& db) {
  Statements s;
  const std::pair<sqlite::Statement*, const char*> all[] = {
      // IMMEDIATE takes the write lock up front, so a transaction never fails half-way on
      // upgrading a read lock.
      {&s.begin, "BEGIN IMMEDIATE"},
      {&s.commit, "COMMIT"},
      {&s.rollback, "ROLLBACK"},
      {&s.get_revision, "SELECT value FROM meta WHERE name = 'revision'"},
      {&s.set_revision, "UPDATE meta SET value = ?1 WHERE name = 'revision'"},
      {&s.get, "SELECT value, create_revision, mod_revision FROM kv WHERE key = ?1"},
      {&s.get_revisions, "SELECT create_revision, mod_revision FROM kv WHERE key = ?1"},
      {&s.upsert,
       "INSERT INTO kv (key, value, create_revision, mod_revision) VALUES (?1, ?2, ?3, ?3) "
       "ON CONFLICT (key) DO UPDATE SET value = excluded.value, "
       "mod_revision = excluded.mod_revision"},
      {&s.erase, "DELETE FROM kv WHERE key = ?1"},
      {&s.range_keys, "SELECT key FROM kv WHERE key >= ?1 AND key < ?2 ORDER BY key"},
      {&s.erase_range, "DELETE FROM kv WHERE key >= ?1 AND key < ?2"},
      {&s.list_bounded,
       "SELECT key, value, create_revision, mod_revision FROM kv "
       "WHERE key >= ?1 AND key > ?2 AND key < ?3 ORDER BY key LIMIT ?4"},
      {&s.list_unbounded,
       "SELECT key, value, create_revision, mod_revision FROM kv "
       "WHERE key >= ?1 AND key > ?2 ORDER BY key LIMIT ?3"},
  };
  for (auto [target, sql] : all) {
    auto prepared = db.prepare(sql);
    if (!prepared) return std::unexpected(std::move(prepared.error()));
    *target = std::move(*prepared);
  }
  return s;
}

Status validate_key(std::string_view key) {
  if (key.empty()) return bad_request("a store key must not be empty", "key");
  return {};
}

struct Revisions {
  std::int64_t create_revision = 0;
  std::int64_t mod_revision = 0;
};

// The error for an operation whose condition does not hold against the key's current state, or
// none when the operation may proceed.
Status check_condition(const TxnOp& op, const std::optional<Revisions>& current) {
  if (op.expected_revision) {
    std::int64_t expected = *op.expected_revision;
    if (expected == 0 && current) {
      return fail(409, "already_exists", "key " + op.key + " already exists");
    }
    if (expected > 0 && !current) return fail(404, "not_found", "key " + op.key + " not found");
    if (expected > 0 && current->mod_revision != expected) {
      return fail(412, "revision_mismatch",
                  "key " + op.key + " is at revision " + std::to_string(current->mod_revision) +
                      ", not " + std::to_string(expected));
    }
  }
  if (op.kind == TxnOp::Kind::remove && !current) {
    return fail(404, "not_found", "key " + op.key + " not found");
  }
  return {};
}

// Rolls back unless committed, so every early return leaves the database untouched.
class WriteTransaction {
 public:
  explicit WriteTransaction(Statements& statements) : statements_(statements) {}
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  ~WriteTransaction() {
    if (open_) (void)statements_.rollback.execute().run();
  }
  Status begin() {
    auto begun = statements_.begin.execute().run();
    open_ = begun.has_value();
    return begun;
  }
  Status commit() {
    auto committed = statements_.commit.execute().run();
    if (committed) open_ = false;
    return committed;
  }

 private:
  Statements& statements_;
  bool open_ = false;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(sqlite::Connection db, Statements statements, std::int64_t revision, SqliteStoreOptions options)
      : db_(std::move(db)), statements_(std::move(statements)), last_committed_(revision), options_(options) {}

  std::size_t operations_per_transaction() const override { return options_.operations_per_transaction; }

  Result<std::optional<KeyValue>> get(std::string_view key) override {
    if (auto valid = validate_key(key); !valid) return std::unexpected(std::move(valid.error()));
    std::lock_guard lock(db_mutex_);
    auto query = statements_.get.execute();
    query.bind_bytes(1, key);
    auto row = query.step();
    if (!row) return std::unexpected(std::move(row.error()));
    if (!*row) return std::optional<KeyValue>();
    return KeyValue{std::string(key), query.column_bytes(0), query.column_int64(1),
                    query.column_int64(2)};
  }

  Result<ListPage> list(std::string_view prefix, std::string_view start_after,
                        std::size_t limit) override {
    auto upper = prefix_successor(prefix);
    // One row beyond the limit tells whether another page follows; -1 is SQLite's "no limit".
    std::int64_t fetch = limit == 0 ? -1 : static_cast<std::int64_t>(limit) + 1;
    std::lock_guard lock(db_mutex_);
    auto query = (upper ? statements_.list_bounded : statements_.list_unbounded).execute();
    query.bind_bytes(1, prefix).bind_bytes(2, start_after);
    if (upper) {
      query.bind_bytes(3, *upper).bind_int64(4, fetch);
    } else {
      query.bind_int64(3, fetch);
    }
    ListPage page;
    while (true) {
      auto row = query.step();
      if (!row) return std::unexpected(std::move(row.error()));
      if (!*row) break;
      page.items.push_back(KeyValue{query.column_bytes(0), query.column_bytes(1),
                                    query.column_int64(2), query.column_int64(3)});
    }
    if (limit != 0 && page.items.size() > limit) {
      page.items.pop_back();
      page.next_after = page.items.back().key;
    }
    return page;
  }

  Result<std::int64_t> put(std::string_view key, std::string_view value,
                           std::optional<std::int64_t> expected_revision) override {
    return commit({TxnOp{TxnOp::Kind::put, std::string(key), std::string(value), expected_revision}});
  }

  Result<std::int64_t> remove(std::string_view key,
                              std::optional<std::int64_t> expected_revision) override {
    return commit({TxnOp{TxnOp::Kind::remove, std::string(key), {}, expected_revision}});
  }

  Result<std::int64_t> commit(const std::vector<TxnOp>& ops) override {
    if (auto valid = validate_ops(ops); !valid) return std::unexpected(std::move(valid.error()));
    if (ops.empty()) return revision();
    std::int64_t new_revision = 0;
    {
      std::lock_guard lock(db_mutex_);
      std::vector<WatchEvent> events;
      auto applied = apply(ops, events);
      if (!applied) return applied;
      new_revision = *applied;
      if (events.empty()) return new_revision;
      last_committed_ = new_revision;
      // Still under the write lock: batches enter the queue in revision order.
      hub_.enqueue(new_revision, std::move(events));
    }
    hub_.drain();
    return new_revision;
  }

  Result<std::int64_t> revision() override {
    std::lock_guard lock(db_mutex_);
    return read_revision();
  }

  WatchId watch(std::string prefix, WatchCallback callback) override {
    // Under the write lock, so no commit slips between reading the revision and registering.
    std::lock_guard lock(db_mutex_);
    return hub_.add(std::move(prefix), std::move(callback), last_committed_);
  }

  void unwatch(WatchId id) override { hub_.remove(id); }

 private:
  static Status validate_ops(const std::vector<TxnOp>& ops) {
    // Every condition is checked against the state before the transaction, as etcd does; a key
    // named twice (or inside a range the transaction removes) would make that ambiguous, so it
    // is refused.
    std::set<std::string_view> seen;
    std::vector<const TxnOp*> ranges;
    for (const auto& op : ops) {
      if (auto valid = validate_key(op.key); !valid) return valid;
      if (op.expected_revision && *op.expected_revision < 0) {
        return bad_request("expected revision of key " + op.key + " must not be negative",
                           "expected_revision");
      }
      if (op.kind == TxnOp::Kind::remove_range) {
        if (op.expected_revision) {
          return bad_request("a range removal takes no expected revision (from " + op.key + ")",
                             "expected_revision");
        }
        if (op.range_end.empty()) {
          return bad_request("a range removal needs the end of its range (from " + op.key + ")",
                             "range_end");
        }
        ranges.push_back(&op);
      } else if (!seen.insert(op.key).second) {
        return bad_request("key " + op.key + " appears more than once in one transaction", "key");
      }
    }
    for (const TxnOp* range : ranges) {
      for (std::string_view key : seen) {
        if (key >= range->key && key < range->range_end) {
          return bad_request("key " + std::string(key) +
                                 " lies in a range the same transaction removes",
                             "key");
        }
      }
    }
    return {};
  }

  // Removes the keys in [op.key, op.range_end), one watch event per key removed.
  Status remove_range(const TxnOp& op, std::int64_t new_revision, std::vector<WatchEvent>& events) {
    {
      auto query = statements_.range_keys.execute();
      query.bind_bytes(1, op.key).bind_bytes(2, op.range_end);
      while (true) {
        auto row = query.step();
        if (!row) return std::unexpected(std::move(row.error()));
        if (!*row) break;
        events.push_back(
            WatchEvent{WatchEvent::Type::remove, KeyValue{query.column_bytes(0), {}, 0, new_revision}});
      }
    }
    return statements_.erase_range.execute().bind_bytes(1, op.key).bind_bytes(2, op.range_end).run();
  }

  Result<std::int64_t> read_revision() {
    auto query = statements_.get_revision.execute();
    auto row = query.step();
    if (!row) return std::unexpected(std::move(row.error()));
    if (!*row) return internal_error("the store has no revision row");
    return query.column_int64(0);
  }

  Result<std::optional<Revisions>> read_revisions(const std::string& key) {
    auto query = statements_.get_revisions.execute();
    query.bind_bytes(1, key);
    auto row = query.step();
    if (!row) return std::unexpected(std::move(row.error()));
    if (!*row) return std::optional<Revisions>();
    return Revisions{query.column_int64(0), query.column_int64(1)};
  }

  // Runs the whole transaction; returns its revision. Caller holds db_mutex_.
  Result<std::int64_t> apply(const std::vector<TxnOp>& ops, std::vector<WatchEvent>& events) {
    WriteTransaction transaction(statements_);
    if (auto begun = transaction.begin(); !begun) return std::unexpected(std::move(begun.error()));
    auto current_revision = read_revision();
    if (!current_revision) return current_revision;
    const std::int64_t new_revision = *current_revision + 1;

    for (const auto& op : ops) {
      if (op.kind == TxnOp::Kind::remove_range) {
        if (auto removed = remove_range(op, new_revision, events); !removed) {
          return std::unexpected(std::move(removed.error()));
        }
        continue;
      }
      auto current = read_revisions(op.key);
      if (!current) return std::unexpected(std::move(current.error()));
      if (auto allowed = check_condition(op, *current); !allowed) {
        return std::unexpected(std::move(allowed.error()));
      }
      if (op.kind == TxnOp::Kind::put) {
        auto written = statements_.upsert.execute()
                           .bind_bytes(1, op.key)
                           .bind_bytes(2, op.value)
                           .bind_int64(3, new_revision)
                           .run();
        if (!written) return std::unexpected(std::move(written.error()));
        std::int64_t created = *current ? (*current)->create_revision : new_revision;
        events.push_back(WatchEvent{WatchEvent::Type::put,
                                    KeyValue{op.key, op.value, created, new_revision}});
      } else {
        auto erased = statements_.erase.execute().bind_bytes(1, op.key).run();
        if (!erased) return std::unexpected(std::move(erased.error()));
        events.push_back(WatchEvent{WatchEvent::Type::remove, KeyValue{op.key, {}, 0, new_revision}});
      }
    }

    // Nothing changed (only empty ranges): no new revision, as in etcd; the rollback is free.
    if (events.empty()) return *current_revision;
    auto counted = statements_.set_revision.execute().bind_int64(1, new_revision).run();
    if (!counted) return std::unexpected(std::move(counted.error()));
    if (auto committed = transaction.commit(); !committed) {
      return std::unexpected(std::move(committed.error()));
    }
    return new_revision;
  }

  std::mutex db_mutex_;  // guards db_, statements_ and last_committed_
  sqlite::Connection db_;
  Statements statements_;  // declared after db_: finalised before the connection closes
  std::int64_t last_committed_;
  WatchHub hub_;
  SqliteStoreOptions options_;
};

Status configure(sqlite::Connection& db) {
  sqlite3_busy_timeout(db.handle(), kBusyTimeoutMs);
  auto mode = db.query_text("PRAGMA journal_mode = WAL");
  if (!mode) return std::unexpected(std::move(mode.error()));
  if (*mode != "wal") return internal_error("the store database refused WAL mode (got " + *mode + ")");
  // FULL: a write that returned survives power loss, not only a crash of the process.
  if (auto ok = db.exec("PRAGMA synchronous = FULL"); !ok) return ok;

  auto version = db.query_text("PRAGMA user_version");
  if (!version) return std::unexpected(std::move(version.error()));
  int schema = 0;
  std::from_chars(version->data(), version->data() + version->size(), schema);
  if (schema > kSchemaVersion) {
    return fail(500, "unsupported_store",
                "the store was written by a newer Outpost (schema " + *version + ")");
  }
  if (auto ok = db.exec(kSchema); !ok) return ok;
  return db.exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path, SqliteStoreOptions options) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return internal_error("cannot create " + path.parent_path().string() + ": " + ec.message());

  auto db = sqlite::Connection::open(path);
  if (!db) return std::unexpected(std::move(db.error()));
  if (auto ok = configure(*db); !ok) return std::unexpected(std::move(ok.error()));
  auto statements = prepare_statements(*db);
  if (!statements) return std::unexpected(std::move(statements.error()));

  std::int64_t revision = 0;
  {
    auto query = statements->get_revision.execute();
    auto row = query.step();
    if (!row) return std::unexpected(std::move(row.error()));
    if (*row) revision = query.column_int64(0);
  }
  return std::make_unique<SqliteStore>(std::move(*db), std::move(*statements), revision, options);
}

}  // namespace outpost
