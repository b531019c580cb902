#pragma once
// The wire side of the Docker-compatible Engine API (v1.41): request targets and bodies built
// from Outpost's types, and engine replies parsed back into them. Pure functions, so the mapping
// is tested without an engine; DockerEngine only moves bytes.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.hpp"
#include "common/result.hpp"
#include "engine/engine.hpp"
#include "model/render.hpp"

namespace outpost::docker_api {

inline constexpr std::string_view api_prefix = "/v1.41";

// An image reference as the pull endpoint wants it: `fromImage` and `tag`. A digest reference
// ("repo@sha256:…") puts the digest in `tag`, as the Docker client does; no tag means "latest".
// A registry host with a port ("127.0.0.1:5000/a/b") is part of the repository, not a tag.
struct ImageReference {
  std::string repository;
  std::string tag;
  bool operator==(const ImageReference&) const = default;
};
ImageReference split_image_reference(std::string_view image);

// Percent-encodes everything but RFC 3986 unreserved characters (for query values).
std::string percent_encode(std::string_view text);

// GET target listing all containers (any state) carrying every label in `label_filter`.
std::string list_containers_target(const std::map<std::string, std::string>& label_filter);
std::string pull_target(std::string_view image);
std::string image_inspect_target(std::string_view image);
std::string create_container_target(std::string_view name);

// The container create body: image, command, env, labels, published ports, and restart policy
// "no" (the agent applies restart policies itself, so the engine must not race it).
Json create_container_body(const PlannedContainer& planned);

// Container ids from a GET /containers/json reply.
Result<std::vector<std::string>> container_ids_from_list(std::string_view body);

// A GET /containers/{id}/json reply as ContainerInfo.
Result<ContainerInfo> container_info_from_inspect(std::string_view body);

// The container id from a create reply.
Result<std::string> container_id_from_create(std::string_view body);

// A pull reply is a stream of JSON progress objects; a failed pull still answers 200 and puts
// the reason in an "error"/"errorDetail" object. Returns the first such message, if any.
std::optional<std::string> pull_stream_error(std::string_view body);

// --- exec: create an exec instance, start it attached (the reply streams its output until the
// process ends), then inspect it for the exit code.
std::string exec_create_target(std::string_view container_id);
Json exec_create_body(const std::vector<std::string>& command);
Result<std::string> exec_id_from_create(std::string_view body);
std::string exec_start_target(std::string_view exec_id);
Json exec_start_body();
std::string exec_inspect_target(std::string_view exec_id);

struct ExecState {
  bool running = false;
  std::optional<int> exit_code;  // absent while the engine has none yet
};
Result<ExecState> exec_state_from_inspect(std::string_view body);

// Maps a non-2xx exec reply: a container that is not running is 409 "conflict" (Docker answers
// 409, Podman 500 "container state improper"); otherwise as engine_error.
Error exec_error(unsigned http_status, std::string_view body);

// --- logs
std::string logs_target(std::string_view container_id, int tail_lines);

// The payload of an attach/logs/exec stream without a TTY: frames of an 8-byte header (stream
// type 0-2, three zero bytes, big-endian payload size) then the payload, stdout and stderr
// interleaved in arrival order. Returns the last `max_kept` bytes of the joined payloads. A
// stream that does not start with such a header is a TTY's raw output and is returned as it is;
// a truncated last frame yields what arrived of it.
std::string demultiplex_stream(std::string_view stream, std::size_t max_kept);

// The last `count` lines of `text`, without their "\n" or "\r\n"; a final line without a
// terminator counts.
std::vector<std::string> last_lines(std::string_view text, int count);

// The engine's own explanation of a non-2xx reply ({"message": …}), else the body text.
std::string engine_error_message(unsigned http_status, std::string_view body);

// Maps a non-2xx reply to an Error: 404 → "not_found", anything else → "engine"; the status is
// the engine's.
Error engine_error(unsigned http_status, std::string_view body);

}  // namespace outpost::docker_api
