#include "common/pki.hpp"

#include "common/openssl_handles.hpp"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

namespace outpost {
namespace {

using namespace std::chrono_literals;

using StorePtr = X509StorePtr;
using StoreCtxPtr = X509StoreCtxPtr;

X509Ptr parse_cert(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

PkeyPtr parse_key(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return PkeyPtr(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

std::string req_to_pem(X509_REQ* req) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(bio.get(), req);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// X509_verify_cert at the clock's time (the test clock is not the wall clock), for `purpose`.
int verify_error(const std::string& ca_pem, const std::string& cert_pem, const Clock& clock, int purpose) {
  auto ca = parse_cert(ca_pem);
  auto cert = parse_cert(cert_pem);
  StorePtr store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca.get());
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr);
  X509_STORE_CTX_set_time(ctx.get(), 0, std::chrono::system_clock::to_time_t(clock.now()));
  X509_STORE_CTX_set_purpose(ctx.get(), purpose);
  if (X509_verify_cert(ctx.get()) == 1) return X509_V_OK;
  const int error = X509_STORE_CTX_get_error(ctx.get());
  return error == X509_V_OK ? -1 : error;
}

class PkiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto created = CertificateAuthority::create("Outpost Test CA", clock);
    ASSERT_TRUE(created) << created.error().message;
    ca.emplace(std::move(*created));
  }

  std::string new_key() {
    auto key = generate_private_key_pem();
    EXPECT_TRUE(key) << key.error().message;
    return key.value_or("");
  }

  ManualClock clock;
  std::optional<CertificateAuthority> ca;
};

TEST(PkiKeys, GeneratesUnencryptedPkcs8EcP256Key) {
  auto pem = generate_private_key_pem();
  ASSERT_TRUE(pem) << pem.error().message;
  EXPECT_TRUE(pem->starts_with("-----BEGIN PRIVATE KEY-----")) << *pem;
  auto key = parse_key(*pem);
  ASSERT_TRUE(key);
  EXPECT_TRUE(EVP_PKEY_is_a(key.get(), "EC"));
  EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 256);
}

TEST(PkiHashing, Sha256HexMatchesKnownVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(PkiTest, CaIsSelfSignedCriticalCaWithTenYearValidity) {
  auto info = inspect_certificate(ca->certificate_pem());
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->common_name, "Outpost Test CA");
  const auto now = unix_seconds(clock.now());
  EXPECT_EQ(info->not_before, now - 300);
  EXPECT_EQ(info->not_after, now + 3650LL * 24 * 3600);
  EXPECT_EQ(info->serial_hex.size() > 16, true) << "serial " << info->serial_hex << " is not 128 random bits";

  auto cert = parse_cert(ca->certificate_pem());
  ASSERT_TRUE(cert);
  EXPECT_EQ(X509_check_ca(cert.get()), 1);
  EXPECT_EQ(X509_get_key_usage(cert.get()), static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  const int index = X509_get_ext_by_NID(cert.get(), NID_basic_constraints, -1);
  ASSERT_GE(index, 0);
  EXPECT_EQ(X509_EXTENSION_get_critical(X509_get_ext(cert.get(), index)), 1);
  EXPECT_NE(X509_get0_subject_key_id(cert.get()), nullptr);
  EXPECT_EQ(verify_error(ca->certificate_pem(), ca->certificate_pem(), clock, X509_PURPOSE_ANY), X509_V_OK);
}

TEST_F(PkiTest, CaRoundTripsThroughLoad) {
  auto loaded = CertificateAuthority::load(ca->certificate_pem(), ca->key_pem());
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->fingerprint(), ca->fingerprint());
  auto csr = make_csr(new_key(), "x");
  ASSERT_TRUE(csr);
  auto cert = loaded->sign_client_csr(*csr, "site-a/host-1", 24h, clock);
  ASSERT_TRUE(cert) << cert.error().message;
  EXPECT_EQ(verify_error(ca->certificate_pem(), *cert, clock, X509_PURPOSE_SSL_CLIENT), X509_V_OK);
}

TEST_F(PkiTest, ACsrCarriesTheKeyThatSignedItAndTheIssuedSerialIsTheCertificates) {
  const auto key = generate_private_key().value();
  auto csr_pem = make_csr(key.handle.get(), "x");
  ASSERT_TRUE(csr_pem) << csr_pem.error().message;
  BioPtr bio(BIO_new_mem_buf(csr_pem->data(), static_cast<int>(csr_pem->size())));
  X509ReqPtr csr(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  ASSERT_TRUE(csr);
  EVP_PKEY* carried = X509_REQ_get0_pubkey(csr.get());
  ASSERT_NE(carried, nullptr);
  EXPECT_EQ(EVP_PKEY_eq(carried, key.handle.get()), 1);
  EXPECT_EQ(X509_REQ_verify(csr.get(), carried), 1);

  auto issued = ca->issue_client_certificate(*csr_pem, "site-a/host-1", 24h, clock);
  ASSERT_TRUE(issued) << issued.error().message;
  auto info = inspect_certificate(issued->pem);
  ASSERT_TRUE(info);
  EXPECT_EQ(issued->serial_hex, info->serial_hex);
  auto cert = parse_cert(issued->pem);
  ASSERT_TRUE(cert);
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(cert.get()), key.handle.get()), 1);
}

TEST_F(PkiTest, LoadRefusesAKeyThatDoesNotMatchTheCertificate) {
  auto loaded = CertificateAuthority::load(ca->certificate_pem(), new_key());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().status, 400);
  EXPECT_NE(loaded.error().message.find("does not match"), std::string::npos) << loaded.error().message;
}

TEST_F(PkiTest, LoadRefusesALeafCertificateAsCa) {
  const auto key = new_key();
  auto leaf = ca->issue_server_certificate(key, {"tower.example"}, 24h, clock);
  ASSERT_TRUE(leaf);
  auto loaded = CertificateAuthority::load(*leaf, key);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().status, 400);
}

TEST_F(PkiTest, GarbagePemIsRefusedWithTheOpenSslReason) {
  const std::string garbage = "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n";
  auto loaded = CertificateAuthority::load(garbage, ca->key_pem());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().status, 400);
  EXPECT_NE(loaded.error().message.find("cannot read certificate PEM: error:"), std::string::npos)
      << loaded.error().message;

  EXPECT_FALSE(inspect_certificate("hello"));
  EXPECT_FALSE(make_csr("hello", "cn"));
  EXPECT_FALSE(ca->issue_server_certificate("hello", {"a"}, 1h, clock));
  auto signed_garbage = ca->sign_client_csr("hello", "cn", 1h, clock);
  ASSERT_FALSE(signed_garbage);
  EXPECT_EQ(signed_garbage.error().status, 400);
}

TEST_F(PkiTest, ServerCertificateVerifiesAgainstCaAndNamesItsAddresses) {
  const auto key = new_key();
  auto pem = ca->issue_server_certificate(key, {"127.0.0.1", "tower.example", "::1"}, 48h, clock);
  ASSERT_TRUE(pem) << pem.error().message;
  EXPECT_EQ(verify_error(ca->certificate_pem(), *pem, clock, X509_PURPOSE_SSL_SERVER), X509_V_OK);

  auto cert = parse_cert(*pem);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "::1", 0), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "tower.example", 0, 0, nullptr), 1);
  EXPECT_NE(X509_check_host(cert.get(), "127.0.0.1", 0, 0, nullptr), 1) << "an address must not be a DNS name";
  EXPECT_TRUE(X509_get_extended_key_usage(cert.get()) & XKU_SSL_SERVER);
  EXPECT_FALSE(X509_get_extended_key_usage(cert.get()) & XKU_SSL_CLIENT);
  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  EXPECT_NE(X509_get0_authority_key_id(cert.get()), nullptr);
  EXPECT_EQ(X509_check_private_key(cert.get(), parse_key(key).get()), 1);

  auto info = inspect_certificate(*pem);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->common_name, "127.0.0.1");
  EXPECT_EQ(info->not_before, unix_seconds(clock.now()) - 300);
  EXPECT_EQ(info->not_after, unix_seconds(clock.now()) + 48 * 3600);
}

TEST_F(PkiTest, AServerNameCannotSmuggleExtraSubjectAltNames) {
  auto pem = ca->issue_server_certificate(new_key(), {"a.example,IP:10.0.0.1"}, 1h, clock);
  ASSERT_TRUE(pem) << pem.error().message;
  auto cert = parse_cert(*pem);
  EXPECT_NE(X509_check_ip_asc(cert.get(), "10.0.0.1", 0), 1);
}

TEST_F(PkiTest, ServerCertificateNeedsAName) {
  auto pem = ca->issue_server_certificate(new_key(), {}, 1h, clock);
  ASSERT_FALSE(pem);
  EXPECT_EQ(pem.error().status, 400);
}

TEST_F(PkiTest, ClientCertificateTakesTheTowersCommonNameNotTheRequesters) {
  const auto key = new_key();
  auto csr = make_csr(key, "i-am-the-admin");
  ASSERT_TRUE(csr) << csr.error().message;
  auto pem = ca->sign_client_csr(*csr, "site-a/host-1", 24h, clock);
  ASSERT_TRUE(pem) << pem.error().message;

  auto info = inspect_certificate(*pem);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->common_name, "site-a/host-1");
  EXPECT_EQ(info->not_before, unix_seconds(clock.now()) - 300);
  EXPECT_EQ(info->not_after, unix_seconds(clock.now()) + 24 * 3600);
  auto cert = parse_cert(*pem);
  EXPECT_TRUE(X509_get_extended_key_usage(cert.get()) & XKU_SSL_CLIENT);
  EXPECT_FALSE(X509_get_extended_key_usage(cert.get()) & XKU_SSL_SERVER);
  EXPECT_EQ(X509_check_private_key(cert.get(), parse_key(key).get()), 1);
  EXPECT_EQ(verify_error(ca->certificate_pem(), *pem, clock, X509_PURPOSE_SSL_CLIENT), X509_V_OK);
  EXPECT_NE(verify_error(ca->certificate_pem(), *pem, clock, X509_PURPOSE_SSL_SERVER), X509_V_OK);
}

TEST_F(PkiTest, AGeneratedKeyIsTheSameKeyParsedAndAsPem) {
  auto key = generate_private_key();
  ASSERT_TRUE(key) << key.error().message;
  EXPECT_EQ(EVP_PKEY_eq(key->handle.get(), parse_key(key->pem).get()), 1);
  auto csr = make_csr(key->handle.get(), "h");
  ASSERT_TRUE(csr) << csr.error().message;
  auto pem = ca->sign_client_csr(*csr, "s/h", 1h, clock);
  ASSERT_TRUE(pem) << pem.error().message;
  EXPECT_EQ(X509_check_private_key(parse_cert(*pem).get(), parse_key(key->pem).get()), 1);
}

TEST_F(PkiTest, TheFingerprintFromPemBytesIsTheParsedCertificatesFingerprint) {
  auto fingerprint = certificate_fingerprint(ca->certificate_pem());
  ASSERT_TRUE(fingerprint) << fingerprint.error().message;
  EXPECT_EQ(*fingerprint, inspect_certificate(ca->certificate_pem()).value().fingerprint);
  EXPECT_EQ(*fingerprint, ca->fingerprint());
  EXPECT_FALSE(certificate_fingerprint("hello"));
  auto csr = make_csr(new_key(), "h");
  ASSERT_TRUE(csr);
  EXPECT_FALSE(certificate_fingerprint(*csr)) << "a CSR is not a certificate";
}

TEST_F(PkiTest, EachSignedCertificateHasItsOwnSerial) {
  auto csr = make_csr(new_key(), "h");
  ASSERT_TRUE(csr);
  auto first = inspect_certificate(ca->sign_client_csr(*csr, "s/h", 1h, clock).value());
  auto second = inspect_certificate(ca->sign_client_csr(*csr, "s/h", 1h, clock).value());
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->serial_hex, second->serial_hex);
  EXPECT_NE(first->fingerprint, second->fingerprint);
}

TEST_F(PkiTest, CsrSignedByAnotherKeyIsRefused) {
  // The CSR claims key A but is signed with key B: the requester does not hold key A.
  auto claimed = parse_key(new_key());
  auto signer = parse_key(new_key());
  X509ReqPtr req(X509_REQ_new());
  X509_NAME_add_entry_by_txt(X509_REQ_get_subject_name(req.get()), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("victim"), -1, -1, 0);
  X509_REQ_set_pubkey(req.get(), claimed.get());
  ASSERT_GT(X509_REQ_sign(req.get(), signer.get(), EVP_sha256()), 0);

  auto pem = ca->sign_client_csr(req_to_pem(req.get()), "site-a/host-1", 1h, clock);
  ASSERT_FALSE(pem);
  EXPECT_EQ(pem.error().status, 400);
  EXPECT_NE(pem.error().message.find("signature does not verify"), std::string::npos) << pem.error().message;
}

TEST_F(PkiTest, CsrWithCorruptedSignatureBytesIsRefused) {
  auto csr_pem = make_csr(new_key(), "h");
  ASSERT_TRUE(csr_pem);
  BioPtr bio(BIO_new_mem_buf(csr_pem->data(), static_cast<int>(csr_pem->size())));
  X509ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  ASSERT_TRUE(req);
  unsigned char* der = nullptr;
  const int size = i2d_X509_REQ(req.get(), &der);
  ASSERT_GT(size, 0);
  der[size - 1] ^= 0x01;  // the last byte belongs to the signature
  const unsigned char* cursor = der;
  X509ReqPtr corrupted(d2i_X509_REQ(nullptr, &cursor, size));
  OPENSSL_free(der);
  ASSERT_TRUE(corrupted);

  auto pem = ca->sign_client_csr(req_to_pem(corrupted.get()), "s/h", 1h, clock);
  ASSERT_FALSE(pem);
  EXPECT_EQ(pem.error().status, 400);
}

TEST_F(PkiTest, CertificateFromAnotherCaDoesNotVerify) {
  auto other = CertificateAuthority::create("Other CA", clock);
  ASSERT_TRUE(other);
  auto foreign = other->issue_server_certificate(new_key(), {"127.0.0.1"}, 1h, clock);
  ASSERT_TRUE(foreign);
  EXPECT_EQ(verify_error(ca->certificate_pem(), *foreign, clock, X509_PURPOSE_SSL_SERVER),
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  EXPECT_NE(other->fingerprint(), ca->fingerprint());
}

TEST_F(PkiTest, FingerprintIsTheStableSha256OfTheDer) {
  auto first = inspect_certificate(ca->certificate_pem());
  auto second = inspect_certificate(ca->certificate_pem());
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->fingerprint, second->fingerprint);
  EXPECT_EQ(first->fingerprint, ca->fingerprint());

  auto cert = parse_cert(ca->certificate_pem());
  unsigned char* der = nullptr;
  const int size = i2d_X509(cert.get(), &der);
  ASSERT_GT(size, 0);
  const std::string der_bytes(reinterpret_cast<const char*>(der), static_cast<std::size_t>(size));
  OPENSSL_free(der);
  EXPECT_EQ(ca->fingerprint(), sha256_hex(der_bytes));
  EXPECT_EQ(ca->fingerprint().size(), 64u);
}

TEST_F(PkiTest, OneAuthoritySignsFromSeveralThreadsAtOnce) {
  auto csr = make_csr(new_key(), "h");
  ASSERT_TRUE(csr);
  constexpr int kPerThread = 20;
  std::vector<std::string> issued[2];
  std::vector<std::thread> signers;
  for (auto& out : issued)
    signers.emplace_back([&, &out = out] {
      for (int i = 0; i < kPerThread; ++i) out.push_back(ca->sign_client_csr(*csr, "s/h", 1h, clock).value_or(""));
    });
  for (auto& signer : signers) signer.join();
  for (const auto& out : issued)
    for (const auto& pem : out)
      EXPECT_EQ(verify_error(ca->certificate_pem(), pem, clock, X509_PURPOSE_SSL_CLIENT), X509_V_OK);
}

TEST(PkiUnloaded, DefaultConstructedAuthorityRefusesToSign) {
  ManualClock clock;
  const CertificateAuthority unloaded;
  auto csr = make_csr(generate_private_key_pem().value(), "h");
  ASSERT_TRUE(csr);
  EXPECT_FALSE(unloaded.sign_client_csr(*csr, "s/h", std::chrono::hours(1), clock));
  EXPECT_FALSE(unloaded.issue_server_certificate(generate_private_key_pem().value(), {"a"}, std::chrono::hours(1), clock));
}

// A figure for the enrollment-throughput budget, printed, not asserted (the machine is shared).
TEST_F(PkiTest, MeasuresClientCsrSigning) {
  constexpr int kSignings = 200;
  auto csr = make_csr(new_key(), "h");
  ASSERT_TRUE(csr);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kSignings; ++i) ASSERT_TRUE(ca->sign_client_csr(*csr, "site/host", 24h, clock));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  std::cout << "[ measure  ] sign_client_csr: "
            << std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count() / kSignings
            << " us per CSR (" << kSignings << " signings)\n";
}

}  // namespace
}  // namespace outpost
