#include "rollout/rollout_state.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace outpost {
namespace {

constexpr std::array site_state_names{std::pair{SiteRolloutState::waiting, "waiting"},
                                      std::pair{SiteRolloutState::pending, "pending"},
                                      std::pair{SiteRolloutState::held, "held"},
                                      std::pair{SiteRolloutState::upgrading, "upgrading"},
                                      std::pair{SiteRolloutState::healthy, "healthy"},
                                      std::pair{SiteRolloutState::failed, "failed"},
                                      std::pair{SiteRolloutState::rolled_back, "rolled-back"}};
constexpr std::array phase_names{std::pair{RolloutPhase::canary, "canary"},
                                 std::pair{RolloutPhase::batches, "batches"},
                                 std::pair{RolloutPhase::paused, "paused"},
                                 std::pair{RolloutPhase::complete, "complete"},
                                 std::pair{RolloutPhase::rolling_back, "rolling-back"},
                                 std::pair{RolloutPhase::rolled_back, "rolled-back"},
                                 std::pair{RolloutPhase::aborted, "aborted"}};

template <class Enum, std::size_t N>
std::string name_of(const std::array<std::pair<Enum, const char*>, N>& names, Enum value) {
  for (const auto& [candidate, name] : names)
    if (candidate == value) return name;
  return "unknown";
}

template <class Enum, std::size_t N>
Result<Enum> parse_name(const std::array<std::pair<Enum, const char*>, N>& names, const Json& value,
                        const std::string& field) {
  if (value.is_string())
    for (const auto& [candidate, name] : names)
      if (value.get_ref<const std::string&>() == name) return candidate;
  return invalid(field, "is not a known value: " + value.dump());
}

std::int64_t millis(RolloutTime t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

Result<RolloutTime> time_field(const Json& object, const std::string& key, const std::string& field) {
  auto found = object.find(key);
  if (found == object.end() || !found->is_number_integer())
    return invalid(field + "." + key, "must be milliseconds since the epoch");
  return RolloutTime(std::chrono::milliseconds(found->get<std::int64_t>()));
}

Result<std::string> text_field(const Json& object, const std::string& key, const std::string& field) {
  auto found = object.find(key);
  if (found == object.end()) return std::string();
  if (!found->is_string()) return invalid(field + "." + key, "must be a string");
  return found->get<std::string>();
}

Result<RolloutEvent> event_from_json(const Json& value, const std::string& field) {
  if (!value.is_object()) return invalid(field, "must be an object");
  auto at = time_field(value, "at", field);
  auto kind = text_field(value, "kind", field);
  auto site = text_field(value, "site", field);
  auto reason = text_field(value, "reason", field);
  if (!at) return std::unexpected(at.error());
  if (!kind) return std::unexpected(kind.error());
  if (!site) return std::unexpected(site.error());
  if (!reason) return std::unexpected(reason.error());
  return RolloutEvent{*at, std::move(*kind), std::move(*site), std::move(*reason)};
}

}  // namespace

std::string to_string(SiteRolloutState state) { return name_of(site_state_names, state); }
std::string to_string(RolloutPhase phase) { return name_of(phase_names, phase); }

Json SiteRollout::to_json() const {
  return {{"state", outpost::to_string(state)}, {"since", millis(since)}, {"reason", reason}, {"version", version},
          {"canary", canary}};
}

Result<SiteRollout> SiteRollout::from_json(const Json& value, const std::string& field) {
  if (!value.is_object()) return invalid(field, "must be an object");
  SiteRollout site;
  auto state = parse_name(site_state_names, value.value("state", Json()), field + ".state");
  auto since = time_field(value, "since", field);
  auto reason = text_field(value, "reason", field);
  auto version = text_field(value, "version", field);
  if (!state) return std::unexpected(state.error());
  if (!since) return std::unexpected(since.error());
  if (!reason) return std::unexpected(reason.error());
  if (!version) return std::unexpected(version.error());
  site.state = *state;
  site.since = *since;
  site.reason = std::move(*reason);
  site.version = std::move(*version);
  site.canary = value.value("canary", Json(false)).is_boolean() && value["canary"].get<bool>();
  return site;
}

Json RolloutEvent::to_json() const {
  Json out = {{"at", millis(at)}, {"kind", kind}, {"reason", reason}};
  if (!site.empty()) out["site"] = site;
  return out;
}

void RolloutState::record(RolloutEvent event) {
  events.push_back(std::move(event));
  if (events.size() > max_events) events.erase(events.begin(), events.end() - max_events);
}

int RolloutState::count(SiteRolloutState state) const {
  return static_cast<int>(std::count_if(sites.begin(), sites.end(),
                                        [state](const auto& entry) { return entry.second.state == state; }));
}

Json RolloutState::to_json() const {
  Json out = header_json();
  Json site_list = Json::object();
  for (const auto& [name, site] : sites) site_list[name] = site.to_json();
  out["sites"] = std::move(site_list);
  return out;
}

Json RolloutState::header_json() const {
  Json event_list = Json::array();
  for (const auto& event : events) event_list.push_back(event.to_json());
  return {{"from-version", from_version},
          {"to-version", to_version},
          {"phase", to_string(phase)},
          {"resume-phase", to_string(resume_phase)},
          {"paused-reason", paused_reason},
          {"accepted-failures", accepted_failures},
          {"started-at", millis(started_at)},
          {"phase-since", millis(phase_since)},
          {"events", event_list}};
}

Result<RolloutState> RolloutState::from_json(const Json& value) {
  const std::string field = "rollout";
  if (!value.is_object()) return invalid(field, "must be an object");
  RolloutState state;
  auto from = text_field(value, "from-version", field);
  auto to = text_field(value, "to-version", field);
  auto paused_reason = text_field(value, "paused-reason", field);
  auto phase = parse_name(phase_names, value.value("phase", Json()), field + ".phase");
  auto resume_phase = parse_name(phase_names, value.value("resume-phase", Json()), field + ".resume-phase");
  auto started_at = time_field(value, "started-at", field);
  auto phase_since = time_field(value, "phase-since", field);
  if (!from) return std::unexpected(from.error());
  if (!to) return std::unexpected(to.error());
  if (!paused_reason) return std::unexpected(paused_reason.error());
  if (!phase) return std::unexpected(phase.error());
  if (!resume_phase) return std::unexpected(resume_phase.error());
  if (!started_at) return std::unexpected(started_at.error());
  if (!phase_since) return std::unexpected(phase_since.error());
  state.from_version = std::move(*from);
  state.to_version = std::move(*to);
  state.paused_reason = std::move(*paused_reason);
  state.phase = *phase;
  state.resume_phase = *resume_phase;
  state.started_at = *started_at;
  state.phase_since = *phase_since;
  state.accepted_failures = static_cast<int>(integer_or(value, "accepted-failures", 0));
  const Json sites = value.value("sites", Json::object());
  if (!sites.is_object()) return invalid(field + ".sites", "must be an object");
  for (const auto& [name, site_json] : sites.items()) {
    auto site = SiteRollout::from_json(site_json, field + ".sites." + name);
    if (!site) return std::unexpected(site.error());
    state.sites.emplace(name, std::move(*site));
  }
  const Json events = value.value("events", Json::array());
  if (!events.is_array()) return invalid(field + ".events", "must be a list");
  for (std::size_t i = 0; i < events.size(); ++i) {
    auto event = event_from_json(events[i], field + ".events[" + std::to_string(i) + "]");
    if (!event) return std::unexpected(event.error());
    state.record(std::move(*event));
  }
  return state;
}

Json RolloutProgress::to_json() const {
  return {{"sites", sites_by_state}, {"total", total}, {"done", done}, {"percent", percent}};
}

RolloutProgress progress(const RolloutState& state) {
  RolloutProgress out;
  for (const auto& [value, name] : site_state_names) out.sites_by_state[name] = state.count(value);
  out.total = static_cast<int>(state.sites.size());
  out.done = state.count(SiteRolloutState::healthy);
  out.percent = out.total == 0 ? 100 : out.done * 100 / out.total;
  return out;
}

}  // namespace outpost
