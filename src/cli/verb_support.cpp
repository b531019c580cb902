#include "cli/cli_error.hpp"
#include "cli/commands.hpp"
#include "cli/config.hpp"

namespace outpost::cli {

int report(Invocation& invocation, const Status& status) {
  if (status) return kExitOk;
  invocation.environment.err << format_error(status.error()) << '\n';
  return exit_code_for(status.error());
}

int run_with_client(Invocation& invocation, const ClientVerb& verb) {
  auto& environment = invocation.environment;
  const auto format = parse_output_format(invocation.output);
  if (!format) return report(invocation, std::unexpected(format.error()));
  const auto path = config_path_from(environment.outpost_config, environment.home);
  if (!path) return report(invocation, std::unexpected(path.error()));
  const auto config = load_config(*path);
  if (!config) return report(invocation, std::unexpected(config.error()));
  auto transport = environment.connect(config->tower, config->ca);
  if (!transport) return report(invocation, std::unexpected(transport.error()));
  const ApiClient api(config->tower, config->token, std::move(*transport));
  const VerbContext context{api, *format, environment.in, environment.out, environment.err};
  return report(invocation, verb(context));
}

}  // namespace outpost::cli
