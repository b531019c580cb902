#pragma once
// Beast allows one outstanding write per WebSocket. Both ends of the agent session write from
// several places (replies, pushes, status), so each socket gets one Outbox: callers push messages
// and a single writer coroutine drains them in order.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <deque>
#include <functional>
#include <string>

namespace outpost {

template <class WebSocket>
class Outbox {
 public:
  explicit Outbox(WebSocket& ws) : ws_(ws), wake_(ws.get_executor()) {
    wake_.expires_at(boost::asio::steady_timer::time_point::max());
  }

  void push(std::string message) {
    queue_.push_back({std::move(message), {}, {}});
    wake_.cancel();
  }
  // Like push, but a message of the same kind still waiting is replaced instead: a full report
  // makes older ones worthless, and a stalled connection must not pile them up. The message is
  // built only when the writer takes it, so a report that changes many times while earlier
  // messages are written is built once, from what is true when it goes.
  void push_latest(std::string kind, std::function<std::string()> build) {
    for (auto& queued : queue_) {
      if (queued.kind == kind) {
        queued.build = std::move(build);
        return;
      }
    }
    queue_.push_back({{}, std::move(kind), std::move(build)});
    wake_.cancel();
  }
  // Sends a close frame after what is queued, then the writer ends.
  void close(std::string reason) {
    closing_ = std::move(reason);
    close_requested_ = true;
    wake_.cancel();
  }
  // The reader saw the connection end: stop without writing more.
  void stop() {
    stopped_ = true;
    wake_.cancel();
  }
  std::size_t queued() const { return queue_.size(); }

  boost::asio::awaitable<void> run() {
    constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
    while (!stopped_) {
      if (!queue_.empty()) {
        Queued next = std::move(queue_.front());
        queue_.pop_front();
        std::string message = next.build ? next.build() : std::move(next.text);
        ws_.text(true);
        more_to_follow(!queue_.empty());
        if (auto [ec, n] = co_await ws_.async_write(boost::asio::buffer(message), use_tuple); ec) break;
        continue;
      }
      if (close_requested_) {
        co_await ws_.async_close(
            boost::beast::websocket::close_reason(boost::beast::websocket::close_code::going_away, closing_), use_tuple);
        break;
      }
      wake_.expires_at(boost::asio::steady_timer::time_point::max());
      co_await wake_.async_wait(use_tuple);
    }
    more_to_follow(false);  // a write that failed may have been told more follows
    stopped_ = true;
  }

 private:
  // Messages queued together leave in one packet where the stream can do that (TlsSocket).
  void more_to_follow(bool more) {
    if constexpr (requires { ws_.next_layer().set_more_to_follow(more); }) ws_.next_layer().set_more_to_follow(more);
  }

  WebSocket& ws_;
  boost::asio::steady_timer wake_;
  struct Queued {
    std::string text;
    std::string kind;  // empty: never replaced
    std::function<std::string()> build;  // set for a report: builds its text
  };
  std::deque<Queued> queue_;
  std::string closing_;
  bool close_requested_ = false;
  bool stopped_ = false;
};

}  // namespace outpost
