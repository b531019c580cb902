#pragma once
// A thin RAII layer over the SQLite C API: one connection, prepared statements that are compiled
// once and reused, and SQLite result codes turned into Error values. Not thread-safe: the owner
// serialises access.
#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace outpost::sqlite {

// Maps an SQLite result code to an Error: a locked or busy database is 503 (worth retrying), a
// full disk 507, anything else 500.
Error make_error(sqlite3* db, int code, std::string_view what);

class Statement;

// One execution of a prepared statement. Resets the statement and clears its bindings when it
// goes out of scope, so a half-read SELECT never keeps a read transaction (and the WAL) pinned.
class Execution {
 public:
  Execution(sqlite3* db, sqlite3_stmt* statement) : db_(db), statement_(statement) {}
  Execution(const Execution&) = delete;
  Execution& operator=(const Execution&) = delete;
  ~Execution();

  // Parameters are 1-based, as in SQL. Bytes are bound as BLOB so that any byte string, including
  // one with NULs or invalid UTF-8, compares bytewise (memcmp), like std::string.
  Execution& bind_bytes(int index, std::string_view bytes);
  Execution& bind_int64(int index, std::int64_t value);

  // true while a row is available; false when the statement has finished.
  Result<bool> step();
  // Runs a statement that returns no rows.
  Status run();

  std::string column_bytes(int index) const;
  std::int64_t column_int64(int index) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_;
  int bind_status_ = SQLITE_OK;  // the first binding failure, reported by step()
};

class Statement {
 public:
  Statement() = default;
  static Result<Statement> prepare(sqlite3* db, std::string_view sql);

  Execution execute() const { return Execution(db_, statement_.get()); }

 private:
  struct Finalize {
    void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
  };
  sqlite3* db_ = nullptr;
  std::unique_ptr<sqlite3_stmt, Finalize> statement_;
};

class Connection {
 public:
  // Opens (creating if needed) the database file, without applying any pragma.
  static Result<Connection> open(const std::filesystem::path& path);

  // Runs one or more statements with no parameters and no rows of interest.
  Status exec(const char* sql);
  // Runs a statement and returns the first column of its first row as text (for pragmas).
  Result<std::string> query_text(const char* sql);
  Result<Statement> prepare(std::string_view sql) { return Statement::prepare(handle(), sql); }

  sqlite3* handle() const { return db_.get(); }

 private:
  struct Close {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  std::unique_ptr<sqlite3, Close> db_;
};

}  // namespace outpost::sqlite
