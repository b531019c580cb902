#pragma once
// Stores the "events" messages of every agent session in batched store transactions. Each
// message used to cost one durable commit (an fsync) on the io thread; when thousands of sites
// reconnect at once and deliver what they kept, those commits queued behind each other and held
// up everything else the tower does. Messages that arrive together are now folded into shared
// transactions of at most 128 operations, and each is acknowledged only after its transaction
// committed. A message costs one operation per new event plus at most three for its host (the
// journal, the range that falls out of the window, an earlier tower's record): site_events.hpp.
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

  // The most events one transaction takes of one message, leaving room for the host's three
  // other operations in a transaction of any backend; a longer message is spread over several
  // transactions and acknowledged after the last. Transactions are filled up to the store's
  // operations_per_transaction.
  static constexpr std::size_t events_per_part = Store::etcd_operations_per_transaction - 3;

 private:
  struct Pending {
    std::string site;
    std::string host;
    const SessionHandle* session;
    Json message;
    Done done;
  };
  class Flush;
  void flush();

  Store& store_;
  const SessionHub& hub_;
  boost::asio::any_io_executor executor_;
  std::vector<Pending> queue_;
  bool scheduled_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace outpost::tower
