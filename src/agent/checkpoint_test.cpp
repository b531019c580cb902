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

TEST_F(CheckpointTest, AHeldCheckpointIsWrittenOnlyWhenDestroyedAndThenLoadsBackEqual) {
  SiteDesired first;
  first.site = "shop-1";
  first.update({}, {{"PORT", "8080"}});
  SiteDesired second = first;
  second.update({}, {{"PORT", "9090"}});
  {
    Checkpoint held = Checkpoint::held_until_destroyed(dir_ / "checkpoint");
    auto nothing = held.load();
    ASSERT_TRUE(nothing.has_value());
    EXPECT_FALSE(nothing->has_value());
    ASSERT_TRUE(held.save(first).has_value());
    ASSERT_TRUE(held.save(second).has_value());
    EXPECT_FALSE(std::filesystem::exists(dir_ / "checkpoint")) << "held in memory, not written";
    auto loaded = held.load();
    ASSERT_TRUE(loaded.has_value() && loaded->has_value());
    EXPECT_EQ((*loaded)->to_json(), second.to_json());
    Checkpoint moved(std::move(held));  // the moved-from one has nothing to write
  }
  auto loaded = Checkpoint(dir_ / "checkpoint").load();
  ASSERT_TRUE(loaded.has_value() && loaded->has_value());
  EXPECT_EQ((*loaded)->to_json(), second.to_json()) << "the last save is on disk once the checkpoint is gone";

  Checkpoint reopened = Checkpoint::held_until_destroyed(dir_ / "checkpoint");
  auto found = reopened.load();
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->to_json(), second.to_json()) << "a held checkpoint starts from what the file holds";
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
