#pragma once
// A tower without sockets for handler tests: a real SQLite store in a temporary directory, the
// real placement controller and session hub, a manual clock and seeded randomness.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <memory>

#include "tower/events_writer.hpp"
#include "tower/placement_controller.hpp"
#include "tower/rollout_controller.hpp"
#include "tower/router.hpp"
#include "tower/session_hub.hpp"

namespace outpost::tower {

class TowerFixture : public ::testing::Test {
 protected:
  static constexpr const char* admin_token = "test-admin-token";

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("outpost-tower-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    // Transactions as small as etcd's, so that every batching path runs in these tests.
    store_ = open_sqlite_store(dir_ / "store.db", {Store::etcd_operations_per_transaction}).value();
    hub_ = std::make_unique<SessionHub>(clock_);
    repo_ = std::make_unique<Repository>(*store_);
    fleet_ = std::make_unique<FleetIndex>(*store_);
    ASSERT_TRUE(fleet_->start().has_value());
    placement_ = std::make_unique<PlacementController>(*repo_, *fleet_, *hub_, io_.get_executor());
    // Stepped by the tests (or by the spec watches), never by its timer; no reconnect grace.
    rollouts_ = std::make_unique<RolloutController>(*repo_, *fleet_, *hub_, *placement_, clock_, io_.get_executor(),
                                                    std::chrono::hours(24), std::chrono::milliseconds::zero());
    events_ = std::make_unique<EventsWriter>(*store_, *hub_, io_.get_executor());
    context_ = std::make_unique<TowerContext>(TowerContext{*store_, Repository(*store_),
                                                           CertificateAuthority::create("test CA", clock_).value(), clock_,
                                                           random_, sha256_hex(admin_token), *hub_, *fleet_, *placement_, *rollouts_,
                                                           *events_});
    ASSERT_TRUE(rollouts_->start().has_value());
    ASSERT_TRUE(placement_->start().has_value());
  }

  void TearDown() override {
    context_.reset();
    events_.reset();
    rollouts_.reset();
    placement_.reset();
    fleet_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Sends one request as an authenticated client and lets deferred work (placement) run.
  ApiResponse call(const std::string& method, const std::string& target, const std::string& body = {},
                   std::map<std::string, std::string> headers = {}, bool authenticated = true) {
    auto request = parse_target(method, target).value();
    request.headers = std::move(headers);
    if (authenticated) request.headers["authorization"] = std::string("Bearer ") + admin_token;
    request.body = body;
    ApiResponse response = handle_request(*context_, request);
    io_.poll();
    io_.restart();
    return response;
  }

  std::int64_t store_revision() { return store_->revision().value(); }

  ManualClock clock_;
  SeededRandom random_{42};
  boost::asio::io_context io_;
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<SessionHub> hub_;
  std::unique_ptr<Repository> repo_;
  std::unique_ptr<FleetIndex> fleet_;
  std::unique_ptr<PlacementController> placement_;
  std::unique_ptr<RolloutController> rollouts_;
  std::unique_ptr<EventsWriter> events_;
  std::unique_ptr<TowerContext> context_;
};

inline constexpr const char* two_service_app = R"(
kind: application
name: shop
version: 1.0.0
services:
  - name: web
    containers:
      - name: web
        image: 127.0.0.1:5000/shop/web:1.0.0
        ports: [{container: 8080, host: "${WEB_PORT}"}]
  - name: worker
    containers:
      - name: worker
        image: 127.0.0.1:5000/shop/web:1.0.0
)";

inline constexpr const char* north_deployment = R"(
kind: deployment
name: shop
application: shop
version: 1.0.0
placement: {sites: region = north}
)";

}  // namespace outpost::tower
