#pragma once
// Entry point of the `outpost` binary: parses the command line (CLI11) and dispatches to the
// tower, the agent or a CLI verb. Returns the process exit code:
//   0 ok, 1 user error (bad input, or the server's error message), 2 tower unreachable.
namespace outpost::cli {
int run_main(int argc, char** argv);
}
