#include "common/process_limits.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <thread>

namespace outpost {

std::uint64_t raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return static_cast<std::uint64_t>(limit.rlim_cur);
}

unsigned available_cores() { return std::max(1u, std::thread::hardware_concurrency()); }

}  // namespace outpost
