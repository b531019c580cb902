#include <fstream>
#include <memory>
#include <sstream>

#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/config.hpp"
#include "cli/fingerprint.hpp"

namespace outpost::cli {
namespace {

struct LoginArgs {
  std::string url;
  std::string token;
  std::string ca_fingerprint;
  std::filesystem::path data_dir;
};

Result<std::string> read_text_file(const std::filesystem::path& path) {
  std::ifstream file(path);
  if (!file) return user_error("cannot read " + path.string());
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string trimmed(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// On the tower's own machine the data directory holds both the admin token and the CA.
Status read_from_data_dir(const LoginArgs& args, CliConfig& config) {
  if (config.token.empty()) {
    auto token = read_text_file(args.data_dir / "admin.token");
    if (!token) return std::unexpected(token.error());
    config.token = trimmed(std::move(*token));
    if (config.token.empty()) return user_error((args.data_dir / "admin.token").string() + " is empty");
  }
  auto ca = read_text_file(args.data_dir / "pki" / "ca.pem");
  if (!ca) return std::unexpected(ca.error());
  config.ca = std::move(*ca);
  return {};
}

Status check_fingerprint(Environment& environment, const std::string& ca_pem, const std::string& expected) {
  auto actual = environment.certificate_fingerprint(ca_pem);
  if (!actual) return std::unexpected(actual.error());
  auto actual_normalized = normalize_fingerprint(*actual);
  if (!actual_normalized) return std::unexpected(actual_normalized.error());
  if (*actual_normalized != expected) {
    return user_error("the tower's CA fingerprint is " + *actual_normalized + ", not the expected " + expected +
                      ": refusing to trust it");
  }
  return {};
}

// Elsewhere the CA is fetched unverified and trusted only if it matches the fingerprint the
// person was given out of band.
Status fetch_trusted_ca(Environment& environment, const LoginArgs& args, CliConfig& config) {
  if (config.token.empty()) return user_error("--token is required (or --data DIR on the tower's machine)");
  if (args.ca_fingerprint.empty()) {
    return user_error("--ca-fingerprint is required to trust the tower (or --data DIR on the tower's machine)");
  }
  auto expected = normalize_fingerprint(args.ca_fingerprint);
  if (!expected) return std::unexpected(expected.error());
  auto ca = environment.fetch_ca_unverified(args.url);
  if (!ca) return std::unexpected(name_unreachable_tower(args.url, std::move(ca.error())));
  if (auto checked = check_fingerprint(environment, *ca, *expected); !checked) return checked;
  config.ca = std::move(*ca);
  return {};
}

Status login(Environment& environment, const LoginArgs& args) {
  CliConfig config{args.url, args.token, {}};
  if (!args.data_dir.empty()) {
    if (auto loaded = read_from_data_dir(args, config); !loaded) return loaded;
    if (!args.ca_fingerprint.empty()) {
      auto expected = normalize_fingerprint(args.ca_fingerprint);
      if (!expected) return std::unexpected(expected.error());
      if (auto checked = check_fingerprint(environment, config.ca, *expected); !checked) return checked;
    }
  } else if (auto fetched = fetch_trusted_ca(environment, args, config); !fetched) {
    return fetched;
  }

  auto transport = environment.connect(config.tower, config.ca);
  if (!transport) return std::unexpected(transport.error());
  const ApiClient api(config.tower, config.token, std::move(*transport));
  if (auto probe = api.get("/v1/sites?limit=1"); !probe) {
    if (probe.error().status == 401) return user_error("the tower refused the token");
    return std::unexpected(probe.error());
  }

  auto path = config_path_from(environment.outpost_config, environment.home);
  if (!path) return std::unexpected(path.error());
  if (auto saved = save_config(*path, config); !saved) return saved;
  environment.out << "Logged in to " << config.tower << '\n';
  return {};
}

}  // namespace

void add_login_command(CLI::App& app, Invocation& invocation, Verbs& verbs) {
  auto args = std::make_shared<LoginArgs>();
  auto* command = app.add_subcommand("login", "Save the tower's address, CA and an API token for later commands");
  command->add_option("url", args->url, "Tower URL, https://HOST:PORT")->required();
  command->add_option("--token", args->token, "API token");
  command->add_option("--ca-fingerprint", args->ca_fingerprint, "SHA-256 fingerprint of the tower's CA");
  command->add_option("--data", args->data_dir, "The tower's data directory (on the tower's machine)");
  verbs.push_back({command, [&invocation, args] { return report(invocation, login(invocation.environment, *args)); }});
}

}  // namespace outpost::cli
