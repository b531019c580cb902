#include <gtest/gtest.h>

#include <stdlib.h>

#include <fstream>
#include <string>
#include <vector>

#include "store/store_conformance.hpp"

namespace outpost {
namespace {

std::unique_ptr<Store> open_in(const std::filesystem::path& dir) {
  auto store = open_sqlite_store(dir / "store.db");
  return store ? std::move(*store) : nullptr;
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformance, ::testing::Values(StoreFactory(open_in)));

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "outpost-sqlite-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  std::filesystem::path dir_;
};

TEST_F(SqliteStoreTest, CreatesMissingParentDirectories) {
  auto store = open_sqlite_store(dir_ / "nested" / "deeper" / "store.db");
  ASSERT_TRUE(store.has_value()) << store.error().message;
  EXPECT_TRUE((*store)->put("/a", "1").has_value());
  EXPECT_TRUE(std::filesystem::exists(dir_ / "nested" / "deeper" / "store.db"));
}

TEST_F(SqliteStoreTest, UsesWriteAheadLog) {
  auto store = open_sqlite_store(dir_ / "store.db");
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE((*store)->put("/a", "1").has_value());
  // The WAL file exists while a connection is open in WAL mode and has written.
  EXPECT_TRUE(std::filesystem::exists(dir_ / "store.db-wal"));
}

TEST_F(SqliteStoreTest, TakesMoreOperationsPerTransactionThanEtcdAndSaysHowMany) {
  auto store = open_sqlite_store(dir_ / "store.db");
  ASSERT_TRUE(store.has_value());
  const std::size_t limit = (*store)->operations_per_transaction();
  EXPECT_GT(limit, Store::etcd_operations_per_transaction);
  std::vector<TxnOp> ops;
  for (std::size_t i = 0; i < limit; ++i) ops.push_back({TxnOp::Kind::put, "/k/" + std::to_string(i), "v", std::nullopt});
  auto before = (*store)->revision().value();
  auto committed = (*store)->commit(ops);
  ASSERT_TRUE(committed.has_value()) << committed.error().message;
  EXPECT_EQ(*committed, before + 1) << "one transaction";
  EXPECT_EQ((*store)->list("/k/")->items.size(), limit);

  auto small = open_sqlite_store(dir_ / "other.db", {Store::etcd_operations_per_transaction});
  ASSERT_TRUE(small.has_value());
  EXPECT_EQ((*small)->operations_per_transaction(), Store::etcd_operations_per_transaction);
}

TEST_F(SqliteStoreTest, FileThatIsNotADatabaseIsAnErrorNotACrash) {
  std::ofstream(dir_ / "store.db") << std::string(4096, 'x');
  auto store = open_sqlite_store(dir_ / "store.db");
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().status, 500);
  EXPECT_FALSE(store.error().message.empty());
}

TEST_F(SqliteStoreTest, DirectoryInPlaceOfTheFileIsAnError) {
  std::filesystem::create_directories(dir_ / "store.db");
  EXPECT_FALSE(open_sqlite_store(dir_ / "store.db").has_value());
}

}  // namespace
}  // namespace outpost
