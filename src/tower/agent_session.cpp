#include "tower/agent_session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <openssl/x509.h>

#include <cctype>
#include <spdlog/spdlog.h>


#include "common/openssl_handles.hpp"
#include "common/session_compression.hpp"
#include "common/ws_outbox.hpp"
#include "tower/placement_controller.hpp"
#include "tower/session_hub.hpp"
#include "tower/events_writer.hpp"

namespace outpost::tower {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t max_message = 8 * 1024 * 1024;
constexpr auto hello_timeout = std::chrono::seconds(15);
constexpr auto refusal_timeout = std::chrono::seconds(5);

using WsStream = websocket::stream<TlsSocket>;

// Why this peer may not hold a session now, or empty if it may.
std::string refusal_reason(TowerContext& context, const PeerIdentity& peer) {
  auto host = context.repo.host(peer.site, peer.host);
  if (!host || !*host) return "host " + peer.site + "/" + peer.host + " is not enrolled";
  if ((*host)->value.certificate_serial != peer.serial_hex)
    return "this certificate was replaced by a newer enrollment of the host";
  return {};
}

class Session final : public SessionHandle, public std::enable_shared_from_this<Session> {
 public:
  Session(WsStream ws, PeerIdentity peer, TowerContext& context)
      : ws_(std::move(ws)), peer_(std::move(peer)), context_(context), outbox_(ws_) {}

  asio::awaitable<void> run() {
    auto self = shared_from_this();
    beast::flat_buffer buffer;
    // The first message must be hello, naming the revision the agent has checkpointed, and it
    // must come soon: keepalive pings alone would hold a silent session open forever.
    SocketDeadline hello_deadline(ws_.next_layer());
    hello_deadline.expires_after(hello_timeout);
    auto [ec, n] = co_await ws_.async_read(buffer, use_tuple);
    (void)n;
    hello_deadline.cancel();
    if (ec) co_return;
    Json hello = Json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
    buffer.consume(buffer.size());
    if (string_or(hello, "type") != "hello") {
      co_await ws_.async_close(websocket::close_reason(websocket::close_code::policy_error, "expected hello"), use_tuple);
      co_return;
    }
    // Checked again here, with no suspension before attach: the host may have been re-enrolled
    // or its site deleted while this session waited for hello.
    if (auto refused = refusal_reason(context_, peer_); !refused.empty()) {
      spdlog::warn("agent session of {}/{} refused after hello: {}", peer_.site, peer_.host, refused);
      co_await ws_.async_close(websocket::close_reason(websocket::close_code::policy_error, refused), use_tuple);
      co_return;
    }
    sent_revision_ = unsigned_or(hello, "revision");
    context_.hub.attach(peer_.site, peer_.host, self);
    context_.hub.acknowledged(peer_.site, peer_.host, this, sent_revision_);
    spdlog::info("host {}/{} connected at revision {}", peer_.site, peer_.host, sent_revision_);
    send_delta(/*force=*/true);
    asio::co_spawn(ws_.get_executor(), [self]() -> asio::awaitable<void> { co_await self->outbox_.run(); }, asio::detached);

    for (;;) {
      auto [read_ec, bytes] = co_await ws_.async_read(buffer, use_tuple);
      (void)bytes;
      if (read_ec) break;
      try {
        handle(Json::parse(beast::buffers_to_string(buffer.data()), nullptr, false));
      } catch (const std::exception& e) {  // a malformed message must not skip the cleanup below
        spdlog::warn("host {}/{}: dropping a malformed message: {}", peer_.site, peer_.host, e.what());
      }
      buffer.consume(buffer.size());
    }
    closed_ = true;
    outbox_.stop();
    context_.hub.detach(peer_.site, peer_.host, this);
    spdlog::info("host {}/{} disconnected", peer_.site, peer_.host);
  }

  void desired_changed() override { send_delta(false); }

  void close(const std::string& reason) override {
    if (closed_) return;
    spdlog::info("closing session of {}/{}: {}", peer_.site, peer_.host, reason);
    outbox_.close(reason);
  }

 private:
  void handle(const Json& message) {
    const std::string type = string_or(message, "type");
    if (type == "ack") {
      context_.hub.acknowledged(peer_.site, peer_.host, this, unsigned_or(message, "revision"));
    } else if (type == "status") {
      if (auto it = message.find("instances"); it != message.end() && it->is_array())
        context_.hub.set_instances(peer_.site, peer_.host, this, *it);
      if (auto it = message.find("apps"); it != message.end() && it->is_array())
        context_.hub.set_apps(peer_.site, peer_.host, this, *it);
      // Absent means none: every status report describes the host whole.
      auto problems = message.find("problems");
      context_.hub.set_problems(peer_.site, peer_.host, this, problems != message.end() ? *problems : Json::array());
    } else if (type == "events") {
      store_events(message);
    } else {
      spdlog::debug("host {}/{}: ignoring message of type '{}'", peer_.site, peer_.host, type);
    }
  }

  // Acknowledged only once the store holds the events; without an ack the agent keeps them and
  // sends them again on its next session.
  void store_events(const Json& message) {
    context_.events.submit(peer_.site, peer_.host, this, message, [self = shared_from_this()](std::optional<Json> ack) {
      if (ack && !self->closed_) self->outbox_.push(ack->dump());
    });
  }

  void send_delta(bool force) {
    const SiteDesired* desired = context_.placement.desired(peer_.site);
    if (!desired) return;
    if (!force && desired->revision <= sent_revision_) return;
    Json delta = desired->delta_since(sent_revision_);
    delta["type"] = "desired";
    sent_revision_ = desired->revision;
    outbox_.push(delta.dump());
  }

  WsStream ws_;
  PeerIdentity peer_;
  TowerContext& context_;
  Outbox<WsStream> outbox_;
  std::uint64_t sent_revision_ = 0;
  bool closed_ = false;
};

http::response<http::string_body> refusal(unsigned version, http::status status, const std::string& message) {
  http::response<http::string_body> res{status, version};
  res.set(http::field::content_type, "application/json");
  res.body() = Json{{"error", {{"code", "unauthorized"}, {"message", message}}}}.dump() + "\n";
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

}  // namespace

std::optional<PeerIdentity> verified_peer(SSL* ssl) {
  if (SSL_get_verify_result(ssl) != X509_V_OK) return std::nullopt;
  X509Ptr cert(SSL_get1_peer_certificate(ssl));
  if (!cert) return std::nullopt;
  char cn[256] = {};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn) <= 0) return std::nullopt;
  std::string common_name(cn);
  auto slash = common_name.find('/');
  if (slash == std::string::npos) return std::nullopt;
  PeerIdentity peer{common_name.substr(0, slash), common_name.substr(slash + 1), {}};
  BignumPtr serial(ASN1_INTEGER_to_BN(X509_get_serialNumber(cert.get()), nullptr));
  if (serial) {
    char* hex = BN_bn2hex(serial.get());
    peer.serial_hex = hex;
    OPENSSL_free(hex);
    // Stored serials are lowercase hex; BN_bn2hex writes uppercase.
    for (auto& c : peer.serial_hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return peer;
}

std::optional<PeerIdentity> enrolled_peer(const Json& enrollment_answer) {
  PeerIdentity peer{string_or(enrollment_answer, "site"), string_or(enrollment_answer, "host"),
                    string_or(enrollment_answer, "serial")};
  if (peer.site.empty() || peer.host.empty() || peer.serial_hex.empty()) return std::nullopt;
  return peer;
}

asio::awaitable<void> run_agent_session(TlsSocket stream, http::request<http::string_body> upgrade, TowerContext& context,
                                        std::optional<PeerIdentity> enrolled_here) {
  auto peer = enrolled_here ? std::move(enrolled_here) : verified_peer(stream.native_handle());
  std::string refused = peer ? refusal_reason(context, *peer)
                             : "a host certificate signed by this tower, or an enrollment on this connection, is required";
  if (!refused.empty()) {
    spdlog::warn("agent session refused: {}", refused);
    auto res = refusal(upgrade.version(), http::status::unauthorized, refused);
    SocketDeadline deadline(stream);  // a peer that never reads must not hold the connection
    deadline.expires_after(refusal_timeout);
    co_await http::async_write(stream, res, use_tuple);
    co_return;
  }
  WsStream ws(std::move(stream));
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
  timeouts.idle_timeout = context.session_timeout;
  timeouts.keep_alive_pings = true;
  ws.set_option(timeouts);
  ws.set_option(session_compression());
  ws.read_message_max(max_message);
  if (auto [ec] = co_await ws.async_accept(upgrade, use_tuple); ec) co_return;
  auto session = std::make_shared<Session>(std::move(ws), std::move(*peer), context);
  co_await session->run();
}

}  // namespace outpost::tower
