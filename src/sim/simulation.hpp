#pragma once
// `outpost sim`: many simulated edge hosts in one process. Each is the real agent code (its
// runtime, reconciler, event journal and mTLS session) over the fake engine, which "runs"
// containers at once; only the container engine is simulated. Bounded: it stops by itself.
#include <chrono>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "agent/identity.hpp"
#include "common/result.hpp"

namespace outpost::sim {

// An enrolled simulated host and its data directory, where its checkpoint goes as a real
// agent's would (a later run on the same directory resumes from it).
struct SimHost {
  agent::AgentIdentity identity;
  std::filesystem::path data_dir;
};

// Runs `hosts` until `duration` has passed, printing every `report_every` how many hold a
// session and how many containers run. Returns the exit code.
int run_hosts(const std::vector<SimHost>& hosts, std::chrono::seconds duration, std::ostream& out,
              std::chrono::seconds report_every = std::chrono::seconds(5));

}  // namespace outpost::sim
