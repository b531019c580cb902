#pragma once
// The wire side of the Docker-compatible Engine API (v1.41): request targets and bodies built
// from Outpost's types, and engine replies parsed back into them. Pure functions, so the mapping
// is tested without an engine; DockerEngine only moves bytes.
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

// The engine's own explanation of a non-2xx reply ({"message": …}), else the body text.
std::string engine_error_message(unsigned http_status, std::string_view body);

// Maps a non-2xx reply to an Error: 404 → "not_found", anything else → "engine"; the status is
// the engine's.
Error engine_error(unsigned http_status, std::string_view body);

}  // namespace outpost::docker_api
