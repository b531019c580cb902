#pragma once
// The agent's command-line options, shared by `outpost agent` and the small `outpost-agent`
// binary edge hosts install, so that both take exactly the same flags.
#include <CLI/CLI.hpp>

#include "agent/agent.hpp"

namespace outpost::agent {

// Adds the agent's flags to `command`, writing into `options` (which must outlive parsing).
void add_agent_options(CLI::App& command, AgentOptions& options);

}  // namespace outpost::agent
