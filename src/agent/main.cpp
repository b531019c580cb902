// outpost-agent — the agent alone, for edge hosts: the same code and flags as `outpost agent`,
// without the tower and the CLI, linked so that only what the agent uses is loaded (docs/footprint).
#include <CLI/CLI.hpp>

#include "agent/agent.hpp"
#include "agent/agent_options.hpp"

int main(int argc, char** argv) {
  CLI::App app{"outpost-agent: runs the containers an Outpost tower assigns to this edge host"};
  outpost::agent::AgentOptions options;
  outpost::agent::add_agent_options(app, options);
  CLI11_PARSE(app, argc, argv);
  return outpost::agent::run_agent(options);
}
