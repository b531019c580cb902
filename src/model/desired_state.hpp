#pragma once
// What one site should run: the tower computes it from placement, stores it, and sends it to the
// site's agents as revisioned deltas; the agent checkpoints it before acting.
//
// Deltas: every application entry remembers the site revision at which it last changed, and a
// removed application leaves a tombstone with the revision of its removal. So "what changed
// since revision N" is the entries and tombstones newer than N — no history log is needed, and a
// delta grows with the number of changes, not with the site's whole state. Tombstones older than
// `compacted_before` are dropped; an agent behind that point gets a full state instead.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/json.hpp"
#include "model/application.hpp"

namespace outpost {

struct InstanceAssignment {
  std::string service;
  std::string instance;  // "<service>-<index>", e.g. "web-0"
  std::string host;      // the host of the site that runs it

  bool operator==(const InstanceAssignment&) const = default;
};

struct SiteApp {
  std::string deployment;
  Application application;
  std::vector<InstanceAssignment> instances;

  Json to_json() const;
  static Result<SiteApp> from_json(const Json& doc);

  bool operator==(const SiteApp&) const = default;
};

struct SiteDesired {
  struct Entry {
    std::uint64_t revision = 0;
    std::optional<SiteApp> app;  // nullopt = tombstone (removed at `revision`)
  };

  std::string site;
  std::uint64_t revision = 0;
  std::uint64_t compacted_before = 0;
  std::uint64_t vars_revision = 0;
  std::map<std::string, std::string> vars;  // site variables and SYS_SITE (SYS_TENANT later)
  std::map<std::string, Entry> apps;        // by application name

  // Replaces the whole desired content. Bumps `revision` once if anything differs and stamps the
  // changed entries (and tombstones for apps no longer present) with it. Returns whether it did.
  bool update(const std::map<std::string, SiteApp>& apps_now,
              const std::map<std::string, std::string>& vars_now);

  // {"site","from","revision","full", "vars"?, "apps":{name: SiteApp}, "removed":[name]}.
  // full=true (every live app, no "removed") when from == 0, from > revision or
  // from < compacted_before.
  Json delta_since(std::uint64_t from) const;

  // Agent side: applies a delta produced by delta_since(). A non-full delta must start at this
  // state's revision (from == revision), otherwise 409 "revision_gap" and nothing changes.
  Status apply_delta(const Json& delta);

  // Drops tombstones older than `before`.
  void compact(std::uint64_t before);

  // Live applications only.
  std::map<std::string, const SiteApp*> live() const;

  Json to_json() const;  // full fidelity, including tombstones (for the store and checkpoints)
  static Result<SiteDesired> from_json(const Json& doc);
};

}  // namespace outpost
