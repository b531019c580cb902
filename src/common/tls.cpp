#include "common/tls.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/system/system_error.hpp>

#include <list>
#include <memory>
#include <mutex>
#include <utility>

#include "common/openssl_handles.hpp"

namespace outpost {
namespace {

namespace ssl = boost::asio::ssl;
using TlsContext = std::shared_ptr<ssl::context>;

std::unexpected<Error> tls_failure(const std::string& what, const boost::system::error_code& ec) {
  return bad_request(what + ": " + ec.message());
}

// Constructing a context is the one Asio SSL call with no error_code overload.
Result<TlsContext> new_context(ssl::context::method method) {
  try {
    auto context = std::make_shared<ssl::context>(method);
    if (SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION) != 1)
      return internal_error("cannot require TLS 1.2 or later");
    // A certificate goes with the chain its PEM holds and nothing else. Left to build the chain
    // itself, OpenSSL verifies it again in every handshake (4 % of the tower's CPU while hosts
    // enroll) and sends the CA along, which the peer already trusts and must parse for nothing.
    SSL_CTX_set_mode(context->native_handle(), SSL_MODE_NO_AUTO_CHAIN);
    return context;
  } catch (const boost::system::system_error& e) {
    return internal_error(std::string("cannot create a TLS context: ") + e.what());
  }
}

// Every context of a process trusts one of a few CAs (the tower's; a simulator's thousands of
// hosts all trust the same one). Under OpenSSL 3.0 parsing a certificate costs more than a
// handshake's signature check, so each CA is parsed once and its store shared by reference.
constexpr std::size_t kSharedStores = 4;

Result<X509_STORE*> shared_trust_store(const std::string& ca_pem) {
  static std::mutex lock;
  static std::list<std::pair<std::string, X509StorePtr>> stores;  // most recently used first
  std::lock_guard guard(lock);
  for (auto it = stores.begin(); it != stores.end(); ++it)
    if (it->first == ca_pem) {
      stores.splice(stores.begin(), stores, it);
      return it->second.get();
    }
  X509StorePtr store(X509_STORE_new());
  BioPtr bio(BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size())));
  if (!store || !bio) return internal_error("cannot allocate a certificate store");
  int added = 0;
  ERR_clear_error();
  while (X509Ptr cert{PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)}) {
    if (X509_STORE_add_cert(store.get(), cert.get()) != 1) return bad_request("cannot add the CA certificate to a store");
    ++added;
  }
  ERR_clear_error();  // the read that ended the loop
  if (added == 0) return bad_request("the CA certificate is not a PEM certificate");
  stores.emplace_front(ca_pem, std::move(store));
  if (stores.size() > kSharedStores) stores.pop_back();  // contexts still using it hold a reference
  return stores.front().second.get();
}

Status trust_only(ssl::context& context, const std::string& ca_pem, const char* role) {
  if (ca_pem.empty()) return bad_request(std::string("no CA certificate given to verify the ") + role);
  auto store = shared_trust_store(ca_pem);
  if (!store) return bad_request(std::string("cannot load the CA certificate for the ") + role + ": " + store.error().message);
  SSL_CTX_set1_cert_store(context.native_handle(), *store);
  return {};
}

// Puts a parsed certificate, its key and the chain after it on a context or on one connection:
// OpenSSL has the same three calls for each. False when it refuses one.
template <class Native, class UseCertificate, class UseKey, class AddChain>
bool install(Native* native, const PresentedCertificate& certificate, UseCertificate use_certificate, UseKey use_key,
             AddChain add_chain) {
  bool ok = use_certificate(native, certificate.chain.front().get()) == 1 && use_key(native, certificate.key.get()) == 1;
  for (std::size_t i = 1; ok && i < certificate.chain.size(); ++i) ok = add_chain(native, certificate.chain[i].get()) == 1;
  if (!ok) ERR_clear_error();
  return ok;
}

Status present_identity(ssl::context& context, const std::string& cert_pem, const ClientKey& key) {
  auto parsed = parse_client_certificate(ClientCertificate{cert_pem, key});
  if (!parsed) return std::unexpected(parsed.error());
  if (!install(context.native_handle(), *parsed, SSL_CTX_use_certificate, SSL_CTX_use_PrivateKey,
               [](SSL_CTX* native, X509* cert) { return SSL_CTX_add1_chain_cert(native, cert); }))
    return bad_request("cannot use the TLS certificate, its key or its chain");
  return {};
}

}  // namespace

Result<std::shared_ptr<ssl::context>> make_server_tls(const std::string& cert_pem,
                                                      const std::string& key_pem,
                                                      const std::string& client_ca_pem) {
  auto context = new_context(ssl::context::tls_server);
  if (!context) return context;
  if (auto ok = present_identity(**context, cert_pem, ClientKey{key_pem, nullptr}); !ok) return std::unexpected(ok.error());
  if (auto ok = trust_only(**context, client_ca_pem, "clients"); !ok) return std::unexpected(ok.error());
  // Asking without requiring lets token-authenticated clients without a certificate share the
  // port; a certificate that is presented must still verify, or the handshake fails.
  boost::system::error_code ec;
  (*context)->set_verify_mode(ssl::verify_peer, ec);
  if (ec) return tls_failure("cannot request client certificates", ec);
  // Session resumption with client verification is refused by OpenSSL without an id context.
  static constexpr unsigned char kSessionContext[] = "outpost";
  if (SSL_CTX_set_session_id_context((*context)->native_handle(), kSessionContext,
                                     sizeof kSessionContext - 1) != 1)
    return internal_error("cannot set the TLS session id context");
  // Agents and the CLI never resume a TLS session, so the tower neither caches sessions nor
  // sends the two session tickets TLS 1.3 sends by default after every handshake.
  SSL_CTX_set_session_cache_mode((*context)->native_handle(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets((*context)->native_handle(), 0);
  return context;
}

Result<std::shared_ptr<ssl::context>> make_client_tls(const std::string& ca_pem,
                                                      const std::optional<std::string>& cert_pem,
                                                      const std::optional<std::string>& key_pem) {
  if (cert_pem.has_value() != key_pem.has_value())
    return bad_request("a client certificate and its key must be given together");
  if (!cert_pem) return make_client_tls(ca_pem, std::optional<ClientCertificate>{});
  return make_client_tls(ca_pem, ClientCertificate{*cert_pem, {*key_pem, nullptr}});
}

Result<std::shared_ptr<ssl::context>> make_client_tls(const std::string& ca_pem,
                                                      const std::optional<ClientCertificate>& identity) {
  auto context = new_context(ssl::context::tls_client);
  if (!context) return context;
  if (auto ok = trust_only(**context, ca_pem, "server"); !ok) return std::unexpected(ok.error());
  if (identity)
    if (auto ok = present_identity(**context, identity->cert_pem, identity->key); !ok) return std::unexpected(ok.error());
  boost::system::error_code ec;
  (*context)->set_verify_mode(ssl::verify_peer, ec);
  if (ec) return tls_failure("cannot enable server verification", ec);
  return context;
}

Result<PresentedCertificate> parse_client_certificate(const ClientCertificate& identity) {
  PresentedCertificate parsed;
  BioPtr certs(BIO_new_mem_buf(identity.cert_pem.data(), static_cast<int>(identity.cert_pem.size())));
  if (!certs) return internal_error("cannot allocate a buffer for the TLS certificate");
  ERR_clear_error();
  while (X509* cert = PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr))
    parsed.chain.emplace_back(cert, X509_free);
  ERR_clear_error();  // the read that ended the loop
  if (parsed.chain.empty()) return bad_request("cannot load the TLS certificate: it is not a PEM certificate");
  parsed.key = identity.key.parsed;
  if (!parsed.key) {
    BioPtr key(BIO_new_mem_buf(identity.key.pem.data(), static_cast<int>(identity.key.pem.size())));
    if (!key) return internal_error("cannot allocate a buffer for the TLS private key");
    EVP_PKEY* read = PEM_read_bio_PrivateKey(key.get(), nullptr, nullptr, nullptr);
    ERR_clear_error();
    if (!read) return bad_request("cannot load the TLS private key: it is not a PEM private key");
    parsed.key.reset(read, EVP_PKEY_free);
  }
  if (X509_check_private_key(parsed.chain.front().get(), parsed.key.get()) != 1) {
    ERR_clear_error();
    return bad_request("the TLS private key does not match the certificate");
  }
  return parsed;
}

Status present_certificate(SSL* ssl, const PresentedCertificate& certificate) {
  if (!ssl || certificate.chain.empty() || !certificate.key) return internal_error("no TLS connection or certificate to present");
  if (!install(ssl, certificate, SSL_use_certificate, SSL_use_PrivateKey,
               [](SSL* native, X509* cert) { return SSL_add1_chain_cert(native, cert); }))
    return internal_error("cannot present the TLS certificate, its key or its chain on a connection");
  return {};
}

namespace {

bool is_ip_address(const std::string& host) {
  boost::system::error_code not_an_address;
  boost::asio::ip::make_address(host, not_an_address);
  return !not_an_address;
}

}  // namespace

Status send_server_name(SSL* ssl, const std::string& host) {
  if (!ssl) return internal_error("no TLS connection to name the server on");
  if (!is_ip_address(host) && SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
    ERR_clear_error();
    return internal_error("cannot set the TLS server name");
  }
  return {};
}

Status expect_server_name(SSL* ssl, const std::string& host) {
  if (auto named = send_server_name(ssl, host); !named) return named;
  const int set = is_ip_address(host) ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str())
                                      : SSL_set1_host(ssl, host.c_str());
  if (set != 1) {
    ERR_clear_error();
    return bad_request("cannot verify the tower as " + host);
  }
  return {};
}

std::string describe_handshake_failure(const boost::system::error_code& ec, SSL* ssl) {
  std::string cause = "TLS handshake failed: " + ec.message();
  if (const long verify = SSL_get_verify_result(ssl); verify != X509_V_OK)
    cause += std::string(" (certificate: ") + X509_verify_cert_error_string(verify) + ")";
  return cause;
}

}  // namespace outpost
