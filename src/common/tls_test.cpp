#include "common/tls.hpp"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <chrono>

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

TEST_F(TlsTest, ClientRefusesHalfAnIdentityAndAMissingCa) {
  EXPECT_FALSE(make_client_tls(ca->certificate_pem(), cert, std::nullopt));
  EXPECT_FALSE(make_client_tls(ca->certificate_pem(), std::nullopt, key));
  EXPECT_FALSE(make_client_tls(""));
  EXPECT_FALSE(make_client_tls("garbage"));
}

}  // namespace
}  // namespace outpost
