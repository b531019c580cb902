#include "agent/identity.hpp"

#include "common/files.hpp"
#include "common/json.hpp"

namespace outpost::agent {

Result<AgentIdentity> load_identity(const std::filesystem::path& data_dir) {
  auto meta_text = read_file(data_dir / "identity.json");
  if (!meta_text) return not_found("no identity in " + data_dir.string());
  auto meta = parse_document(*meta_text);
  if (!meta || !meta->is_object()) return fail(500, "corrupt", (data_dir / "identity.json").string() + " is damaged");
  AgentIdentity identity;
  identity.tower_url = string_or(*meta, "tower");
  identity.site = string_or(*meta, "site");
  identity.host = string_or(*meta, "host");
  for (auto [file, target] : {std::pair{"key.pem", &identity.key_pem}, {"cert.pem", &identity.cert_pem}, {"ca.pem", &identity.ca_pem}}) {
    auto content = read_file(data_dir / file);
    if (!content) return fail(500, "corrupt", "the identity in " + data_dir.string() + " lacks " + file + "; enroll again with a new join token");
    *target = std::move(*content);
  }
  return identity;
}

}  // namespace outpost::agent
