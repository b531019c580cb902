#pragma once
// Everything a request handler needs, passed explicitly (no globals).
#include <chrono>
#include <string>

#include "common/clock.hpp"
#include "common/pki.hpp"
#include "common/random.hpp"
#include "store/store.hpp"
#include "tower/repository.hpp"

namespace outpost::tower {

class SessionHub;
class FleetIndex;
class PlacementController;
class RolloutController;
class EventsWriter;

struct TowerContext {
  Store& store;
  Repository repo;
  CertificateAuthority ca;
  const Clock& clock;
  Random& random;
  std::string admin_token_sha256;
  SessionHub& hub;
  const FleetIndex& fleet;
  PlacementController& placement;
  RolloutController& rollouts;
  EventsWriter& events;
  // An agent session without any traffic for this long is dropped; pings go out at half of it.
  std::chrono::seconds session_timeout{30};
};

}  // namespace outpost::tower
