// Google Benchmark for the tower's hot pure code at fleet scale: label selection over 10,000
// sites, placement of every deployment on a site, and the delta a reconnecting site receives.
// Run by hand: build/release/outpost_bench_pure (see docs/benchmarks.md).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "common/clock.hpp"
#include "common/pki.hpp"
#include "model/desired_state.hpp"
#include "model/label_expr.hpp"
#include "model/site.hpp"
#include "tower/placement.hpp"

namespace outpost {
namespace {

constexpr const char* app_yaml = R"(
name: shop
version: 1.0.0
services:
  - name: web
    replicas: 2
    containers:
      - {name: web, image: "registry.local/shop/web:1", env: {SITE: "${SYS_SITE}"}, ports: [{container: 8080, host: "${WEB_PORT}"}]}
  - name: worker
    containers:
      - {name: worker, image: "registry.local/shop/worker:1"}
)";

const char* const regions[] = {"north", "south", "east", "west"};

// Sites like a retail fleet: a region, a tier, a store format and a canary flag on some.
std::vector<Site> fleet(int count) {
  std::vector<Site> sites;
  sites.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    Site site;
    site.name = "store-" + std::to_string(i);
    site.labels = {{"region", regions[i % 4]}, {"tier", i % 10 == 0 ? "gold" : "standard"},
                   {"format", i % 3 == 0 ? "express" : "superstore"}};
    if (i % 50 == 0) site.labels["canary"] = "true";
    site.vars = {{"WEB_PORT", "18080"}};
    sites.push_back(std::move(site));
  }
  return sites;
}

Application shop_application(const std::string& name) {
  Application app = Application::from_json(parse_document(app_yaml).value()).value();
  app.name = name;
  return app;
}

void BM_SelectSites(benchmark::State& state) {
  const auto sites = fleet(static_cast<int>(state.range(0)));
  std::vector<Labels> labels;
  for (const auto& site : sites) labels.push_back(site.effective_labels());
  auto expr = LabelExpr::parse("region in (north, west) and tier = gold and not has(canary)").value();
  for (auto _ : state) {
    std::size_t selected = 0;
    for (const auto& l : labels) selected += expr.matches(l);
    benchmark::DoNotOptimize(selected);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetLabel("sites evaluated");
}
BENCHMARK(BM_SelectSites)->Arg(1000)->Arg(10000);

void BM_PlaceFleet(benchmark::State& state) {
  const auto sites = fleet(static_cast<int>(state.range(0)));
  std::vector<Application> apps;
  for (int i = 0; i < 5; ++i) apps.push_back(shop_application("app-" + std::to_string(i)));
  std::vector<tower::ResolvedDeployment> deployments;
  const char* selectors[] = {"region = north", "region in (south, east)", "tier = gold", "format = express", ""};
  for (int i = 0; i < 5; ++i) {
    Deployment d;
    d.name = "app-" + std::to_string(i);
    d.application = d.name;
    d.version = "1.0.0";
    d.placement = LabelExpr::parse(selectors[i]).value();
    deployments.push_back({d, &apps[static_cast<std::size_t>(i)]});
  }
  const std::vector<std::string> hosts{"h1", "h2"};
  for (auto _ : state) {
    std::size_t placed = 0;
    for (const auto& site : sites) placed += tower::place_on_site(site, hosts, deployments).size();
    benchmark::DoNotOptimize(placed);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetLabel("sites placed (5 deployments, 2 hosts each)");
}
BENCHMARK(BM_PlaceFleet)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

// A site with `apps` applications, then `changes` of them changed: the delta a reconnecting
// agent receives must grow with the changes, not with the site's whole state.
void BM_DeltaAfterChanges(benchmark::State& state) {
  const int apps = static_cast<int>(state.range(0));
  const int changes = static_cast<int>(state.range(1));
  SiteDesired desired;
  desired.site = "store-1";
  std::map<std::string, SiteApp> now;
  for (int i = 0; i < apps; ++i) {
    const std::string name = "app-" + std::to_string(i);
    now[name] = SiteApp{name, shop_application(name), {{"web", "web-0", "h1"}, {"worker", "worker-0", "h1"}}};
  }
  desired.update(now, {{"SYS_SITE", "store-1"}});
  const auto before = desired.revision;
  for (int i = 0; i < changes; ++i) {
    auto& app = now["app-" + std::to_string(i)].application;
    app.version = "2.0.0";
  }
  desired.update(now, {{"SYS_SITE", "store-1"}});
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string wire = desired.delta_since(before).dump();
    bytes = wire.size();
    benchmark::DoNotOptimize(wire);
  }
  state.counters["delta_bytes"] = static_cast<double>(bytes);
  state.counters["full_bytes"] = static_cast<double>(desired.delta_since(0).dump().size());
}
BENCHMARK(BM_DeltaAfterChanges)->Args({20, 1})->Args({20, 5})->Args({20, 20})->Args({100, 1});

// What enrollment costs the tower per host: checking the CSR's signature and signing the host
// certificate. (The agent makes its key and CSR on its own machine.)
void BM_SignHostCertificate(benchmark::State& state) {
  SystemClock clock;
  auto ca = CertificateAuthority::create("bench CA", clock).value();
  auto key = generate_private_key_pem().value();
  auto csr = make_csr(key, "store-1/h1").value();
  for (auto _ : state) {
    auto cert = ca.sign_client_csr(csr, "store-1/h1", std::chrono::hours(24 * 365), clock);
    benchmark::DoNotOptimize(cert);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("host certificates signed");
}
BENCHMARK(BM_SignHostCertificate)->Unit(benchmark::kMicrosecond);

// The agent's side of enrollment, for comparison: a P-256 key and a CSR.
void BM_MakeKeyAndCsr(benchmark::State& state) {
  for (auto _ : state) {
    auto key = generate_private_key().value();  // kept parsed, as enroll() does
    auto csr = make_csr(key.handle.get(), "store-1/h1");
    benchmark::DoNotOptimize(csr);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_MakeKeyAndCsr)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace outpost

BENCHMARK_MAIN();
