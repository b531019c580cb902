#pragma once
// Every agent session is a socket, so a tower with thousands of sites (and the simulator that
// plays them) needs more open files than the usual soft limit of 1024.
#include <cstdint>

namespace outpost {

// Raises the soft limit on open files to the hard limit; returns the soft limit now in force.
std::uint64_t raise_open_file_limit();

// The cores this process may use, at least 1 (hardware_concurrency may report 0).
unsigned available_cores();

}  // namespace outpost
