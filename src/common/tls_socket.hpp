#pragma once
// TLS over one TCP socket in which OpenSSL reads and writes the socket itself (a socket BIO on a
// non-blocking descriptor) and Asio only waits until the socket is ready. Asio's ssl::stream
// instead keeps a BIO pair and two record buffers, 68 KiB per connection for the connection's
// whole life: 680 MiB for a tower holding 10,000 idle agent sessions. Here OpenSSL releases its
// record buffers whenever they are empty (SSL_MODE_RELEASE_BUFFERS), so an idle connection holds
// only OpenSSL's connection state.
//
// It is a Beast AsyncStream: HTTP and WebSocket streams run over it as over asio::ssl::stream.
// One read and one write may be pending at once (what a WebSocket needs), from one thread or
// strand at a time. Deadlines are the caller's: close() ends every pending operation.
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/system/error_code.hpp>
#include <openssl/ssl.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

namespace outpost {

enum class TlsRole { client, server };

// What one call into OpenSSL did: finished (with bytes moved or an error), or must be called
// again once the socket is readable or writable.
struct TlsStep {
  enum class Next { done, wait_read, wait_write };
  Next next = Next::done;
  std::size_t bytes = 0;
  boost::system::error_code error;
  bool fatal = false;  // OpenSSL's connection is broken: no close_notify may follow
};

class TlsSocket {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;

  // The socket must be connected. Fails only when OpenSSL cannot allocate the connection.
  TlsSocket(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& context, TlsRole role);
  TlsSocket(TlsSocket&&) noexcept = default;  // never while an operation is pending
  TlsSocket& operator=(TlsSocket&&) noexcept = default;
  ~TlsSocket() = default;

  executor_type get_executor() { return socket_.get_executor(); }
  SSL* native_handle() const { return ssl_.get(); }
  boost::asio::ip::tcp::socket& socket() { return socket_; }
  // Closes the socket; pending operations complete with operation_aborted.
  void close();
  // While set, the kernel holds what is written for the write that follows (MSG_MORE), so a
  // writer with several messages queued sends them in one packet and the peer wakes and reads
  // once. The writer clears it before its last write; the kernel sends anything still held
  // after 200 ms.
  void set_more_to_follow(bool more) { *more_to_follow_ = more; }

  // The synchronous steps the asynchronous operations repeat until done (public for Beast's
  // synchronous teardown, which takes one shutdown step).
  TlsStep handshake_step();
  TlsStep read_step(void* data, std::size_t size);
  TlsStep write_step(const void* data, std::size_t size);
  TlsStep shutdown_step();

  template <class Token>
  auto async_handshake(Token&& token) {
    return run<void(boost::system::error_code)>([this] { return handshake_step(); }, std::forward<Token>(token));
  }

  template <class MutableBuffers, class Token>
  auto async_read_some(const MutableBuffers& buffers, Token&& token) {
    auto first = first_nonempty<boost::asio::mutable_buffer>(boost::asio::buffer_sequence_begin(buffers),
                                                             boost::asio::buffer_sequence_end(buffers));
    return run<void(boost::system::error_code, std::size_t)>(
        [this, first] { return first.size() == 0 ? TlsStep{} : read_step(first.data(), first.size()); },
        std::forward<Token>(token));
  }

  // Writes a sequence of several buffers as one record (a WebSocket frame is a header and a
  // payload): gathered into a copy the operation holds until OpenSSL has taken it, since a write
  // that must wait is retried with the same bytes.
  template <class ConstBuffers, class Token>
  auto async_write_some(const ConstBuffers& buffers, Token&& token) {
    auto begin = boost::asio::buffer_sequence_begin(buffers);
    auto end = boost::asio::buffer_sequence_end(buffers);
    std::shared_ptr<std::vector<char>> gathered;
    auto first = first_nonempty<boost::asio::const_buffer>(begin, end);
    if (first.size() > 0 && first.size() < max_record && boost::asio::buffer_size(buffers) > first.size()) {
      gathered = std::make_shared<std::vector<char>>(std::min(boost::asio::buffer_size(buffers), max_record));
      boost::asio::buffer_copy(boost::asio::buffer(*gathered), buffers);
      first = boost::asio::const_buffer(gathered->data(), gathered->size());
    }
    return run<void(boost::system::error_code, std::size_t)>(
        [this, first, gathered] { return first.size() == 0 ? TlsStep{} : write_step(first.data(), first.size()); },
        std::forward<Token>(token));
  }

  // Sends close_notify and waits for the peer's, so that the peer's own close, which writes its
  // close_notify, does not meet a closed socket. Bound it with a deadline.
  template <class Token>
  auto async_shutdown(Token&& token) {
    return run<void(boost::system::error_code)>([this] { return shutdown_step(); }, std::forward<Token>(token));
  }

 private:
  static constexpr std::size_t max_record = 16 * 1024;

  template <class Buffer, class Iterator>
  static Buffer first_nonempty(Iterator begin, Iterator end) {
    for (; begin != end; ++begin)
      if (Buffer buffer(*begin); buffer.size() > 0) return buffer;
    return {};
  }

  // Calls `step` until it is done, waiting for the socket in between. An operation that is done
  // at once still completes through the executor, never inside the initiating call.
  template <class Step>
  struct Operation {
    TlsSocket& tls;
    Step step;
    std::optional<TlsStep> finished{};
    bool waited = false;

    template <class Self>
    void operator()(Self& self, boost::system::error_code waited_for = {}) {
      if (finished) return complete(self, *finished);
      if (waited_for) return complete(self, TlsStep{TlsStep::Next::done, 0, waited_for});
      TlsStep result = step();
      switch (result.next) {
        case TlsStep::Next::wait_read:
          waited = true;
          return tls.socket_.async_wait(boost::asio::socket_base::wait_read, std::move(self));
        case TlsStep::Next::wait_write:
          waited = true;
          return tls.socket_.async_wait(boost::asio::socket_base::wait_write, std::move(self));
        case TlsStep::Next::done:
          if (waited) return complete(self, result);
          finished = result;
          return boost::asio::post(tls.socket_.get_executor(), std::move(self));
      }
    }

    template <class Self>
    static void complete(Self& self, const TlsStep& result) {
      if constexpr (requires { self.complete(result.error, result.bytes); })
        self.complete(result.error, result.bytes);
      else
        self.complete(result.error);
    }
  };

  template <class Signature, class Step, class Token>
  auto run(Step step, Token&& token) {
    return boost::asio::async_compose<Token, Signature>(Operation<Step>{*this, std::move(step)}, token, socket_);
  }

  struct SslFree {
    void operator()(SSL* ssl) const { SSL_free(ssl); }
  };

  static const BIO_METHOD* socket_method();
  TlsStep remember(TlsStep step) {
    fatal_ = fatal_ || step.fatal;
    return step;
  }

  boost::asio::ip::tcp::socket socket_;
  std::unique_ptr<bool> more_to_follow_ = std::make_unique<bool>(false);  // read by the BIO
  std::unique_ptr<SSL, SslFree> ssl_;
  bool fatal_ = false;
};

// Closes a TLS socket if it is still armed when the time is up, which ends whatever the
// connection waits for. Its timer runs on the executor of the operations it bounds.
class SocketDeadline {
 public:
  SocketDeadline(TlsSocket& socket, boost::asio::any_io_executor executor)
      : socket_(socket), timer_(std::move(executor)) {}
  explicit SocketDeadline(TlsSocket& socket) : SocketDeadline(socket, socket.get_executor()) {}
  ~SocketDeadline() { cancel(); }
  SocketDeadline(const SocketDeadline&) = delete;
  SocketDeadline& operator=(const SocketDeadline&) = delete;

  void expires_after(std::chrono::steady_clock::duration timeout) {
    cancel();
    armed_ = std::make_shared<bool>(true);
    timer_.expires_after(timeout);
    timer_.async_wait([armed = armed_, &socket = socket_](const boost::system::error_code& ec) {
      if (!ec && *armed) socket.close();
    });
  }
  // An expiry whose handler is already queued sees it disarmed and leaves the socket alone.
  void cancel() {
    if (armed_) *armed_ = false;
    timer_.cancel();
  }

 private:
  TlsSocket& socket_;
  boost::asio::steady_timer timer_;
  std::shared_ptr<bool> armed_;
};

// What Beast's WebSocket stream calls when its idle timeout expires.
inline void beast_close_socket(TlsSocket& socket) { socket.close(); }

// What Beast's WebSocket stream calls to end the TLS layer when the WebSocket closes.
void teardown(boost::beast::role_type role, TlsSocket& socket, boost::system::error_code& error);

// A peer that never sends its close_notify is given this long.
inline constexpr auto teardown_timeout = std::chrono::seconds(5);

template <class Handler>
void async_teardown(boost::beast::role_type, TlsSocket& socket, Handler&& handler) {
  auto executor = boost::asio::get_associated_executor(handler, socket.get_executor());
  auto deadline = std::make_shared<SocketDeadline>(socket, executor);
  deadline->expires_after(teardown_timeout);
  socket.async_shutdown(boost::asio::bind_executor(
      executor, [&socket, deadline, handler = std::forward<Handler>(handler)](boost::system::error_code) mutable {
        deadline->cancel();
        socket.close();
        handler(boost::system::error_code{});
      }));
}

}  // namespace outpost
