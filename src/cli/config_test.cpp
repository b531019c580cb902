#include "cli/config.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "cli/testing_fakes.hpp"

namespace outpost::cli {
namespace {

using testing::TemporaryDirectory;

TEST(ConfigPath, PrefersOutpostConfigOverHome) {
  EXPECT_EQ(config_path_from(std::string("/etc/o.json"), std::string("/home/u")).value(),
            std::filesystem::path("/etc/o.json"));
}

TEST(ConfigPath, DefaultsUnderHomeDotConfig) {
  EXPECT_EQ(config_path_from(std::nullopt, std::string("/home/u")).value(),
            std::filesystem::path("/home/u/.config/outpost/config.json"));
  EXPECT_EQ(config_path_from(std::string(""), std::string("/home/u")).value(),
            std::filesystem::path("/home/u/.config/outpost/config.json"));
}

TEST(ConfigPath, FailsWithoutEitherVariable) { EXPECT_FALSE(config_path_from(std::nullopt, std::nullopt)); }

TEST(Config, RoundTripsThroughANewDirectoryWithMode0600) {
  TemporaryDirectory directory;
  const auto path = directory.path() / "nested" / "dir" / "config.json";
  const CliConfig saved{"https://127.0.0.1:7443", "secret-token", "-----BEGIN CERTIFICATE-----\nX\n"};
  ASSERT_TRUE(save_config(path, saved));

  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);

  const auto loaded = load_config(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->tower, saved.tower);
  EXPECT_EQ(loaded->token, saved.token);
  EXPECT_EQ(loaded->ca, saved.ca);
}

TEST(Config, ReplacingAWorldReadableFileLeavesMode0600) {
  TemporaryDirectory directory;
  const auto path = directory.path() / "config.json";
  std::ofstream(path) << "{}";
  ::chmod(path.c_str(), 0644);
  ASSERT_TRUE(save_config(path, CliConfig{"https://t:1", "k", "ca"}));
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  EXPECT_EQ(load_config(path)->token, "k");
}

TEST(Config, MissingFileMeansNotLoggedIn) {
  TemporaryDirectory directory;
  const auto loaded = load_config(directory.path() / "absent.json");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, "not_logged_in");
  EXPECT_EQ(loaded.error().message, "not logged in: run `outpost login URL ...` first");
}

TEST(Config, RejectsAFileWithoutAToken) {
  TemporaryDirectory directory;
  const auto path = directory.path() / "config.json";
  std::ofstream(path) << R"({"tower":"https://t:1","ca":"x"})";
  const auto loaded = load_config(path);
  ASSERT_FALSE(loaded);
  EXPECT_NE(loaded.error().message.find("token"), std::string::npos);
}

TEST(Config, RejectsAFileThatIsNotJson) {
  TemporaryDirectory directory;
  const auto path = directory.path() / "config.json";
  std::ofstream(path) << "tower: [";
  EXPECT_FALSE(load_config(path));
}

}  // namespace
}  // namespace outpost::cli
