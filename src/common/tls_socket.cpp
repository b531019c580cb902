#include "common/tls_socket.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <sys/socket.h>

#include <cerrno>
#include <utility>

namespace outpost {

namespace asio = boost::asio;

TlsSocket::TlsSocket(asio::ip::tcp::socket socket, asio::ssl::context& context, TlsRole role)
    : socket_(std::move(socket)), ssl_(SSL_new(context.native_handle())) {
  boost::system::error_code ignored;
  socket_.non_blocking(true, ignored);  // OpenSSL calls read and write on it directly
  if (!ssl_) return;
  BIO* bio = BIO_new(socket_method());
  if (!bio) {
    ssl_.reset();
    return;
  }
  BIO_set_fd(bio, static_cast<int>(socket_.native_handle()), BIO_NOCLOSE);
  BIO_set_app_data(bio, more_to_follow_.get());  // on the heap: stays put when the socket moves
  SSL_set_bio(ssl_.get(), bio, bio);
  // Partial writes let a write complete with what the socket took, like any socket write; a
  // write that waited may then be retried from a gathered copy at another address.
  SSL_set_mode(ssl_.get(),
               SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // A write never has to read then (nor a read swallow what a waiting write needed).
  SSL_set_options(ssl_.get(), SSL_OP_NO_RENEGOTIATION);
  if (role == TlsRole::server)
    SSL_set_accept_state(ssl_.get());
  else
    SSL_set_connect_state(ssl_.get());
}

namespace {

// OpenSSL's socket BIO sends with write(), which raises SIGPIPE, ending the process, when the
// peer has reset the connection. This one is the same BIO sending with MSG_NOSIGNAL: the write
// fails with EPIPE like any other. It adds MSG_MORE while the socket's writer says more follows.
int send_without_sigpipe(BIO* bio, const char* data, int size) {
  errno = 0;
  const auto* more = static_cast<const bool*>(BIO_get_app_data(bio));
  const int flags = MSG_NOSIGNAL | (more && *more ? MSG_MORE : 0);
  const ssize_t sent = ::send(BIO_get_fd(bio, nullptr), data, static_cast<std::size_t>(size), flags);
  BIO_clear_retry_flags(bio);
  if (sent <= 0 && BIO_sock_should_retry(static_cast<int>(sent))) BIO_set_retry_write(bio);
  return static_cast<int>(sent);
}

const BIO_METHOD* make_socket_method() {
  const BIO_METHOD* base = BIO_s_socket();
  BIO_METHOD* method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
                                    "socket, no SIGPIPE");
  if (!method) return nullptr;
  BIO_meth_set_write(method, send_without_sigpipe);
  BIO_meth_set_read(method, BIO_meth_get_read(base));
  BIO_meth_set_puts(method, BIO_meth_get_puts(base));
  BIO_meth_set_ctrl(method, BIO_meth_get_ctrl(base));
  BIO_meth_set_create(method, BIO_meth_get_create(base));
  BIO_meth_set_destroy(method, BIO_meth_get_destroy(base));
  return method;
}

}  // namespace

const BIO_METHOD* TlsSocket::socket_method() {
  static const BIO_METHOD* method = make_socket_method();  // lives as long as the process
  return method;
}

void TlsSocket::close() {
  boost::system::error_code ignored;
  socket_.close(ignored);
}

namespace {

// Turns the result of one OpenSSL call into what to do next; `saved_errno` is errno right after
// the call, before anything else could change it.
TlsStep classify(SSL* ssl, int result, std::size_t bytes, int saved_errno) {
  if (result > 0) return {TlsStep::Next::done, bytes, {}};
  switch (SSL_get_error(ssl, result)) {
    case SSL_ERROR_WANT_READ:
      return {TlsStep::Next::wait_read, 0, {}};
    case SSL_ERROR_WANT_WRITE:
      return {TlsStep::Next::wait_write, 0, {}};
    case SSL_ERROR_ZERO_RETURN:  // the peer's close_notify
      return {TlsStep::Next::done, 0, asio::error::eof};
    case SSL_ERROR_SYSCALL:
      if (saved_errno != 0) return {TlsStep::Next::done, 0, {saved_errno, boost::system::system_category()}, true};
      return {TlsStep::Next::done, 0, asio::ssl::error::stream_truncated, true};
    default: {
      const unsigned long error = ERR_get_error();
      ERR_clear_error();
      if (ERR_GET_REASON(error) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
        return {TlsStep::Next::done, 0, asio::ssl::error::stream_truncated, true};
      if (error == 0) return {TlsStep::Next::done, 0, asio::error::connection_aborted, true};
      return {TlsStep::Next::done, 0, {static_cast<int>(error), asio::error::get_ssl_category()}, true};
    }
  }
}

// One call into OpenSSL. `call` returns OpenSSL's result and the bytes it moved. A closed
// socket's descriptor number may already belong to another connection: OpenSSL must not touch
// it again.
template <class Call>
TlsStep call_openssl(SSL* ssl, bool socket_open, Call&& call) {
  if (!ssl) return {TlsStep::Next::done, 0, asio::error::no_memory};
  if (!socket_open) return {TlsStep::Next::done, 0, asio::error::bad_descriptor};
  ERR_clear_error();
  errno = 0;
  const auto [result, bytes] = call();
  return classify(ssl, result, bytes, errno);
}

}  // namespace

TlsStep TlsSocket::handshake_step() {
  return remember(call_openssl(ssl_.get(), socket_.is_open(),
                      [&] { return std::pair{SSL_do_handshake(ssl_.get()), std::size_t{0}}; }));
}

TlsStep TlsSocket::read_step(void* data, std::size_t size) {
  return remember(call_openssl(ssl_.get(), socket_.is_open(), [&] {
    std::size_t read = 0;
    const int result = SSL_read_ex(ssl_.get(), data, size, &read);
    return std::pair{result, read};
  }));
}

TlsStep TlsSocket::write_step(const void* data, std::size_t size) {
  return remember(call_openssl(ssl_.get(), socket_.is_open(), [&] {
    std::size_t written = 0;
    const int result = SSL_write_ex(ssl_.get(), data, size, &written);
    return std::pair{result, written};
  }));
}

TlsStep TlsSocket::shutdown_step() {
  // OpenSSL forbids a close_notify on a connection that failed (and the peer may be gone).
  if (fatal_) return {};
  // 0 means our close_notify is sent and the peer's not read yet: the next call reads it.
  return call_openssl(ssl_.get(), socket_.is_open(), [&] {
    int result = SSL_shutdown(ssl_.get());
    if (result == 0) result = SSL_shutdown(ssl_.get());
    return std::pair{result, std::size_t{0}};
  });
}

void teardown(boost::beast::role_type, TlsSocket& socket, boost::system::error_code& error) {
  (void)socket.shutdown_step();  // one attempt, not waiting: the socket is closed next either way
  socket.close();
  error = {};
}

}  // namespace outpost
