#pragma once
// Gathers the agent's reports (status changes, new events) for a short window and hands them on
// once at its end: one reconcile changes the status several times and records several events
// within microseconds, and each report sent costs the tower a message to parse and store.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>

namespace outpost::agent {

class ReportWindow {
 public:
  // `flush` is told whether the status changed within the window (events may be new either way).
  using Flush = std::function<void(bool status_changed)>;

  ReportWindow(boost::asio::any_io_executor executor, std::chrono::milliseconds delay, Flush flush)
      : state_(std::make_shared<State>(std::move(executor), std::move(flush))), delay_(delay) {}
  ~ReportWindow() { close(); }
  ReportWindow(const ReportWindow&) = delete;
  ReportWindow& operator=(const ReportWindow&) = delete;

  // Something changed: opens a window unless one is open (with no delay, flushes at once).
  void note(bool status_changed) {
    State& state = *state_;
    if (state.closed) return;
    state.status_changed = state.status_changed || status_changed;
    if (delay_ <= std::chrono::milliseconds::zero()) return state.flush_now();
    if (state.open) return;
    state.open = true;
    state.timer.expires_after(delay_);
    state.timer.async_wait([state = state_](const boost::system::error_code& ec) {
      state->open = false;
      if (!ec && !state->closed) state->flush_now();
    });
  }
  // A status change the window holds goes now rather than at its end: the caller is about to
  // send events, and those must not reach the tower before a status change that came first.
  void flush_status_now() {
    State& state = *state_;
    if (state.closed || !state.status_changed) return;
    state.flush_now();
  }
  // Nothing more is flushed (the session ended).
  void close() {
    state_->closed = true;
    state_->timer.cancel();
  }

 private:
  // Shared with a pending wait, which may complete after the window is gone.
  struct State {
    State(boost::asio::any_io_executor executor, Flush f) : timer(std::move(executor)), flush(std::move(f)) {}
    void flush_now() {
      const bool changed = status_changed;
      status_changed = false;
      flush(changed);
    }
    boost::asio::steady_timer timer;
    Flush flush;
    bool status_changed = false;
    bool open = false;
    bool closed = false;
  };
  std::shared_ptr<State> state_;
  std::chrono::milliseconds delay_;
};

}  // namespace outpost::agent
