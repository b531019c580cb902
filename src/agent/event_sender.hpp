#pragma once
// Sends the journal's events to the tower one message at a time: the next goes when the tower
// has stored the last, so a slow or dead link holds at most one message of events in flight.
// A tower that could not store a batch sends no ack; the batch goes again with the first event
// after `resend_after`, or on the next session (a new sender starts from what is unacknowledged).
#include <chrono>
#include <functional>
#include <string>

#include "agent/event_journal.hpp"
#include "common/clock.hpp"

namespace outpost::agent {

class EventSender {
 public:
  EventSender(EventJournal& journal, std::size_t batch, const Clock& clock, std::function<void(std::string)> send)
      : journal_(journal), batch_(batch), clock_(clock), send_(std::move(send)) {}

  static constexpr std::chrono::seconds resend_after{30};

  // Sends the next batch unless one is still waiting for its ack.
  void send_next();
  // An `events-ack` from the tower: the journal forgets what it covers, and the next batch goes.
  void acknowledged(const Json& message);

 private:
  EventJournal& journal_;
  std::size_t batch_;
  const Clock& clock_;
  std::function<void(std::string)> send_;
  std::uint64_t sent_up_to_ = 0;
  std::uint64_t acked_ = 0;
  Clock::time_point sent_at_{};
  bool awaiting_ack_ = false;
};

}  // namespace outpost::agent
