#include "tower/tower_identity.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>

#include "common/files.hpp"

namespace outpost::tower {

namespace {

constexpr auto server_certificate_validity = std::chrono::hours(24 * 365);

std::vector<std::string> certificate_names(const std::string& listen, const std::string& advertise) {
  std::vector<std::string> names{"localhost", "127.0.0.1", "::1"};
  auto add = [&](std::string name) {
    if (name.size() >= 2 && name.front() == '[' && name.back() == ']') name = name.substr(1, name.size() - 2);
    if (!name.empty() && name != "0.0.0.0" && name != "::" && std::find(names.begin(), names.end(), name) == names.end())
      names.push_back(name);
  };
  add(listen.substr(0, listen.rfind(':')));
  std::size_t start = 0;
  while (start <= advertise.size() && !advertise.empty()) {
    auto comma = advertise.find(',', start);
    add(advertise.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return names;
}

}  // namespace

Result<TowerIdentity> load_or_create_identity(const std::filesystem::path& data_dir, const std::string& listen,
                                              const std::string& advertise, const Clock& clock, Random& random) {
  const auto pki = data_dir / "pki";
  if (auto made = ensure_directory(pki); !made) return std::unexpected(made.error());

  std::optional<CertificateAuthority> ca;
  auto ca_cert = read_file(pki / "ca.pem");
  auto ca_key = read_file(pki / "ca.key");
  if (ca_cert && ca_key) {
    auto loaded = CertificateAuthority::load(*ca_cert, *ca_key);
    if (!loaded) return fail(1, "pki", "the CA in " + pki.string() + " is unusable: " + loaded.error().message);
    ca = std::move(*loaded);
  } else {
    auto created = CertificateAuthority::create("Outpost tower CA", clock);
    if (!created) return std::unexpected(created.error());
    if (auto w = write_file_atomic(pki / "ca.key", created->key_pem(), 0600); !w) return std::unexpected(w.error());
    if (auto w = write_file_atomic(pki / "ca.pem", created->certificate_pem(), 0644); !w) return std::unexpected(w.error());
    spdlog::info("created a new certificate authority in {}", pki.string());
    ca = std::move(*created);
  }

  auto key = generate_private_key_pem();
  if (!key) return std::unexpected(key.error());
  auto cert = ca->issue_server_certificate(*key, certificate_names(listen, advertise), server_certificate_validity, clock);
  if (!cert) return std::unexpected(cert.error());
  if (auto w = write_file_atomic(pki / "server.key", *key, 0600); !w) return std::unexpected(w.error());
  if (auto w = write_file_atomic(pki / "server.pem", *cert, 0644); !w) return std::unexpected(w.error());

  auto token = read_file(data_dir / "admin.token");
  std::string admin_token;
  if (token) {
    admin_token = *token;
    while (!admin_token.empty() && (admin_token.back() == '\n' || admin_token.back() == '\r')) admin_token.pop_back();
  } else {
    admin_token = random_hex(random, 32);
    if (auto w = write_file_atomic(data_dir / "admin.token", admin_token + "\n", 0600); !w) return std::unexpected(w.error());
  }
  return TowerIdentity{std::move(*ca), std::move(*cert), std::move(*key), sha256_hex(admin_token)};
}

}  // namespace outpost::tower
