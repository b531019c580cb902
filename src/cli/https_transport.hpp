#pragma once
// The production Transport: HTTPS to the tower, verified against the CA saved at login.
#include <string>

#include "cli/api_client.hpp"

namespace outpost::cli {

Result<Transport> make_https_transport(const std::string& tower_url, const std::string& ca_pem);

}  // namespace outpost::cli
