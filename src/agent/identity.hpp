#pragma once
// The host's identity in its data directory: which tower, which site and host, and the key and
// certificate it proves itself with. Created once by enrollment with a join token.
#include <openssl/types.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"

namespace outpost::agent {

struct AgentIdentity {
  std::string tower_url;
  std::string site;
  std::string host;
  std::string key_pem;
  std::string cert_pem;
  std::string ca_pem;
  // key_pem already parsed, when this process generated it at enrollment: sessions use it
  // instead of decoding the PEM (a simulator enrolls thousands of hosts).
  std::shared_ptr<EVP_PKEY> parsed_key;
};

// 404 "not_found" when the directory holds no identity yet.
Result<AgentIdentity> load_identity(const std::filesystem::path& data_dir);

}  // namespace outpost::agent
