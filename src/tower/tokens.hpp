#pragma once
// Join tokens: single-site, expiring, with a bounded number of uses. The text handed to a site
// provider is ID.SECRET.CA_FINGERPRINT; the store keeps only the secret's SHA-256.
#include <string>
#include <vector>

#include "tower/context.hpp"

namespace outpost::tower {

// doc: {"ttl": "24h"?, "uses": 1?} → {"token","site","expires_at","uses"}.
Result<Json> issue_join_token(TowerContext& context, const std::string& site, const Json& doc);

struct RedeemedToken {
  std::string site;
  std::vector<TxnOp> consume;  // the store ops that use the token up (commit with the enrollment)
};

// Checks a presented token. Every failure is 401 with a reason a person can act on.
Result<RedeemedToken> check_join_token(TowerContext& context, const std::string& text);

Result<std::vector<std::string>> site_token_keys(TowerContext& context, const std::string& site);

}  // namespace outpost::tower
