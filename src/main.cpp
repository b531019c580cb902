// outpost — one binary: `outpost tower`, `outpost agent`, and the CLI verbs.
#include "cli/main_command.hpp"

int main(int argc, char** argv) { return outpost::cli::run_main(argc, argv); }
