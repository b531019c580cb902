#pragma once
// Stores the "events" messages of every agent session in batched store transactions. Each
// message used to cost one durable commit (an fsync) on the io thread; when thousands of sites
// reconnect at once and deliver what they kept, those commits queued behind each other and held
// up everything else the tower does. Messages that arrive together are now folded into one
// transaction per 100 hosts, and each is acknowledged only after its transaction committed.
#include <boost/asio/any_io_executor.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/json.hpp"
#include "store/store.hpp"

namespace outpost::tower {

class SessionHub;
class SessionHandle;

class EventsWriter {
 public:
  // Called with the events-ack to send, or nullopt when nothing may be acknowledged: the session
  // is no longer the host's current one (replaced, or its site deleted: it must not write or
  // recreate the record), the message names no valid journal, or the store refused the write
  // (the agent keeps the events and sends them again).
  using Done = std::function<void(std::optional<Json> ack)>;

  EventsWriter(Store& store, const SessionHub& hub, boost::asio::any_io_executor executor);
  ~EventsWriter();
  EventsWriter(const EventsWriter&) = delete;
  EventsWriter& operator=(const EventsWriter&) = delete;

  // Queues one message; `done` runs after the batch holding it was written (or refused), never
  // inside this call.
  void submit(std::string site, std::string host, const SessionHandle* session, Json message, Done done);

  // Host records written per store transaction (etcd refuses more than 128 operations).
  static constexpr std::size_t records_per_transaction = 100;

 private:
  struct Pending {
    std::string site;
    std::string host;
    const SessionHandle* session;
    Json message;
    Done done;
  };
  void flush();
  void write_batch(std::vector<Pending>& batch);

  Store& store_;
  const SessionHub& hub_;
  boost::asio::any_io_executor executor_;
  std::vector<Pending> queue_;
  bool scheduled_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace outpost::tower
