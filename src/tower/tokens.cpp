#include "tower/tokens.hpp"

#include "common/duration.hpp"
#include "tower/keys.hpp"

namespace outpost::tower {

namespace {

constexpr auto default_ttl = std::chrono::hours(24);
constexpr std::int64_t max_uses = 10'000;

std::unexpected<Error> refused(std::string why) { return fail(401, "unauthorized", "join token refused: " + why); }

}  // namespace

Result<Json> issue_join_token(TowerContext& context, const std::string& site, const Json& doc) {
  std::chrono::milliseconds ttl = default_ttl;
  std::int64_t uses = 1;
  for (const auto& [key, value] : doc.items()) {
    if (key == "ttl") {
      if (!value.is_string()) return invalid("ttl", "ttl must be a duration string such as \"24h\", got " + json_type_name(value));
      auto parsed = parse_duration(value.get<std::string>(), "ttl");
      if (!parsed) return std::unexpected(parsed.error());
      if (parsed->count() <= 0) return invalid("ttl", "ttl must be positive");
      ttl = *parsed;
    } else if (key == "uses") {
      if (!value.is_number_integer() || value.get<std::int64_t>() < 1 || value.get<std::int64_t>() > max_uses)
        return invalid("uses", "uses must be a whole number from 1 to " + std::to_string(max_uses));
      uses = value.get<std::int64_t>();
    } else {
      return invalid(key, "unknown field '" + key + "' (a token request takes ttl and uses)");
    }
  }
  const std::string id = random_hex(context.random, 8);
  const std::string secret = random_hex(context.random, 16);
  const auto expires_at = unix_seconds(context.clock.now()) + std::chrono::duration_cast<std::chrono::seconds>(ttl).count();
  Json stored = {{"site", site}, {"secret_sha256", sha256_hex(secret)}, {"expires_at", expires_at}, {"uses_left", uses}};
  if (auto put = context.store.put(keys::token(id), stored.dump(), 0); !put) return std::unexpected(put.error());
  return Json{{"token", id + "." + secret + "." + context.ca.fingerprint()},
              {"site", site},
              {"expires_at", expires_at},
              {"uses", uses}};
}

Result<RedeemedToken> check_join_token(TowerContext& context, const std::string& text) {
  auto first = text.find('.');
  auto second = first == std::string::npos ? std::string::npos : text.find('.', first + 1);
  if (second == std::string::npos) return refused("it is malformed (expected ID.SECRET.FINGERPRINT)");
  const std::string id = text.substr(0, first);
  const std::string secret = text.substr(first + 1, second - first - 1);
  if (id.empty() || id.find('/') != std::string::npos) return refused("it is malformed");
  auto stored = context.repo.raw(keys::token(id));
  if (!stored) return std::unexpected(stored.error());
  if (!*stored) return refused("unknown token (was the site deleted, or the token mistyped?)");
  const Json& token = (*stored)->value;
  if (token.value("secret_sha256", std::string{}) != sha256_hex(secret)) return refused("unknown token");
  if (token.value("expires_at", std::int64_t{0}) <= unix_seconds(context.clock.now()))
    return refused("it has expired; create a new one with `outpost sites token " + token.value("site", std::string{}) + "`");
  const auto uses_left = token.value("uses_left", std::int64_t{0});
  if (uses_left <= 0) return refused("it has already been used");
  RedeemedToken redeemed{token.value("site", std::string{}), {}};
  if (uses_left == 1) {
    redeemed.consume.push_back({TxnOp::Kind::remove, keys::token(id), {}, (*stored)->revision});
  } else {
    Json updated = token;
    updated["uses_left"] = uses_left - 1;
    redeemed.consume.push_back({TxnOp::Kind::put, keys::token(id), updated.dump(), (*stored)->revision});
  }
  return redeemed;
}

Result<std::vector<std::string>> site_token_keys(TowerContext& context, const std::string& site) {
  auto page = context.store.list(keys::tokens_prefix);
  if (!page) return std::unexpected(page.error());
  std::vector<std::string> out;
  for (const auto& kv : page->items) {
    Json token = Json::parse(kv.value, nullptr, /*allow_exceptions=*/false);
    if (token.is_object() && token.value("site", std::string{}) == site) out.push_back(kv.key);
  }
  return out;
}

}  // namespace outpost::tower
