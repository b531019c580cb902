#include "tower/tower.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include <iostream>

#include "common/files.hpp"
#include "common/process_limits.hpp"
#include "common/pki.hpp"
#include "common/random.hpp"
#include "common/tls.hpp"
#include "tower/events_writer.hpp"
#include "tower/fleet_index.hpp"
#include "tower/http_server.hpp"
#include "tower/placement_controller.hpp"
#include "tower/rollout_controller.hpp"
#include "tower/session_hub.hpp"
#include "tower/tower_identity.hpp"

namespace outpost::tower {

int run_tower(const TowerOptions& options) {
  spdlog::set_level(spdlog::level::from_str(options.log_level));
  const auto open_files = raise_open_file_limit();
  spdlog::info("up to {} open files: about that many agent sessions", open_files);
  SystemClock clock;
  SecureRandom random;

  auto identity = load_or_create_identity(options.data_dir, options.listen, options.advertise, clock, random);
  if (!identity) {
    std::cerr << "error: " << identity.error().message << "\n";
    return 1;
  }
  auto store = open_sqlite_store(options.data_dir / "store.db");
  if (!store) {
    std::cerr << "error: cannot open the store: " << store.error().message << "\n";
    return 1;
  }
  auto tls = make_server_tls(identity->server_cert_pem, identity->server_key_pem, identity->ca.certificate_pem());
  if (!tls) {
    std::cerr << "error: " << tls.error().message << "\n";
    return 1;
  }

  boost::asio::io_context io(1);
  SessionHub hub(clock);
  Repository repo(**store);
  FleetIndex fleet(**store);
  if (auto loaded = fleet.start(); !loaded) {
    std::cerr << "error: cannot read the sites: " << loaded.error().message << "\n";
    return 1;
  }
  PlacementController placement(repo, fleet, hub, io.get_executor());
  RolloutController rollouts(repo, fleet, hub, placement, clock, io.get_executor());
  EventsWriter events(**store, hub, io.get_executor());
  TowerContext context{**store, repo,      identity->ca, clock,  random, identity->admin_token_sha256,
                       hub,     fleet,     placement,    rollouts, events, options.session_timeout};

  HttpServer server(io, *tls, context, options.handshake_threads);
  if (auto listening = server.listen(options.listen); !listening) {
    std::cerr << "error: " << listening.error().message << "\n";
    return 1;
  }
  // Rollouts first: they tell placement which version each site runs mid-rollout.
  if (auto started = rollouts.start(); !started) {
    std::cerr << "error: " << started.error().message << "\n";
    return 1;
  }
  if (auto started = placement.start(); !started) {
    std::cerr << "error: " << started.error().message << "\n";
    return 1;
  }
  server.start();

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int signal) {
    spdlog::info("signal {} received, stopping", signal);
    io.stop();
  });
  spdlog::info("tower listening on https://{} (CA fingerprint {})", options.listen, identity->ca.fingerprint());
  spdlog::info("admin token in {}", (options.data_dir / "admin.token").string());
  // Objects declared after `io` go first; `io` then destroys the suspended coroutine frames,
  // which never run again (the loop has stopped) and only refer to those objects.
  io.run();
  return 0;
}

}  // namespace outpost::tower
