#include "common/ws_outbox.hpp"

#include <gtest/gtest.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <vector>

namespace outpost {
namespace {

// Records what the outbox writes; every write completes on the next turn of the loop.
class RecordingSocket {
 public:
  explicit RecordingSocket(boost::asio::io_context& io) : io_(io) {}
  boost::asio::any_io_executor get_executor() { return io_.get_executor(); }
  void text(bool) {}

  // The outbox tells the stream under the WebSocket whether more follows; here both are one.
  RecordingSocket& next_layer() { return *this; }
  void set_more_to_follow(bool more) { more_to_follow = more; }

  template <class Token>
  auto async_write(boost::asio::const_buffer buffer, Token&& token) {
    written.emplace_back(static_cast<const char*>(buffer.data()), buffer.size());
    held_back.push_back(more_to_follow);
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [this, size = buffer.size()](auto handler) {
          boost::asio::post(io_, [handler = std::move(handler), size]() mutable { handler(boost::system::error_code{}, size); });
        },
        token);
  }
  template <class Token>
  auto async_close(const boost::beast::websocket::close_reason&, Token&& token) {
    closed = true;
    more_to_follow_at_close = more_to_follow;
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [this](auto handler) { boost::asio::post(io_, [handler = std::move(handler)]() mutable { handler(boost::system::error_code{}); }); },
        token);
  }

  std::vector<std::string> written;
  std::vector<bool> held_back;  // per write: whether the stream was told more follows
  bool more_to_follow = false;
  bool closed = false;
  bool more_to_follow_at_close = true;

 private:
  boost::asio::io_context& io_;
};

TEST(Outbox, MessagesQueuedTogetherAreHeldForOnePacketAndTheLastIsNot) {
  boost::asio::io_context io;
  RecordingSocket socket(io);
  Outbox<RecordingSocket> outbox(socket);
  boost::asio::co_spawn(io, outbox.run(), boost::asio::detached);
  outbox.push("ack");
  io.run_for(std::chrono::milliseconds(50));
  outbox.push_latest("status", [] { return std::string("status"); });
  outbox.push("events");
  io.restart();
  io.run_for(std::chrono::milliseconds(50));
  outbox.close("bye");
  io.restart();
  io.run();
  EXPECT_EQ(socket.written, (std::vector<std::string>{"ack", "status", "events"}));
  EXPECT_EQ(socket.held_back, (std::vector<bool>{false, true, false})) << "a message alone goes at once";
  EXPECT_FALSE(socket.more_to_follow_at_close) << "the close frame is not held back";
}

TEST(Outbox, AWaitingReportIsReplacedByANewerOneAndOtherMessagesKeepTheirOrder) {
  boost::asio::io_context io;
  RecordingSocket socket(io);
  Outbox<RecordingSocket> outbox(socket);
  outbox.push("hello");
  outbox.push_latest("status", [] { return std::string("status 1"); });
  outbox.push("ack 1");
  outbox.push_latest("status", [] { return std::string("status 2"); });  // the link is stalled: status 1 is worthless now
  outbox.push_latest("status", [] { return std::string("status 3"); });
  EXPECT_EQ(outbox.queued(), 3u);
  outbox.close("bye");
  boost::asio::co_spawn(io, outbox.run(), boost::asio::detached);
  io.run();
  EXPECT_EQ(socket.written, (std::vector<std::string>{"hello", "status 3", "ack 1"}));
  EXPECT_TRUE(socket.closed);
}

TEST(Outbox, AReportSentAlreadyIsNotReplaced) {
  boost::asio::io_context io;
  RecordingSocket socket(io);
  Outbox<RecordingSocket> outbox(socket);
  boost::asio::co_spawn(io, outbox.run(), boost::asio::detached);
  outbox.push_latest("status", [] { return std::string("status 1"); });
  io.poll();
  io.restart();
  outbox.push_latest("status", [] { return std::string("status 2"); });
  outbox.close("bye");
  io.run();
  EXPECT_EQ(socket.written, (std::vector<std::string>{"status 1", "status 2"}));
}

TEST(Outbox, AReportIsBuiltOnceWhenItIsWrittenFromWhatIsTrueThen) {
  boost::asio::io_context io;
  RecordingSocket socket(io);
  Outbox<RecordingSocket> outbox(socket);
  int state = 1;
  int builds = 0;
  auto report = [&] {
    ++builds;
    return "status " + std::to_string(state);
  };
  outbox.push("hello");
  outbox.push_latest("status", report);
  state = 2;
  outbox.push_latest("status", report);
  state = 3;
  EXPECT_EQ(builds, 0) << "nothing is built before the writer takes it";
  outbox.close("bye");
  boost::asio::co_spawn(io, outbox.run(), boost::asio::detached);
  io.run();
  EXPECT_EQ(socket.written, (std::vector<std::string>{"hello", "status 3"}));
  EXPECT_EQ(builds, 1);
}

}  // namespace
}  // namespace outpost
