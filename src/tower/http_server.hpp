#pragma once
// The tower's one listening port: HTTPS for the REST API and, on `GET /v1/session` with a
// WebSocket upgrade and a verified client certificate, the agent session. One coroutine per
// connection on a single io_context; no thread per connection. Only the TLS handshakes run on a
// small pool of threads: their key exchange, signature and certificate checks are most of what a
// connection costs, and depend on nothing else in the tower.
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <optional>
#include <string>

#include "tower/context.hpp"

namespace outpost::tower {

class HttpServer {
 public:
  // `handshake_threads` run the TLS handshakes; with 0 they run on the io thread.
  HttpServer(boost::asio::io_context& io, std::shared_ptr<boost::asio::ssl::context> tls, TowerContext& context,
             unsigned handshake_threads);

  // Binds and listens; "HOST:PORT" (port 0 picks a free one).
  Status listen(const std::string& address);
  void start();
  unsigned short port() const;

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  TowerContext& context_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::optional<boost::asio::thread_pool> handshakes_;  // last: joined first, while the connections still exist
};

}  // namespace outpost::tower
