#include "agent/checkpoint.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "common/files.hpp"

namespace outpost::agent {
namespace {

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("outpost-checkpoint-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(CheckpointTest, MissingFileMeansNoCheckpoint) {
  Checkpoint checkpoint(dir_ / "checkpoint");
  auto loaded = checkpoint.load();
  ASSERT_TRUE(loaded.has_value());
  EXPECT_FALSE(loaded->has_value());
}

TEST_F(CheckpointTest, SavedStateLoadsBackEqual) {
  Checkpoint checkpoint(dir_ / "checkpoint");
  SiteDesired desired;
  desired.site = "shop-1";
  desired.update({}, {{"PORT", "8080"}, {"SYS_SITE", "shop-1"}});
  ASSERT_TRUE(checkpoint.save(desired).has_value());
  auto loaded = checkpoint.load();
  ASSERT_TRUE(loaded.has_value() && loaded->has_value());
  EXPECT_EQ((*loaded)->to_json(), desired.to_json());
}

TEST_F(CheckpointTest, ACachedCheckpointIsWrittenAtomicallyAndLoadsBackEqual) {
  Checkpoint checkpoint(dir_ / "checkpoint", FileSync::cached);
  SiteDesired desired;
  desired.site = "shop-1";
  desired.update({}, {{"PORT", "8080"}});
  ASSERT_TRUE(checkpoint.save(desired).has_value());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "checkpoint.tmp"));
  auto loaded = Checkpoint(dir_ / "checkpoint").load();
  ASSERT_TRUE(loaded.has_value() && loaded->has_value());
  EXPECT_EQ((*loaded)->to_json(), desired.to_json());
}

TEST_F(CheckpointTest, FlippedByteIsDetectedAsCorrupt) {
  Checkpoint checkpoint(dir_ / "checkpoint");
  SiteDesired desired;
  desired.site = "shop-1";
  desired.update({}, {{"PORT", "8080"}});
  ASSERT_TRUE(checkpoint.save(desired).has_value());
  auto text = read_file(checkpoint.file()).value();
  text[text.size() - 3] ^= 0x01;
  std::ofstream(checkpoint.file(), std::ios::binary | std::ios::trunc) << text;
  auto loaded = checkpoint.load();
  ASSERT_FALSE(loaded.has_value());
  EXPECT_EQ(loaded.error().code, "corrupt");
}

}  // namespace
}  // namespace outpost::agent
