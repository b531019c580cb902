#include "cli/rollout_view.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

#include "cli/cell_text.hpp"
#include "common/duration.hpp"

namespace outpost::cli {
namespace {

using std::chrono::milliseconds;

// The last second of year 9999: beyond it a timestamp is garbage, and fmt refuses it anyway.
constexpr std::int64_t kLatestPrintableSecond = 253'402'300'799;

// Every state but healthy, in the order a site passes through them; healthy is the "done" count.
constexpr std::array<const char*, 6> kOtherSiteStates{"waiting", "pending", "held", "upgrading", "failed",
                                                      "rolled-back"};

const Json& member(const Json& object, const char* key) {
  static const Json absent;
  if (!object.is_object()) return absent;
  const auto it = object.find(key);
  return it == object.end() ? absent : *it;
}

// A time member in milliseconds since the epoch; negative or mistyped values count as absent.
std::optional<std::int64_t> millis_member(const Json& object, const char* key) {
  const std::int64_t value = integer_or(object, key, -1);
  if (value < 0) return std::nullopt;
  return value;
}

std::int64_t millis_since_epoch(Clock::time_point t) {
  return std::chrono::duration_cast<milliseconds>(t.time_since_epoch()).count();
}

std::string event_time_cell(const Json& event) {
  const auto at = millis_member(event, "at");
  if (!at || *at / 1000 > kLatestPrintableSecond) return kNone;
  return time_text(*at / 1000);
}

int int_member(const Json& object, const char* key) {
  return static_cast<int>(std::clamp<std::int64_t>(integer_or(object, key, 0), 0, 1'000'000'000));
}

std::string header_line(const std::string& label, const std::string& value) {
  return fmt::format("{:<14}{}\n", label + ":", value);
}

std::string phase_text(const Json& rollout, Clock::time_point now) {
  std::string text = cell(rollout, "phase");
  if (const std::string since = age_cell(rollout, "phase-since", now); since != kNone) text += " for " + since;
  if (const std::string reason = string_or(rollout, "paused-reason"); !reason.empty()) {
    text += " (" + reason + ")";
  }
  return text;
}

std::string rollout_label(const std::string& name) { return "rollout/" + name; }

}  // namespace

std::string progress_bar(int percent, int width) {
  const int clamped = std::clamp(percent, 0, 100);
  const int cells = std::max(width, 0);
  const int filled = clamped * cells / 100;
  return "[" + std::string(static_cast<std::size_t>(filled), '#') +
         std::string(static_cast<std::size_t>(cells - filled), '-') + "] " + std::to_string(clamped) + "%";
}

std::string age_text(milliseconds age) {
  const std::int64_t seconds = std::max<std::int64_t>(age.count() / 1000, 0);
  if (seconds < 60) return std::to_string(seconds) + "s";
  const std::int64_t minutes = seconds / 60;
  if (minutes < 60) return std::to_string(minutes) + "m";
  const std::int64_t hours = minutes / 60;
  // Hours up to two days read better than "1d" for something that happened yesterday.
  if (hours < 48) return std::to_string(hours) + "h";
  return std::to_string(hours / 24) + "d";
}

std::string age_cell(const Json& object, const char* key, Clock::time_point now) {
  const auto at = millis_member(object, key);
  if (!at) return kNone;
  return age_text(milliseconds(millis_since_epoch(now) - *at));
}

std::string rollout_header(const Json& rollout, Clock::time_point now) {
  const std::string started = age_cell(rollout, "started-at", now);
  return header_line("Deployment", cell(rollout, "deployment")) +
         header_line("Application", cell(rollout, "application")) +
         header_line("Version", cell(rollout, "from-version") + " → " + cell(rollout, "to-version")) +
         header_line("Phase", phase_text(rollout, now)) +
         header_line("Started", started == kNone ? started : started + " ago");
}

std::string progress_line(const Json& rollout) {
  const Json& progress = member(rollout, "progress");
  const Json& counts = member(progress, "sites");
  std::string line = progress_bar(int_member(progress, "percent")) + "  " +
                     std::to_string(int_member(progress, "done")) + "/" +
                     std::to_string(int_member(progress, "total")) + " sites healthy";
  const auto add_count = [&](const std::string& state) {
    if (const int count = int_member(counts, state.c_str()); count > 0) {
      line += ", " + std::to_string(count) + " " + state;
    }
  };
  for (const char* state : kOtherSiteStates) add_count(state);
  // States a newer tower may add still show, after the known ones.
  if (counts.is_object()) {
    for (const auto& [state, count] : counts.items()) {
      if (state == "healthy" || std::ranges::find(kOtherSiteStates, state) != kOtherSiteStates.end()) continue;
      add_count(state);
    }
  }
  return line;
}

Table rollout_sites_table(const Json& rollout, Clock::time_point now) {
  Table table{{"site", "state", "version", "canary", "since", "reason"}, {}};
  const Json& sites = member(rollout, "sites");
  if (!sites.is_object()) return table;
  for (const auto& [name, site] : sites.items()) {
    table.rows.push_back({name, cell(site, "state"), cell(site, "version"), yes_no_cell(site, "canary"),
                          age_cell(site, "since", now), cell(site, "reason")});
  }
  return table;
}

Table rollout_events_table(const Json& rollout, std::size_t newest) {
  Table table{{"time", "site", "event", "reason"}, {}};
  const Json& events = member(rollout, "events");
  if (!events.is_array()) return table;
  const std::size_t first = events.size() > newest ? events.size() - newest : 0;
  for (std::size_t i = first; i < events.size(); ++i) {
    const Json& event = events[i];
    table.rows.push_back({event_time_cell(event), cell(event, "site"), cell(event, "kind"), cell(event, "reason")});
  }
  return table;
}

std::string rollout_status_text(const Json& rollout, Clock::time_point now, std::size_t events) {
  std::string text = rollout_header(rollout, now) + "\n" + progress_line(rollout) + "\n\n";
  const Table sites = rollout_sites_table(rollout, now);
  text += sites.rows.empty() ? std::string("No sites.\n") : render_table(sites);
  const Table shown = rollout_events_table(rollout, events);
  if (shown.rows.empty()) return text;
  const std::size_t total = member(rollout, "events").size();
  text += shown.rows.size() < total ? fmt::format("\nEvents (newest {} of {}):\n", shown.rows.size(), total)
                                    : std::string("\nEvents:\n");
  return text + render_table(shown, "  ");
}

std::string rollout_phase(const Json& rollout) { return string_or(rollout, "phase"); }

std::string rollout_end_reason(const Json& rollout) {
  const Json& events = member(rollout, "events");
  if (events.is_array()) {
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
      if (!string_or(*it, "site").empty() || string_or(*it, "kind") == "rollback-complete") continue;
      if (std::string reason = string_or(*it, "reason"); !reason.empty()) return reason;
    }
  }
  return string_or(rollout, "paused-reason");
}

Status watch_rollout(const RolloutWatch& watch) {
  const Clock::time_point start = watch.clock.now();
  for (;;) {
    const auto rollout = watch.fetch();
    if (!rollout) return std::unexpected(rollout.error());
    watch.show(*rollout);

    const std::string phase = rollout_phase(*rollout);
    if (phase == "complete") return {};
    if (phase == "rolled-back" || phase == "aborted") {
      std::string message = rollout_label(watch.name) + (phase == "aborted" ? " was aborted" : " was rolled back");
      if (const std::string reason = rollout_end_reason(*rollout); !reason.empty()) message += ": " + reason;
      return fail(409, "rollout_" + phase, std::move(message));
    }

    // Elapsed time rather than a deadline, so a huge --timeout cannot overflow a time_point.
    const auto elapsed = std::chrono::duration_cast<milliseconds>(watch.clock.now() - start);
    if (elapsed >= watch.timeout) {
      return fail(408, "timed_out",
                  "timed out after " + format_duration(watch.timeout) + " waiting for " +
                      rollout_label(watch.name) + " to finish; its phase is " + (phase.empty() ? kNone : phase));
    }
    watch.sleep(std::min(watch.interval, watch.timeout - elapsed));
  }
}

}  // namespace outpost::cli
