#pragma once
// Everything a request handler needs, passed explicitly (no globals).
#include <string>

#include "common/clock.hpp"
#include "common/pki.hpp"
#include "common/random.hpp"
#include "store/store.hpp"
#include "tower/repository.hpp"

namespace outpost::tower {

class SessionHub;
class PlacementController;
class RolloutController;

struct TowerContext {
  Store& store;
  Repository repo;
  CertificateAuthority ca;
  const Clock& clock;
  Random& random;
  std::string admin_token_sha256;
  SessionHub& hub;
  PlacementController& placement;
  RolloutController& rollouts;
};

}  // namespace outpost::tower
