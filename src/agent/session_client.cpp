#include "agent/session_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>

#include "agent/event_sender.hpp"
#include "agent/report_window.hpp"
#include "agent/tower_connection.hpp"
#include "common/https_client.hpp"
#include "common/session_compression.hpp"
#include "common/tls.hpp"
#include "common/tls_socket.hpp"
#include "common/ws_outbox.hpp"

namespace outpost::agent {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
using WsStream = websocket::stream<TlsSocket>;

struct SessionParts {
  AgentRuntime& runtime;
  EventJournal& journal;
  const Clock& clock;
  const SessionSettings& settings;
  std::optional<Clock::time_point> lost_at;  // when the last established session ended
};

// One session on a connection to the tower: upgrade, hello, then serve until the connection
// ends. Returns a description of why it ended (for the log) and whether it got as far as an
// established session.
asio::awaitable<std::pair<bool, std::string>> one_session(TlsSocket tls, const AgentIdentity& identity, const Endpoint& endpoint,
                                                          SessionParts& parts, const char* connection_kind) {
  AgentRuntime& runtime = parts.runtime;
  auto executor = co_await asio::this_coro::executor;
  // Shared with the writer coroutine: Beast forbids destroying a stream with a write pending.
  auto ws_owner = std::make_shared<WsStream>(std::move(tls));
  WsStream& ws = *ws_owner;
  auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::client);
  timeouts.idle_timeout = parts.settings.idle_timeout;
  timeouts.keep_alive_pings = true;
  ws.set_option(timeouts);
  ws.set_option(session_compression());
  ws.read_message_max(64 * 1024 * 1024);
  if (auto [ec] = co_await ws.async_handshake(endpoint.host + ":" + endpoint.port, "/v1/session", use_tuple); ec)
    co_return std::pair{false, "the tower refused the session (" + ec.message() + "); is this host still enrolled?"};

  auto outbox = std::make_shared<Outbox<WsStream>>(ws);
  asio::co_spawn(executor, [outbox, ws_owner]() -> asio::awaitable<void> { co_await outbox->run(); }, asio::detached);
  outbox->push(Json{{"type", "hello"}, {"revision", runtime.revision()}, {"agent_version", "0.1.0"}}.dump());

  // What the listeners of runtime and journal need outlives this frame: shared, not borrowed.
  struct SessionState {
    SessionState(EventJournal& journal, std::size_t batch, const Clock& clock, std::shared_ptr<Outbox<WsStream>> out)
        : outbox(std::move(out)), events(journal, batch, clock, [box = outbox](std::string text) { box->push(std::move(text)); }) {}
    std::shared_ptr<Outbox<WsStream>> outbox;
    EventSender events;
    std::optional<std::uint64_t> acked_revision;  // none sent yet in this session
    std::optional<ReportWindow> reports;
    bool closed = false;
  };
  auto state = std::make_shared<SessionState>(parts.journal, parts.settings.events_per_message, parts.clock, outbox);
  auto send_ack = [state](std::uint64_t revision) {
    state->acked_revision = revision;
    state->outbox->push(Json{{"type", "ack"}, {"revision", revision}}.dump());
  };
  // The window lives in the state it reports on: it holds a plain pointer back, not a share.
  auto push_status = [&runtime, outbox = state->outbox.get()] {
    // Built when it is written; engine messages may hold any bytes: replace invalid UTF-8.
    outbox->push_latest("status", [&runtime] {
      return Json{{"type", "status"},
                  {"revision", runtime.revision()},
                  {"instances", runtime.instances()},
                  {"apps", runtime.apps()},
                  {"problems", runtime.problems()}}
          .dump(-1, ' ', false, Json::error_handler_t::replace);
    });
  };
  state->reports.emplace(executor, parts.settings.report_delay, [events = &state->events, push_status](bool status_changed) {
    if (status_changed) push_status();
    events->send_next();
  });
  auto status_changed = [&runtime, state, send_ack] {
    state->reports->note(true);
    // The tower takes hello's revision as acknowledged; it must learn at once what is really on
    // disk, and a checkpoint the disk refused is acknowledged once it is finally written.
    if (!state->acked_revision || runtime.checkpointed_revision() > *state->acked_revision)
      send_ack(runtime.checkpointed_revision());
  };
  if (parts.lost_at) {
    auto outage = std::chrono::duration_cast<std::chrono::seconds>(parts.clock.now() - *parts.lost_at).count();
    parts.journal.record("session-restored", "info",
                         "session to the tower restored after " + std::to_string(outage) + " s; " +
                             std::to_string(parts.journal.size()) + " event(s) to deliver, " +
                             std::to_string(parts.journal.dropped()) + " dropped in all");
    parts.lost_at.reset();
  }
  // The tower learns the whole host at once when a session starts.
  push_status();
  send_ack(runtime.checkpointed_revision());
  runtime.set_status_listener(status_changed);
  state->events.send_next();
  parts.journal.set_listener([state, &journal = parts.journal, problem = parts.journal.disk_problem()]() mutable {
    const bool disk_changed = journal.disk_problem() != problem;  // part of the status
    problem = journal.disk_problem();
    state->reports->note(disk_changed);
  });
  // A batch the tower did not acknowledge goes again even when nothing new happens.
  asio::co_spawn(executor, [state]() -> asio::awaitable<void> {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (!state->closed) {
      timer.expires_after(std::chrono::seconds(10));
      co_await timer.async_wait(use_tuple);
      if (!state->closed) state->events.send_next();
    }
  }, asio::detached);
  spdlog::info("session to the tower established (site {}, host {}, revision {}, {})", identity.site, identity.host,
               runtime.revision(), connection_kind);
  if (parts.settings.on_session) parts.settings.on_session(true);

  beast::flat_buffer buffer;
  std::string ended = "the tower closed the session";
  for (;;) {
    auto [ec, bytes] = co_await ws.async_read(buffer, use_tuple);
    (void)bytes;
    if (ec) {
      ended = "session lost: " + ec.message();
      break;
    }
    Json message = Json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
    buffer.consume(buffer.size());
    try {  // a malformed message is dropped; it must not end the agent's session loop
      if (!message.is_object()) continue;
      const std::string type = message.value("type", std::string{});
      if (type == "events-ack") {
        // The ack lets the next events go at once; a status change recorded before them goes
        // first (a "checkpoint-restored" event must not be seen beside the problem it ends).
        state->reports->flush_status_now();
        state->events.acknowledged(message);
        continue;
      }
      if (type != "desired") continue;
      auto revision = runtime.apply_desired(message);
      if (!revision) {
        // A gap means a message was lost; reconnecting re-sends everything since our revision.
        spdlog::warn("cannot apply desired state: {}; reconnecting", revision.error().message);
        outbox->close("resync");
        continue;
      }
      send_ack(*revision);
    } catch (const std::exception& e) {
      spdlog::warn("dropping a malformed message from the tower: {}", e.what());
    }
  }
  state->closed = true;
  state->reports->close();
  parts.journal.set_listener({});
  runtime.set_status_listener({});
  outbox->stop();
  co_return std::pair{true, ended};
}

}  // namespace

std::chrono::milliseconds Backoff::delay(unsigned failures, Random& random) const {
  double base = static_cast<double>(initial.count()) * std::pow(2.0, std::min(failures, 16u) - 1.0);
  base = std::min(base, static_cast<double>(max.count()));
  double factor = 1.0 + jitter * (2.0 * random.next_unit() - 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(base * factor));
}

asio::awaitable<void> run_session_loop(AgentIdentity identity, AgentRuntime& runtime, EventJournal& journal,
                                       const Clock& clock, Random& random, SessionSettings settings,
                                       std::optional<TlsSocket> enrolled_on) {
  auto endpoint = parse_tower_url(identity.tower_url);
  if (!endpoint) {
    spdlog::error("{}", endpoint.error().message);
    co_return;
  }
  auto trust = settings.trust ? Result<std::shared_ptr<asio::ssl::context>>(settings.trust) : make_client_tls(identity.ca_pem);
  if (!trust) {
    spdlog::error("cannot set up TLS: {}", trust.error().message);
    co_return;
  }
  // Parsed when a connection first needs it: a session on the enrollment's connection does not.
  std::optional<PresentedCertificate> certificate;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  unsigned failures = 0;
  SessionParts parts{runtime, journal, clock, settings, std::nullopt};
  for (;;) {
    std::pair<bool, std::string> ended{false, {}};
    try {
      if (enrolled_on) {
        TlsSocket connection = std::move(*enrolled_on);
        enrolled_on.reset();
        ended = co_await one_session(std::move(connection), identity, *endpoint, parts, "on the connection it enrolled on");
      } else {
        if (!certificate) {
          auto parsed = parse_client_certificate(ClientCertificate{identity.cert_pem, {identity.key_pem, identity.parsed_key}});
          if (!parsed) {
            spdlog::error("cannot set up TLS: {}", parsed.error().message);
            co_return;
          }
          certificate = std::move(*parsed);
        }
        auto connection = co_await connect_to_tower(*endpoint, **trust, &*certificate);
        if (connection) ended = co_await one_session(std::move(*connection), identity, *endpoint, parts, "with its certificate");
        else ended = {false, connection.error().message};
      }
    } catch (const std::exception& e) {  // never give up on the tower
      journal.set_listener({});
      runtime.set_status_listener({});
      ended = {true, std::string("session failed: ") + e.what()};
    }
    auto& [established, why] = ended;
    if (established) {
      if (settings.on_session) settings.on_session(false);
      parts.lost_at = clock.now();
      journal.record("session-lost", "warning", why);
    }
    failures = established ? 1 : failures + 1;
    auto wait = settings.backoff.delay(failures, random);
    spdlog::warn("{}; retrying in {} ms", why, wait.count());
    timer.expires_after(wait);
    co_await timer.async_wait(use_tuple);
  }
}

}  // namespace outpost::agent
