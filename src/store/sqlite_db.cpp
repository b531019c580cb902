#include "store/sqlite_db.hpp"

#include <utility>

namespace outpost::sqlite {

Error make_error(sqlite3* db, int code, std::string_view what) {
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
  std::string message = std::string(what) + ": " + detail;
  switch (code & 0xff) {  // the primary code; extended codes only refine it
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Error{503, "store_busy", std::move(message), {}};
    case SQLITE_FULL:
      return Error{507, "store_full", std::move(message), {}};
    default:
      return Error{500, "internal", std::move(message), {}};
  }
}

Execution::~Execution() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

Execution& Execution::bind_bytes(int index, std::string_view bytes) {
  // sqlite3_bind_blob with a null pointer binds NULL, not an empty BLOB; an empty key or value
  // must stay a (zero-length) BLOB so it is still a value and still compares as bytes.
  int rc = bytes.empty() ? sqlite3_bind_zeroblob(statement_, index, 0)
                         : sqlite3_bind_blob64(statement_, index, bytes.data(), bytes.size(),
                                               SQLITE_TRANSIENT);
  if (bind_status_ == SQLITE_OK) bind_status_ = rc;
  return *this;
}

Execution& Execution::bind_int64(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(statement_, index, value);
  if (bind_status_ == SQLITE_OK) bind_status_ = rc;
  return *this;
}

Result<bool> Execution::step() {
  if (bind_status_ != SQLITE_OK) return std::unexpected(make_error(db_, bind_status_, "binding"));
  int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return std::unexpected(make_error(db_, rc, sqlite3_sql(statement_)));
}

Status Execution::run() {
  auto more = step();
  if (!more) return std::unexpected(std::move(more.error()));
  return {};
}

std::string Execution::column_bytes(int index) const {
  // Ask for the blob before its size: that is the order SQLite documents as safe.
  const auto* data = static_cast<const char*>(sqlite3_column_blob(statement_, index));
  auto size = static_cast<std::size_t>(sqlite3_column_bytes(statement_, index));
  return data == nullptr ? std::string() : std::string(data, size);
}

std::int64_t Execution::column_int64(int index) const {
  return sqlite3_column_int64(statement_, index);
}

Result<Statement> Statement::prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  if (rc != SQLITE_OK) return std::unexpected(make_error(db, rc, "preparing " + std::string(sql)));
  Statement statement;
  statement.db_ = db;
  statement.statement_.reset(raw);
  return statement;
}

Result<Connection> Connection::open(const std::filesystem::path& path) {
  sqlite3* raw = nullptr;
  // NOMUTEX: the store serialises every use of the connection with its own mutex.
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Connection connection;
  connection.db_.reset(raw);  // sqlite3_open_v2 may hand out a handle even on failure
  if (rc != SQLITE_OK) {
    return std::unexpected(make_error(raw, rc, "opening " + path.string()));
  }
  sqlite3_extended_result_codes(raw, 1);
  return connection;
}

Status Connection::exec(const char* sql) {
  int rc = sqlite3_exec(handle(), sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return std::unexpected(make_error(handle(), rc, sql));
  return {};
}

Result<std::string> Connection::query_text(const char* sql) {
  auto statement = prepare(sql);
  if (!statement) return std::unexpected(std::move(statement.error()));
  auto execution = statement->execute();
  auto row = execution.step();
  if (!row) return std::unexpected(std::move(row.error()));
  if (!*row) return std::string();
  return execution.column_bytes(0);
}

}  // namespace outpost::sqlite
