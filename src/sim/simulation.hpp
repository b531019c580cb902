#pragma once
// `outpost sim`: many simulated edge hosts in one process. Each is the real agent code (its
// runtime, reconciler, event journal and mTLS session) over the fake engine, which "runs"
// containers at once; only the container engine is simulated. Bounded: it stops by itself.
#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "agent/identity.hpp"
#include "common/result.hpp"

namespace outpost::sim {

struct SimOptions {
  int sites = 10;
  int hosts_per_site = 1;
  std::map<std::string, std::string> labels;  // every simulated site gets them, plus sim=true
  std::string prefix = "sim";                 // sites are PREFIX-000001, ...
  std::chrono::seconds duration{60};
  std::filesystem::path work_dir;             // enrolled identities; a temporary one if empty
};

// Runs `hosts` until `duration` has passed, printing every `report_every` how many hold a
// session and how many containers run. Returns the exit code.
int run_hosts(const std::vector<agent::AgentIdentity>& hosts, std::chrono::seconds duration, std::ostream& out,
              std::chrono::seconds report_every = std::chrono::seconds(5));

}  // namespace outpost::sim
