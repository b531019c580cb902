#include "cli/main_command.hpp"

#include <cstdlib>
#include <exception>
#include <iostream>

#include "cli/environment.hpp"
#include "cli/https_transport.hpp"
#include "common/https_client.hpp"
#include "common/pki.hpp"

namespace outpost::cli {
namespace {

std::optional<std::string> environment_variable(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::optional<std::string>(value) : std::nullopt;
}

Result<std::string> fetch_ca(const std::string& tower_url) {
  auto endpoint = parse_tower_url(tower_url);
  if (!endpoint) return std::unexpected(endpoint.error());
  return fetch_ca_insecure(*endpoint);
}

Result<std::string> fingerprint_of(const std::string& certificate_pem) {
  auto info = inspect_certificate(certificate_pem);
  if (!info) return std::unexpected(info.error());
  return info->fingerprint;
}

}  // namespace

int run_main(int argc, char** argv) {
  try {
    Environment environment{
        .in = std::cin,
        .out = std::cout,
        .err = std::cerr,
        .outpost_config = environment_variable("OUTPOST_CONFIG"),
        .home = environment_variable("HOME"),
        .connect = make_https_transport,
        .fetch_ca_unverified = fetch_ca,
        .certificate_fingerprint = fingerprint_of,
        .run_tower = tower::run_tower,
        .run_agent = agent::run_agent,
    };
    const std::vector<std::string> arguments(argv + (argc > 0 ? 1 : 0), argv + argc);
    return run_cli(arguments, environment);
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << '\n';
  } catch (...) {
    std::cerr << "error: unexpected failure\n";
  }
  return 1;
}

}  // namespace outpost::cli
