#include "agent/event_sender.hpp"

#include <algorithm>

namespace outpost::agent {

void EventSender::send_next() {
  if (awaiting_ack_ && clock_.now() - sent_at_ < resend_after) return;
  const std::uint64_t after = awaiting_ack_ ? acked_ : sent_up_to_;
  auto events = journal_.pending(after, batch_);
  if (events.empty()) return;
  Json items = Json::array();
  for (const auto& event : events) items.push_back(event.to_json());
  sent_up_to_ = events.back().seq;
  sent_at_ = clock_.now();
  awaiting_ack_ = true;
  send_(Json{{"type", "events"}, {"journal", journal_.journal_id()}, {"dropped", journal_.dropped()}, {"events", items}}
            .dump(-1, ' ', false, Json::error_handler_t::replace));
}

void EventSender::acknowledged(const Json& message) {
  auto journal = message.find("journal");
  auto seq_field = message.find("seq");
  if (journal == message.end() || !journal->is_string() || *journal != journal_.journal_id()) return;
  if (seq_field == message.end() || !seq_field->is_number_unsigned()) return;
  const auto seq = seq_field->get<std::uint64_t>();
  journal_.acknowledge(journal_.journal_id(), seq);
  acked_ = std::max(acked_, seq);
  if (seq >= sent_up_to_) awaiting_ack_ = false;
  send_next();
}

}  // namespace outpost::agent
