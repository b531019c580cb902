#include "agent/event_journal.hpp"

#include <spdlog/spdlog.h>

#include "common/files.hpp"
#include "common/text.hpp"

namespace outpost::agent {

namespace {

template <class T>
T field_or(const Json& json, const char* key, T fallback) {
  auto it = json.find(key);
  if (it == json.end()) return fallback;
  if constexpr (std::is_same_v<T, std::string>) {
    return it->is_string() ? it->template get<std::string>() : fallback;
  } else {
    return it->is_number_integer() ? it->template get<T>() : fallback;
  }
}

}  // namespace

Json AgentEvent::to_json() const {
  Json out = {{"seq", seq}, {"time", time}, {"kind", kind}, {"level", level}, {"message", message}};
  if (!app.empty()) out["app"] = app;
  if (!instance.empty()) out["instance"] = instance;
  if (!container.empty()) out["container"] = container;
  return out;
}

std::optional<AgentEvent> AgentEvent::from_json(const Json& json) {
  if (!json.is_object() || !json.contains("seq") || !json["seq"].is_number_unsigned()) return std::nullopt;
  AgentEvent event;
  event.seq = json["seq"].get<std::uint64_t>();
  event.time = field_or<std::int64_t>(json, "time", 0);
  event.kind = field_or<std::string>(json, "kind", "");
  event.level = field_or<std::string>(json, "level", "info");
  event.message = field_or<std::string>(json, "message", "");
  event.app = field_or<std::string>(json, "app", "");
  event.instance = field_or<std::string>(json, "instance", "");
  event.container = field_or<std::string>(json, "container", "");
  if (event.seq == 0 || event.kind.empty()) return std::nullopt;
  return event;
}

Result<std::string> FileJournalStorage::read_all() {
  if (!std::filesystem::exists(file_)) return std::string{};
  return read_file(file_);
}

Status FileJournalStorage::append(std::string_view lines) { return append_file(file_, lines); }

Status FileJournalStorage::replace(std::string_view content) { return write_file_atomic(file_, content, 0600); }

Status FileJournalStorage::set_aside() {
  std::error_code ec;
  if (!std::filesystem::exists(file_, ec)) return {};
  const auto aside = file_.string() + ".unreadable";
  std::filesystem::rename(file_, aside, ec);
  if (ec) return fail(500, "io", "cannot move " + file_.string() + " aside: " + ec.message());
  spdlog::warn("event buffer: the unreadable {} was kept as {}", file_.string(), aside);
  return {};
}

EventJournal::EventJournal(JournalStorage& storage, JournalLimits limits, const Clock& clock, Random& random)
    : storage_(storage), limits_(limits), clock_(clock), random_(random) {}

void EventJournal::load() {
  loading_ = true;
  auto text = storage_.read_all();
  if (!text) {
    // Never overwrite what cannot be read: it may hold undelivered events. It is moved aside
    // before the first write (retry_disk).
    loading_ = false;
    unreadable_ = true;
    journal_id_ = random_hex(random_, 8);
    set_disk_problem("the event buffer cannot be read (" + text.error().message + "); keeping events in memory only");
    return;
  }
  std::size_t torn = 0;
  std::size_t start = 0;
  while (start < text->size()) {
    auto end = text->find('\n', start);
    const bool complete = end != std::string::npos;
    std::string_view line(text->data() + start, (complete ? end : text->size()) - start);
    start = complete ? end + 1 : text->size();
    if (line.empty()) continue;
    Json json = Json::parse(line, nullptr, false);
    if (!complete || !json.is_object()) {
      ++torn;
      continue;
    }
    if (json.contains("journal")) {
      journal_id_ = field_or<std::string>(json, "journal", "");
      acked_ = field_or<std::uint64_t>(json, "acked", 0);
      dropped_ = field_or<std::uint64_t>(json, "dropped", 0);
    } else if (json.contains("seq")) {
      if (auto event = AgentEvent::from_json(json); event && event->seq > acked_) {
        keep(std::move(*event));
      } else if (!event) {
        ++torn;
      }
    } else if (json.contains("acked")) {
      acknowledge(journal_id_, field_or<std::uint64_t>(json, "acked", 0));
    }
  }
  loading_ = false;
  if (torn > 0) {
    dropped_ += torn;
    spdlog::warn("event buffer: {} damaged line(s) skipped", torn);
  }
  // Every run numbers its events in a journal of its own. Lines are appended without fsync,
  // so after a power loss the file may lack events (and acks) the tower already has; reusing
  // their numbers would make the tower take new events for duplicates. What is still
  // undelivered is numbered anew; an event whose ack was lost may reach the tower twice, never
  // not at all.
  journal_id_ = random_hex(random_, 8);
  acked_ = 0;
  next_seq_ = 1;
  bytes_ = 0;
  auto kept = std::move(events_);
  events_.clear();
  for (auto& old : kept) {
    old.event.seq = next_seq_++;
    keep(std::move(old.event));
  }
  if (!compact())
    set_disk_problem("the event buffer cannot be written; keeping events in memory only");
  if (!events_.empty())
    spdlog::info("event buffer: {} event(s) not yet delivered to the tower (journal {})", events_.size(), journal_id_);
}

void EventJournal::record(std::string kind, std::string level, std::string message, std::string app,
                          std::string instance, std::string container) {
  // Output lines and engine errors can be any length; one event must never crowd out the rest.
  AgentEvent event{next_seq_++,
                   unix_seconds(clock_.now()),
                   std::move(kind),
                   std::move(level),
                   bounded_text(std::move(app), max_name_bytes),
                   bounded_text(std::move(instance), max_name_bytes),
                   bounded_text(std::move(container), max_name_bytes),
                   bounded_text(std::move(message), max_message_bytes)};
  keep(std::move(event));
  // Events dropped to make room need no line of their own: replaying the file under the same
  // bounds drops them again.
  if (!events_.empty()) persist(events_.back().line);
  if (listener_) listener_();
}

void EventJournal::keep(AgentEvent event) {
  std::string line = event.to_json().dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
  bytes_ += line.size();
  events_.push_back({std::move(event), std::move(line)});
  trim();
}

void EventJournal::trim() {
  while (!events_.empty() && (events_.size() > limits_.max_events || bytes_ > limits_.max_bytes)) {
    bytes_ -= events_.front().line.size();
    events_.pop_front();
    ++dropped_;
  }
}

std::vector<AgentEvent> EventJournal::pending(std::uint64_t after_seq, std::size_t max) const {
  std::vector<AgentEvent> out;
  for (const auto& kept : events_) {
    if (out.size() >= max) break;
    if (kept.event.seq > after_seq) out.push_back(kept.event);
  }
  return out;
}

void EventJournal::acknowledge(const std::string& journal, std::uint64_t seq) {
  if (journal != journal_id_ || seq <= acked_) return;
  acked_ = loading_ ? seq : std::min(seq, next_seq_ - 1);
  while (!events_.empty() && events_.front().event.seq <= acked_) {
    bytes_ -= events_.front().line.size();
    events_.pop_front();
  }
  persist(Json{{"acked", acked_}}.dump() + "\n");
}

std::string EventJournal::header() const {
  return Json{{"journal", journal_id_}, {"acked", acked_}, {"dropped", dropped_}}.dump() +
         "\n";
}

void EventJournal::retry_disk() {
  if (disk_problem_.empty() || (next_disk_retry_ && clock_.now() < *next_disk_retry_)) return;
  if (unreadable_) {
    if (auto moved = storage_.set_aside(); !moved) {
      next_disk_retry_ = clock_.now() + limits_.disk_retry;
      return;
    }
    unreadable_ = false;
  }
  if (!compact()) {
    next_disk_retry_ = clock_.now() + limits_.disk_retry;
    return;
  }
  set_disk_problem({});
  record("disk-recovered", "info", "the event buffer is written to disk again");
}

void EventJournal::persist(const std::string& lines) {
  if (loading_) return;  // replaying what is already on disk
  if (!disk_problem_.empty()) {
    retry_disk();  // the rewrite includes these lines
    return;
  }
  // The file holds the retained events plus what was appended since; rewriting it once that
  // tail exceeds the memory bound (in bytes or in lines) keeps the file within about twice it.
  if (appended_since_compaction_ + lines.size() > limits_.max_bytes || appended_lines_ >= limits_.max_events) {
    if (!compact()) set_disk_problem("the event buffer cannot be written; keeping events in memory only");
    return;
  }
  if (auto written = storage_.append(lines); !written) {
    // A partial append leaves a torn line; only a full rewrite may touch the file again.
    set_disk_problem("the event buffer cannot be written (" + written.error().message +
                     "); keeping events in memory only");
    return;
  }
  appended_since_compaction_ += lines.size();
  ++appended_lines_;
}

bool EventJournal::compact() {
  std::string content = header();
  for (const auto& kept : events_) content += kept.line;
  if (auto written = storage_.replace(content); !written) {
    spdlog::debug("event buffer rewrite failed: {}", written.error().message);
    return false;
  }
  appended_since_compaction_ = 0;
  appended_lines_ = 0;
  return true;
}

void EventJournal::set_disk_problem(std::string problem) {
  if (problem == disk_problem_) return;
  const bool degrading = disk_problem_.empty();
  disk_problem_ = std::move(problem);
  if (disk_problem_.empty()) {
    next_disk_retry_.reset();
    spdlog::info("event buffer: writing to disk again");
  } else {
    next_disk_retry_ = clock_.now() + limits_.disk_retry;
    spdlog::warn("event buffer: {}", disk_problem_);
    if (degrading && !loading_)
      keep({next_seq_++, unix_seconds(clock_.now()), "disk-degraded", "warning", {}, {}, {}, disk_problem_});
  }
  if (listener_) listener_();
}

}  // namespace outpost::agent
