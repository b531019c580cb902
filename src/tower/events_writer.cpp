#include "tower/events_writer.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <map>

#include "tower/keys.hpp"
#include "tower/session_hub.hpp"
#include "tower/site_events.hpp"

namespace outpost::tower {

namespace {

// What the store holds for one host: the record (null when none or unreadable) and the
// revision a write must still find (0: the key must not exist).
struct HostRecord {
  Json record;
  std::int64_t revision = 0;
};

Result<HostRecord> read_record(Store& store, const std::string& key) {
  auto current = store.get(key);
  if (!current) return std::unexpected(current.error());
  HostRecord out;
  if (!*current) return out;
  out.revision = (*current)->mod_revision;
  out.record = Json::parse((*current)->value, nullptr, false);
  if (out.record.is_discarded()) {
    spdlog::warn("the stored events under {} do not parse and are replaced", key);
    out.record = nullptr;
  }
  return out;
}

Json events_ack(const Json& message, std::uint64_t seq) {
  return Json{{"type", "events-ack"}, {"journal", string_or(message, "journal")}, {"seq", seq}};
}

}  // namespace

EventsWriter::EventsWriter(Store& store, const SessionHub& hub, boost::asio::any_io_executor executor)
    : store_(store), hub_(hub), executor_(std::move(executor)) {}

EventsWriter::~EventsWriter() { *alive_ = false; }

void EventsWriter::submit(std::string site, std::string host, const SessionHandle* session, Json message, Done done) {
  queue_.push_back({std::move(site), std::move(host), session, std::move(message), std::move(done)});
  if (scheduled_) return;
  scheduled_ = true;
  // Posted, not run now: the messages whose reads completed in the same turn of the io loop
  // are already queued behind this and join the batch.
  boost::asio::post(executor_, [this, alive = alive_] {
    if (!*alive) return;
    scheduled_ = false;
    flush();
  });
}

void EventsWriter::flush() {
  std::vector<Pending> queued = std::exchange(queue_, {});
  std::vector<Pending> batch;
  std::size_t hosts_in_batch = 0;
  // Messages of one host stay in order and in one batch; a batch closes at the limit of hosts.
  std::map<std::string, std::vector<Pending>> by_host;
  for (auto& pending : queued) by_host[keys::events(pending.site, pending.host)].push_back(std::move(pending));
  for (auto& [key, messages] : by_host) {
    if (hosts_in_batch == records_per_transaction) {
      write_batch(batch);
      batch.clear();
      hosts_in_batch = 0;
    }
    ++hosts_in_batch;
    for (auto& message : messages) batch.push_back(std::move(message));
  }
  if (!batch.empty()) write_batch(batch);
}

void EventsWriter::write_batch(std::vector<Pending>& batch) {
  struct Folded {
    HostRecord stored;
    Json record;
    bool changed = false;
  };
  std::map<std::string, Folded> records;
  std::vector<std::optional<Json>> acks(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const Pending& pending = batch[i];
    if (!hub_.is_current(pending.site, pending.host, pending.session)) continue;
    const std::string key = keys::events(pending.site, pending.host);
    auto found = records.find(key);
    if (found == records.end()) {
      auto stored = read_record(store_, key);
      if (!stored) {
        spdlog::warn("host {}/{}: events not stored, so not acknowledged: {}", pending.site, pending.host,
                     stored.error().message);
        continue;
      }
      Json record = stored->record;
      found = records.emplace(key, Folded{std::move(*stored), std::move(record), false}).first;
    }
    auto merge = merge_events(found->second.record, pending.message);
    if (!merge) {
      spdlog::warn("host {}/{}: events not stored: {}", pending.site, pending.host, merge.error().message);
      continue;
    }
    found->second.changed = found->second.changed || merge->changed;
    found->second.record = std::move(merge->record);
    acks[i] = events_ack(pending.message, merge->ack);
  }

  std::vector<TxnOp> ops;
  for (const auto& [key, folded] : records)
    if (folded.changed)
      ops.push_back({TxnOp::Kind::put, key, folded.record.dump(-1, ' ', false, Json::error_handler_t::replace),
                     folded.stored.revision});
  if (auto committed = store_.commit(ops); !committed) {
    spdlog::warn("events of {} host(s) not stored, so not acknowledged: {}", ops.size(), committed.error().message);
    for (auto& ack : acks) ack.reset();
  }
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(acks[i]));
}

}  // namespace outpost::tower
