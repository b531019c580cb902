#include "common/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace outpost {

namespace {
std::unexpected<Error> io_error(const std::string& what, const std::filesystem::path& path) {
  return fail(500, "io", what + " " + path.string() + ": " + std::strerror(errno));
}
// Writes all of `content`, retrying short writes; errno tells why when it returns false.
bool write_all(int fd, std::string_view content) {
  std::size_t written = 0;
  while (written < content.size()) {
    auto n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    written += static_cast<std::size_t>(n);
  }
  return true;
}
}  // namespace

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(404, "not_found", "cannot read " + path.string() + ": " + std::strerror(errno));
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Status write_file_atomic(const std::filesystem::path& path, std::string_view content, unsigned mode, FileSync sync) {
  const auto temp = path.string() + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return io_error("cannot create", temp);
  if (!write_all(fd, content)) {
    auto error = io_error("cannot write", temp);
    ::close(fd);
    ::unlink(temp.c_str());
    return error;
  }
  if (sync == FileSync::durable && ::fsync(fd) != 0) {
    auto error = io_error("cannot sync", temp);
    ::close(fd);
    ::unlink(temp.c_str());
    return error;
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    auto error = io_error("cannot rename onto", path);
    ::unlink(temp.c_str());
    return error;
  }
  if (sync == FileSync::cached) return {};
  // Make the rename itself durable.
  if (int dir = ::open(path.parent_path().empty() ? "." : path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return {};
}

Status append_file(const std::filesystem::path& path, std::string_view content, unsigned mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, mode);
  if (fd < 0) return io_error("cannot open", path);
  if (!write_all(fd, content)) {
    auto error = io_error("cannot append to", path);
    ::close(fd);
    return error;
  }
  if (::close(fd) != 0) return io_error("cannot close", path);
  return {};
}

Status ensure_directory(const std::filesystem::path& path, unsigned mode) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return fail(500, "io", "cannot create directory " + path.string() + ": " + ec.message());
  ::chmod(path.c_str(), mode);
  return {};
}

}  // namespace outpost
