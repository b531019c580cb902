// `outpost sim --sites N [--hosts-per-site M] [--label K=V ...] [--duration 60s]`: creates N
// sites on the tower (PREFIX-000001 ..., labelled sim=true plus --label), enrolls their hosts
// with join tokens like a site provider would (--enroll-concurrency sites at a time), then runs
// them all in this process as simulated agents (sim/simulation.hpp) until --duration has passed.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "agent/enrollment.hpp"
#include "agent/identity.hpp"
#include "cli/commands.hpp"
#include "cli/request_target.hpp"
#include "common/duration.hpp"
#include "common/process_limits.hpp"
#include "common/tls.hpp"
#include "sim/simulation.hpp"

namespace outpost::cli {
namespace {

struct SimArgs {
  int sites = 10;
  int hosts_per_site = 1;
  int apps_per_site = 0;
  int failing_percent = 0;
  std::vector<std::string> labels;
  std::string prefix = "sim";
  std::string duration = "60s";
  std::string work_dir;
  std::string timing_file;
  std::string log_level = "warn";
  int enroll_concurrency = 32;
  unsigned threads = available_cores();
};

constexpr int sites_per_apply = 500;

std::string site_name(const std::string& prefix, int index) {
  char number[16];
  std::snprintf(number, sizeof number, "%06d", index);
  return prefix + "-" + number;
}

// K applications of one container each and a deployment of each on every site of this run.
std::string simulated_applications(const std::string& prefix, int count) {
  std::string documents;
  for (int i = 1; i <= count; ++i) {
    const std::string name = prefix + "-app-" + std::to_string(i);
    const Json container = {{"name", "main"}, {"image", "registry.local/sim/" + name + ":1"}};
    const Json service = {{"name", "main"}, {"containers", Json::array({container})}};
    documents += "---\n" + Json{{"kind", "application"}, {"name", name}, {"version", "1"},
                                 {"services", Json::array({service})}}.dump() + "\n";
    documents += "---\n" + Json{{"kind", "deployment"}, {"name", name}, {"application", name}, {"version", "1"},
                                 {"placement", {{"sites", "sim-prefix = " + prefix}}}}.dump() + "\n";
  }
  return documents;
}

Status simulate(const VerbContext& context, const SimArgs& args) {
  // Thousands of agents logging every action would drown the progress lines.
  spdlog::set_level(spdlog::level::from_str(args.log_level));
  auto duration = parse_duration(args.duration, "--duration");
  if (!duration) return std::unexpected(duration.error());
  Json labels = {{"sim", "true"}, {"sim-prefix", args.prefix}};
  for (const auto& label : args.labels) {
    auto equals = label.find('=');
    if (equals == std::string::npos || equals == 0)
      return bad_request("--label takes KEY=VALUE, got '" + label + "'", "--label");
    labels[label.substr(0, equals)] = label.substr(equals + 1);
  }
  const std::filesystem::path work_dir =
      args.work_dir.empty() ? std::filesystem::temp_directory_path() / ("outpost-sim-hosts-" + std::to_string(::getpid()))
                            : std::filesystem::path(args.work_dir);

  raise_open_file_limit();
  const auto started = std::chrono::steady_clock::now();
  auto elapsed = [&started] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };

  if (args.apps_per_site > 0) {
    auto applied = context.api.send_text("POST", "/v1/apply", simulated_applications(args.prefix, args.apps_per_site),
                                         "application/yaml");
    if (!applied) return std::unexpected(applied.error());
    context.err << "applied " << args.apps_per_site << " applications deployed to every site" << std::endl;
  }
  // Sites go in through /v1/apply, many per request: one store transaction each.
  for (int first = 1; first <= args.sites; first += sites_per_apply) {
    std::string documents;
    const int last = std::min(args.sites, first + sites_per_apply - 1);
    for (int i = first; i <= last; ++i)
      documents += "---\n" + Json{{"kind", "site"}, {"name", site_name(args.prefix, i)}, {"labels", labels}}.dump() + "\n";
    auto applied = context.api.send_text("POST", "/v1/apply", documents, "application/yaml");
    if (!applied) return std::unexpected(applied.error());
    context.err << "created " << last << "/" << args.sites << " sites in " << elapsed() << " s" << std::endl;
  }

  // The CA once, over the CLI's pinned connection: each host checks it against its token's
  // fingerprint instead of fetching it again.
  auto ca = context.api.get("/v1/ca");
  if (!ca) return std::unexpected(ca.error());
  agent::EnrollOptions enroll_options;
  enroll_options.known_ca_pem = string_or(*ca, "certificate");
  auto enroll_tls = make_client_tls(*enroll_options.known_ca_pem);
  if (!enroll_tls) return std::unexpected(enroll_tls.error());
  enroll_options.prepared_tls = std::move(*enroll_tls);

  sim::SimOptions options;
  options.threads = args.threads;
  options.duration = std::chrono::duration_cast<std::chrono::seconds>(*duration);
  options.timing_file = args.timing_file;
  options.session_tls = enroll_options.prepared_tls;  // trust only: both enrolling and sessions need just that
  sim::Simulation simulation(options, context.out);
  if (auto ok = simulation.start(); !ok) return ok;
  context.out << "running up to " << args.sites * args.hosts_per_site << " simulated hosts for "
              << options.duration.count() << " s, each from its enrollment on" << std::endl;

  // Each site's token and enrollments, several sites at once: a host's key, its CSR and the
  // tower's answer are independent of every other host's. A host runs as soon as it is enrolled.
  std::atomic<int> next_site{1};
  std::atomic<int> enrolled_sites{0};
  std::mutex failure_lock;
  std::optional<Error> failure;
  auto enroll_sites = [&] {
    for (int i = next_site++; i <= args.sites && !simulation.stopping(); i = next_site++) {
      const std::string site = site_name(args.prefix, i);
      std::string token;
      for (int h = 1; h <= args.hosts_per_site; ++h) {
        const std::string host = "h" + std::to_string(h);
        const auto data_dir = work_dir / site / host;
        auto identity = agent::load_identity(data_dir);
        if (!identity && token.empty()) {
          auto issued = context.api.send_json("POST", path_join("/v1/sites", site) + "/tokens", Json{{"uses", args.hosts_per_site}});
          if (!issued) identity = std::unexpected(issued.error());
          else token = (*issued)["token"].get<std::string>();
        }
        Status host_started;
        if (identity) {
          simulation.add({std::move(*identity), data_dir, sim::failing_site(i, args.failing_percent)});
        } else if (!token.empty()) {
          auto request = agent::prepare_enrollment(context.api.tower_url(), token, host, enroll_options);
          host_started = request ? simulation.enroll(std::move(*request), data_dir, sim::failing_site(i, args.failing_percent))
                                 : Status(std::unexpected(request.error()));
        } else {
          host_started = std::unexpected(identity.error());
        }
        if (!host_started && simulation.stopping()) return;  // the duration ended or a signal came: not a failure
        if (!host_started) {
          std::lock_guard lock(failure_lock);
          if (!failure) failure = host_started.error();
          simulation.stop();
          return;
        }
      }
      const int done = ++enrolled_sites;
      if (done % 500 == 0 || done == args.sites) {
        std::lock_guard lock(failure_lock);
        context.err << "enrolled " << done << "/" << args.sites << " sites (" << done * args.hosts_per_site << " hosts) in "
                    << elapsed() << " s" << std::endl;
      }
    }
  };
  std::vector<std::thread> workers;
  for (int w = 0; w < args.enroll_concurrency; ++w) workers.emplace_back(enroll_sites);
  simulation.wait();
  for (auto& worker : workers) worker.join();
  if (args.work_dir.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(work_dir, ignored);
  }
  if (failure) return std::unexpected(*failure);
  context.out << "simulation ended after " << options.duration.count() << " s" << std::endl;
  return {};
}

}  // namespace

void add_sim_command(CLI::App& app, Invocation& invocation, Verbs& verbs) {
  auto args = std::make_shared<SimArgs>();
  auto* command = app.add_subcommand("sim", "Run many simulated sites (real agent code, simulated engine) against a tower");
  command->add_option("--sites", args->sites, "How many sites")->check(CLI::Range(1, 100000))->capture_default_str();
  command->add_option("--hosts-per-site", args->hosts_per_site, "Hosts per site")->check(CLI::Range(1, 16))->capture_default_str();
  command->add_option("--apps-per-site", args->apps_per_site,
                      "Also apply this many one-container applications, each deployed to every simulated site")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  command->add_option("--failing", args->failing_percent,
                      "Per cent of sites whose simulated engine fails every container start")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  command->add_option("--threads", args->threads, "Threads the simulated hosts share")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  command->add_option("--timing-file", args->timing_file,
                      "Write a line per change each host sees (revision, running images), for benchmarks");
  command->add_option("--label", args->labels, "Label KEY=VALUE of every simulated site (repeatable)")->allow_extra_args(false);
  command->add_option("--prefix", args->prefix, "Site names are PREFIX-000001, ...")->capture_default_str();
  command->add_option("--duration", args->duration, "Stop after this long, e.g. 60s or 10m")->capture_default_str();
  command->add_option("--enroll-concurrency", args->enroll_concurrency, "Sites enrolled at the same time")
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  command->add_option("--work-dir", args->work_dir, "Keep the enrolled identities here (reused by a later run)");
  command->add_option("--log-level", args->log_level, "Log level of the simulated agents")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  verbs.push_back({command, [&invocation, args] {
                     return run_with_client(invocation, [args](const VerbContext& context) { return simulate(context, *args); });
                   }});
}

}  // namespace outpost::cli
