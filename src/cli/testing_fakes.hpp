#pragma once
// Test doubles shared by the CLI tests: an in-memory tower answering canned responses, and a
// private temporary directory.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <deque>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "cli/api_client.hpp"

namespace outpost::cli::testing {

struct RecordedRequest {
  std::string method;
  std::string target;
  std::string body;
  std::map<std::string, std::string> headers;
};

// Answers "METHOD target" with the queued responses for that key, in order (the last one
// repeats); unknown requests get a 404 in the tower's error shape.
class FakeTower {
 public:
  void on(const std::string& method, const std::string& target, int status, std::string body) {
    routes_[method + " " + target].push_back(HttpResponse{status, std::move(body), {}});
  }
  void unreachable(std::string cause) { unreachable_cause_ = std::move(cause); }

  Transport transport() {
    return [this](const std::string& method, const std::string& target, const std::string& body,
                  const std::map<std::string, std::string>& headers) -> Result<HttpResponse> {
      requests.push_back({method, target, body, headers});
      if (!unreachable_cause_.empty()) return fail(0, "unreachable", unreachable_cause_);
      auto found = routes_.find(method + " " + target);
      if (found == routes_.end()) {
        return HttpResponse{404, R"({"error":{"code":"not_found","message":"no route )" + target + R"("}})", {}};
      }
      HttpResponse response = found->second.front();
      if (found->second.size() > 1) found->second.pop_front();
      return response;
    };
  }

  std::vector<RecordedRequest> requests;

 private:
  std::map<std::string, std::deque<HttpResponse>> routes_;
  std::string unreachable_cause_;
};

class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "outpost-cli-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace outpost::cli::testing
