#include "common/tls.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <chrono>
#include <memory>

#include "common/pki.hpp"

namespace outpost {
namespace {

using namespace std::chrono_literals;

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = CertificateAuthority::create("TLS Test CA", clock);
    ASSERT_TRUE(created) << created.error().message;
    ca.emplace(std::move(*created));
    key = generate_private_key_pem().value();
    cert = ca->issue_server_certificate(key, {"127.0.0.1"}, 24h, clock).value();
  }

  SystemClock clock;
  std::optional<CertificateAuthority> ca;
  std::string key, cert;
};

TEST_F(TlsTest, ServerAsksForButDoesNotRequireClientCertificates) {
  auto context = make_server_tls(cert, key, ca->certificate_pem());
  ASSERT_TRUE(context) << context.error().message;
  SSL_CTX* native = (*context)->native_handle();
  EXPECT_EQ(SSL_CTX_get_verify_mode(native), SSL_VERIFY_PEER);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(native), TLS1_2_VERSION);
  EXPECT_NE(SSL_CTX_get0_certificate(native), nullptr);
}

TEST_F(TlsTest, ServerRefusesAKeyThatDoesNotMatchItsCertificate) {
  auto context = make_server_tls(cert, generate_private_key_pem().value(), ca->certificate_pem());
  ASSERT_FALSE(context);
  EXPECT_EQ(context.error().status, 400);
}

TEST_F(TlsTest, ServerRefusesGarbageCertificateAndMissingClientCa) {
  EXPECT_FALSE(make_server_tls("garbage", key, ca->certificate_pem()));
  EXPECT_FALSE(make_server_tls(cert, "garbage", ca->certificate_pem()));
  EXPECT_FALSE(make_server_tls(cert, key, ""));
  EXPECT_FALSE(make_server_tls(cert, key, "garbage"));
}

TEST_F(TlsTest, ClientVerifiesTheServerWithTls12OrLater) {
  auto context = make_client_tls(ca->certificate_pem());
  ASSERT_TRUE(context) << context.error().message;
  SSL_CTX* native = (*context)->native_handle();
  EXPECT_EQ(SSL_CTX_get_verify_mode(native), SSL_VERIFY_PEER);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(native), TLS1_2_VERSION);
  EXPECT_EQ(SSL_CTX_get0_certificate(native), nullptr);
}

TEST_F(TlsTest, ClientPresentsACertificateWhenGivenOne) {
  const auto client_key = generate_private_key_pem().value();
  const auto client_cert =
      ca->sign_client_csr(make_csr(client_key, "h").value(), "site/host", 24h, clock).value();
  auto context = make_client_tls(ca->certificate_pem(), client_cert, client_key);
  ASSERT_TRUE(context) << context.error().message;
  EXPECT_NE(SSL_CTX_get0_certificate((*context)->native_handle()), nullptr);
}

TEST_F(TlsTest, ClientPresentsAnAlreadyParsedKeyAndRefusesOneThatDoesNotMatch) {
  const auto client_key = generate_private_key().value();
  const auto client_cert =
      ca->sign_client_csr(make_csr(client_key.handle.get(), "h").value(), "site/host", 24h, clock).value();
  // The PEM is not read when the parsed key is given.
  auto context = make_client_tls(ca->certificate_pem(), ClientCertificate{client_cert, {"not a key", client_key.handle}});
  ASSERT_TRUE(context) << context.error().message;
  EXPECT_NE(SSL_CTX_get0_certificate((*context)->native_handle()), nullptr);
  EXPECT_EQ(SSL_CTX_get0_privatekey((*context)->native_handle()), client_key.handle.get());

  const auto other_key = generate_private_key().value();
  EXPECT_FALSE(make_client_tls(ca->certificate_pem(), ClientCertificate{client_cert, {client_key.pem, other_key.handle}}));
}

TEST_F(TlsTest, AClientCertificateIsParsedOnceWithItsKeyAndAMismatchIsRefused) {
  const auto host_key = generate_private_key().value();
  const auto host_cert = ca->sign_client_csr(make_csr(host_key.handle.get(), "h").value(), "site/host", 24h, clock).value();
  auto from_pem = parse_client_certificate(ClientCertificate{host_cert, {host_key.pem, nullptr}});
  ASSERT_TRUE(from_pem) << from_pem.error().message;
  ASSERT_EQ(from_pem->chain.size(), 1u);
  EXPECT_EQ(EVP_PKEY_eq(from_pem->key.get(), host_key.handle.get()), 1) << "the PEM key read";
  auto already_parsed = parse_client_certificate(ClientCertificate{host_cert, {"not a key", host_key.handle}});
  ASSERT_TRUE(already_parsed) << "the PEM is not read when the parsed key is given";
  EXPECT_EQ(already_parsed->key.get(), host_key.handle.get());

  const auto other = generate_private_key().value();
  auto mismatch = parse_client_certificate(ClientCertificate{host_cert, {other.pem, nullptr}});
  ASSERT_FALSE(mismatch);
  EXPECT_NE(mismatch.error().message.find("does not match"), std::string::npos) << mismatch.error().message;
  auto not_a_certificate = parse_client_certificate(ClientCertificate{"garbage", {host_key.pem, nullptr}});
  ASSERT_FALSE(not_a_certificate);
  EXPECT_NE(not_a_certificate.error().message.find("certificate"), std::string::npos);
  auto not_a_key = parse_client_certificate(ClientCertificate{host_cert, {"garbage", nullptr}});
  ASSERT_FALSE(not_a_key);
  EXPECT_NE(not_a_key.error().message.find("private key"), std::string::npos);
}

TEST_F(TlsTest, ContextsTrustingTheSameCaShareOneParsedStore) {
  auto first = make_client_tls(ca->certificate_pem());
  auto second = make_client_tls(ca->certificate_pem());
  auto server = make_server_tls(cert, key, ca->certificate_pem());
  auto other_ca = CertificateAuthority::create("Other CA", clock).value();
  auto other = make_client_tls(other_ca.certificate_pem());
  ASSERT_TRUE(first && second && server && other);
  X509_STORE* store = SSL_CTX_get_cert_store((*first)->native_handle());
  EXPECT_EQ(SSL_CTX_get_cert_store((*second)->native_handle()), store);
  EXPECT_EQ(SSL_CTX_get_cert_store((*server)->native_handle()), store);
  EXPECT_NE(SSL_CTX_get_cert_store((*other)->native_handle()), store);
  STACK_OF(X509)* trusted = X509_STORE_get1_all_certs(SSL_CTX_get_cert_store((*other)->native_handle()));
  ASSERT_EQ(sk_X509_num(trusted), 1);
  char subject[256] = {};
  X509_NAME_oneline(X509_get_subject_name(sk_X509_value(trusted, 0)), subject, sizeof subject);
  EXPECT_NE(std::string(subject).find("Other CA"), std::string::npos) << subject;
  sk_X509_pop_free(trusted, X509_free);
}

// Runs a handshake between two connections over an in-memory pair of BIOs; true when both finish.
bool handshake_in_memory(SSL* client, SSL* server) {
  BIO* client_end = nullptr;
  BIO* server_end = nullptr;
  if (BIO_new_bio_pair(&client_end, 0, &server_end, 0) != 1) return false;
  SSL_set_bio(client, client_end, client_end);
  SSL_set_bio(server, server_end, server_end);
  SSL_set_connect_state(client);
  SSL_set_accept_state(server);
  bool client_done = false, server_done = false;
  for (int round = 0; round < 20 && !(client_done && server_done); ++round) {
    if (!client_done) client_done = SSL_do_handshake(client) == 1;
    if (!server_done) server_done = SSL_do_handshake(server) == 1;
  }
  return client_done && server_done;
}

TEST_F(TlsTest, EachSideSendsOnlyTheChainItsPemHoldsNotTheCaItTrusts) {
  const auto host_key = generate_private_key().value();
  const auto host_cert = ca->sign_client_csr(make_csr(host_key.handle.get(), "h").value(), "site/host", 24h, clock).value();
  auto server_context = make_server_tls(cert, key, ca->certificate_pem());
  auto client_context = make_client_tls(ca->certificate_pem(), ClientCertificate{host_cert, {host_key.pem, host_key.handle}});
  ASSERT_TRUE(server_context && client_context);
  std::unique_ptr<SSL, decltype(&SSL_free)> client(SSL_new((*client_context)->native_handle()), SSL_free);
  std::unique_ptr<SSL, decltype(&SSL_free)> server(SSL_new((*server_context)->native_handle()), SSL_free);
  ASSERT_TRUE(client && server);
  ASSERT_TRUE(handshake_in_memory(client.get(), server.get()));
  EXPECT_EQ(SSL_get_verify_result(client.get()), X509_V_OK);
  EXPECT_EQ(SSL_get_verify_result(server.get()), X509_V_OK);
  // A client's received chain starts with the server's certificate; a server's leaves the client's out.
  EXPECT_EQ(sk_X509_num(SSL_get_peer_cert_chain(client.get())), 1) << "the tower sent its CA along";
  EXPECT_EQ(sk_X509_num(SSL_get_peer_cert_chain(server.get())), 0) << "the host sent its CA along";
}

TEST_F(TlsTest, ClientRefusesHalfAnIdentityAndAMissingCa) {
  EXPECT_FALSE(make_client_tls(ca->certificate_pem(), cert, std::nullopt));
  EXPECT_FALSE(make_client_tls(ca->certificate_pem(), std::nullopt, key));
  EXPECT_FALSE(make_client_tls(""));
  EXPECT_FALSE(make_client_tls("garbage"));
}

}  // namespace
}  // namespace outpost
