#include "cli/config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "cli/cli_error.hpp"
#include "common/json.hpp"

namespace outpost::cli {
namespace {

std::unexpected<Error> file_error(const std::filesystem::path& path, const std::string& what,
                                  const std::string& cause) {
  return user_error("cannot " + what + " " + path.string() + ": " + cause);
}

Status write_private_file(const std::filesystem::path& path, const std::string& content) {
  // Created 0600 from the start (and fchmod'ed in case the temp name already existed), so the
  // token is never readable by others, not even for a moment.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return file_error(path, "write", std::strerror(errno));
  std::size_t written = 0;
  bool ok = ::fchmod(fd, 0600) == 0;
  while (ok && written < content.size()) {
    const auto n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<std::size_t>(n);
  }
  const int saved_errno = errno;
  ok = ::close(fd) == 0 && ok;
  if (!ok) return file_error(path, "write", std::strerror(saved_errno ? saved_errno : errno));
  return {};
}

}  // namespace

Result<std::filesystem::path> config_path_from(const std::optional<std::string>& outpost_config,
                                               const std::optional<std::string>& home) {
  if (outpost_config && !outpost_config->empty()) return std::filesystem::path(*outpost_config);
  if (home && !home->empty()) return std::filesystem::path(*home) / ".config" / "outpost" / "config.json";
  return user_error("cannot locate the config file: set OUTPOST_CONFIG or HOME");
}

Status save_config(const std::filesystem::path& path, const CliConfig& config) {
  std::error_code ec;
  if (path.has_parent_path()) {
    std::filesystem::create_directories(path.parent_path(), ec);
    if (ec) return file_error(path.parent_path(), "create", ec.message());
  }
  const Json document = {{"tower", config.tower}, {"token", config.token}, {"ca", config.ca}};
  auto temporary = path;
  temporary += ".tmp";
  if (auto written = write_private_file(temporary, document.dump(2) + "\n"); !written) return written;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::filesystem::remove(temporary, ec);
    return file_error(path, "write", ec.message());
  }
  return {};
}

Result<CliConfig> load_config(const std::filesystem::path& path) {
  std::ifstream file(path);
  if (!file) {
    if (!std::filesystem::exists(path)) {
      return fail(400, "not_logged_in", "not logged in: run `outpost login URL ...` first");
    }
    return file_error(path, "read", std::strerror(errno));
  }
  std::stringstream text;
  text << file.rdbuf();
  const Json document = Json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) {
    return file_error(path, "read", "not a JSON object (run `outpost login` again)");
  }
  CliConfig config;
  for (auto [key, target] : {std::pair{"tower", &config.tower}, std::pair{"token", &config.token},
                             std::pair{"ca", &config.ca}}) {
    const auto it = document.find(key);
    if (it == document.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      return file_error(path, "read", std::string("missing \"") + key + "\" (run `outpost login` again)");
    }
    *target = it->get<std::string>();
  }
  return config;
}

}  // namespace outpost::cli
