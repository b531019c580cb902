#include "common/pki.hpp"

#include "common/openssl_handles.hpp"

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <cctype>
#include <ctime>
#include <memory>
#include <new>
#include <string_view>
#include <utility>
#include <variant>

namespace outpost {
namespace {

void free_openssl_memory(void* p) { OPENSSL_free(p); }
using OpenSslStringPtr = std::unique_ptr<char, OpenSslDeleter<free_openssl_memory>>;
using Utf8Ptr = std::unique_ptr<unsigned char, OpenSslDeleter<free_openssl_memory>>;

constexpr auto kClockSkewAllowance = std::chrono::minutes(5);
constexpr auto kCaValidity = std::chrono::days(3650);

// Drains OpenSSL's thread-local error queue into one sentence, so a failure names its cause and
// no stale entry leaks into the next operation's message.
std::string drain_openssl_errors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    std::array<char, 256> buffer{};
    ERR_error_string_n(code, buffer.data(), buffer.size());
    if (!text.empty()) text += "; ";
    text += buffer.data();
  }
  return text.empty() ? "no OpenSSL error recorded" : text;
}

// Malformed input from a caller (a bad PEM, a forged CSR) is the caller's fault: 400.
std::unexpected<Error> rejected_input(const std::string& what) {
  return bad_request(what + ": " + drain_openssl_errors());
}

// A failure while building or signing with well-formed input is ours: 500.
std::unexpected<Error> crypto_failure(const std::string& what) {
  return internal_error(what + ": " + drain_openssl_errors());
}

std::string to_hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 0xF]);
  }
  return out;
}

BioPtr memory_bio(const std::string& text) {
  return BioPtr(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
}

// Refuses to prompt: without this, an encrypted key would make OpenSSL ask the terminal.
int no_passphrase(char*, int, int, void*) { return 0; }

Result<PkeyPtr> read_private_key(const std::string& pem) {
  auto bio = memory_bio(pem);
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
  if (!key) return rejected_input("cannot read private key PEM");
  return key;
}

Result<X509Ptr> read_certificate(const std::string& pem) {
  auto bio = memory_bio(pem);
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
  if (!cert) return rejected_input("cannot read certificate PEM");
  return cert;
}

Result<X509ReqPtr> read_csr(const std::string& pem) {
  auto bio = memory_bio(pem);
  X509ReqPtr csr(bio ? PEM_read_bio_X509_REQ(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
  if (!csr) return rejected_input("cannot read certificate signing request PEM");
  return csr;
}

template <class Writer>
Result<std::string> write_pem(Writer&& write, const char* what) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) return crypto_failure(std::string("cannot write ") + what);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

Result<std::string> certificate_to_pem(X509* cert) {
  return write_pem([cert](BIO* bio) { return PEM_write_bio_X509(bio, cert); }, "certificate PEM");
}

Result<X509NamePtr> name_with_common_name(const std::string& common_name) {
  X509NamePtr name(X509_NAME_new());
  if (!name) return crypto_failure("cannot allocate a name");
  const auto* bytes = reinterpret_cast<const unsigned char*>(common_name.data());
  if (X509_NAME_add_entry_by_NID(name.get(), NID_commonName, MBSTRING_UTF8, bytes,
                                 static_cast<int>(common_name.size()), -1, 0) != 1)
    return rejected_input("invalid common name '" + common_name + "'");
  return name;
}

// Serials are random so two certificates never collide, even across CAs recreated from scratch
// or several tower replicas signing at once (RFC 5280 asks for unique, ≤ 20 octets).
Status set_random_serial(X509* cert) {
  BignumPtr serial(BN_new());
  if (!serial || BN_rand(serial.get(), 128, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      !BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)))
    return crypto_failure("cannot set a random serial");
  return {};
}

Status set_validity(X509* cert, std::chrono::hours validity, const Clock& clock) {
  const auto now = clock.now();
  const auto not_before = std::chrono::system_clock::to_time_t(now - kClockSkewAllowance);
  const auto not_after = std::chrono::system_clock::to_time_t(now + validity);
  if (!ASN1_TIME_set(X509_getm_notBefore(cert), not_before) ||
      !ASN1_TIME_set(X509_getm_notAfter(cert), not_after))
    return crypto_failure("cannot set the validity period");
  return {};
}

// `value` uses OpenSSL's extension config syntax; callers pass only constants, never input.
Status add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509ExtPtr extension(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value));
  if (!extension || X509_add_ext(cert, extension.get(), -1) != 1)
    return crypto_failure(std::string("cannot add extension ") + OBJ_nid2sn(nid));
  return {};
}

// A CSR's public key goes into the certificate as the requester encoded it: X509_set_pubkey
// would encode the decoded key again, and OpenSSL 3.0 sets up an encoder for every such call
// (6 % of the tower's CPU while hosts enroll).
Status copy_public_key(X509* cert, X509_REQ* csr) {
  const X509_PUBKEY* source = X509_REQ_get_X509_PUBKEY(csr);
  ASN1_OBJECT* key_type = nullptr;
  const unsigned char* bits = nullptr;
  int length = 0;
  X509_ALGOR* algorithm = nullptr;
  if (!source || X509_PUBKEY_get0_param(&key_type, &bits, &length, &algorithm, source) != 1 || !bits || length <= 0)
    return rejected_input("certificate signing request has no usable public key");
  const ASN1_OBJECT* algorithm_id = nullptr;
  int parameter_type = V_ASN1_UNDEF;
  const void* parameter = nullptr;
  X509_ALGOR_get0(&algorithm_id, &parameter_type, &parameter, algorithm);
  void* parameter_copy = nullptr;
  if (parameter_type == V_ASN1_OBJECT)
    parameter_copy = OBJ_dup(static_cast<const ASN1_OBJECT*>(parameter));
  else if (parameter_type != V_ASN1_UNDEF && parameter_type != V_ASN1_NULL)
    parameter_copy = ASN1_STRING_dup(static_cast<const ASN1_STRING*>(parameter));
  ASN1_OBJECT* type_copy = OBJ_dup(algorithm_id);
  auto* bits_copy = static_cast<unsigned char*>(OPENSSL_memdup(bits, static_cast<std::size_t>(length)));
  const bool copied = type_copy && bits_copy && (parameter_copy || parameter_type == V_ASN1_UNDEF || parameter_type == V_ASN1_NULL);
  if (!copied ||
      X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(cert), type_copy, parameter_type, parameter_copy, bits_copy, length) != 1) {
    ASN1_OBJECT_free(type_copy);
    OPENSSL_free(bits_copy);
    if (parameter_type == V_ASN1_OBJECT) ASN1_OBJECT_free(static_cast<ASN1_OBJECT*>(parameter_copy));
    else ASN1_STRING_free(static_cast<ASN1_STRING*>(parameter_copy));
    return crypto_failure("cannot copy the requester's public key");
  }
  return {};
}

// The certificate's subject key: a key of ours, or the one a CSR carries.
using SubjectKey = std::variant<EVP_PKEY*, X509_REQ*>;

Status set_public_key(X509* cert, SubjectKey key) {
  if (auto* csr = std::get_if<X509_REQ*>(&key)) return copy_public_key(cert, *csr);
  if (X509_set_pubkey(cert, std::get<EVP_PKEY*>(key)) != 1) return crypto_failure("cannot set the certificate's key");
  return {};
}

// Everything a certificate shares, whoever it is for. `issuer` is null for a self-signed one.
Result<X509Ptr> new_certificate(X509* issuer, const std::string& common_name, SubjectKey subject_key,
                                std::chrono::hours validity, const Clock& clock) {
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1)
    return crypto_failure("cannot create a certificate");
  auto subject = name_with_common_name(common_name);
  if (!subject) return std::unexpected(subject.error());
  X509_NAME* issuer_name = issuer ? X509_get_subject_name(issuer) : subject->get();
  if (X509_set_subject_name(cert.get(), subject->get()) != 1 || X509_set_issuer_name(cert.get(), issuer_name) != 1)
    return crypto_failure("cannot set certificate names");
  if (auto ok = set_public_key(cert.get(), subject_key); !ok) return std::unexpected(ok.error());
  if (auto ok = set_random_serial(cert.get()); !ok) return std::unexpected(ok.error());
  if (auto ok = set_validity(cert.get(), validity, clock); !ok) return std::unexpected(ok.error());
  if (auto ok = add_extension(cert.get(), issuer, NID_subject_key_identifier, "hash"); !ok)
    return std::unexpected(ok.error());
  return cert;
}

// Leaf extensions: not a CA, signature-only key usage, the given extended usage, and a link to
// the issuing key so chains build even after the CA is re-issued with the same key.
Status add_leaf_extensions(X509* cert, X509* issuer, const char* extended_usage) {
  const std::pair<int, const char*> extensions[] = {
      {NID_basic_constraints, "critical,CA:FALSE"},
      {NID_key_usage, "critical,digitalSignature"},
      {NID_ext_key_usage, extended_usage},
      {NID_authority_key_identifier, "keyid:always"},
  };
  for (const auto& [nid, value] : extensions)
    if (auto ok = add_extension(cert, issuer, nid, value); !ok) return ok;
  return {};
}

// Built from typed GENERAL_NAMEs rather than a "DNS:a,IP:b" string, so a name containing a
// comma or a colon can never smuggle in another entry.
Status add_subject_alt_names(X509* cert, const std::vector<std::string>& names) {
  GeneralNamesPtr general_names(sk_GENERAL_NAME_new_null());
  if (!general_names) return crypto_failure("cannot allocate subject alternative names");
  for (const auto& name : names) {
    GeneralNamePtr entry(GENERAL_NAME_new());
    if (!entry) return crypto_failure("cannot allocate a subject alternative name");
    if (OctetStringPtr address(a2i_IPADDRESS(name.c_str())); address) {
      GENERAL_NAME_set0_value(entry.get(), GEN_IPADD, address.release());
    } else {
      ERR_clear_error();  // "not an address" is expected here, not a failure
      Ia5StringPtr dns(ASN1_IA5STRING_new());
      if (!dns || ASN1_STRING_set(dns.get(), name.data(), static_cast<int>(name.size())) != 1)
        return crypto_failure("cannot encode DNS name '" + name + "'");
      GENERAL_NAME_set0_value(entry.get(), GEN_DNS, dns.release());
    }
    if (sk_GENERAL_NAME_push(general_names.get(), entry.get()) == 0)
      return crypto_failure("cannot add a subject alternative name");
    entry.release();  // now owned by the stack
  }
  if (X509_add1_ext_i2d(cert, NID_subject_alt_name, general_names.get(), 0, X509V3_ADD_DEFAULT) != 1)
    return crypto_failure("cannot add subject alternative names");
  return {};
}

Result<std::string> sign_to_pem(X509* cert, EVP_PKEY* key) {
  if (X509_sign(cert, key, EVP_sha256()) <= 0) return crypto_failure("cannot sign certificate");
  return certificate_to_pem(cert);
}

Result<std::string> certificate_fingerprint(X509* cert) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (X509_digest(cert, EVP_sha256(), digest.data(), &size) != 1)
    return crypto_failure("cannot compute certificate fingerprint");
  return to_hex(digest.data(), size);
}

Result<std::int64_t> asn1_time_to_unix(const ASN1_TIME* time) {
  std::tm parts{};
  if (ASN1_TIME_to_tm(time, &parts) != 1) return rejected_input("invalid certificate time");
  using namespace std::chrono;
  const year_month_day date{year{parts.tm_year + 1900}, month{static_cast<unsigned>(parts.tm_mon + 1)},
                            day{static_cast<unsigned>(parts.tm_mday)}};
  const auto instant = sys_days{date} + hours{parts.tm_hour} + minutes{parts.tm_min} + seconds{parts.tm_sec};
  return instant.time_since_epoch().count();
}

Result<std::string> common_name_of(X509* cert) {
  X509_NAME* subject = X509_get_subject_name(cert);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return std::string{};
  unsigned char* raw = nullptr;
  const int size = ASN1_STRING_to_UTF8(&raw, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
  Utf8Ptr utf8(raw);
  if (size < 0) return rejected_input("cannot decode certificate common name");
  return std::string(reinterpret_cast<const char*>(utf8.get()), static_cast<std::size_t>(size));
}

Result<std::string> serial_hex_of(X509* cert) {
  BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  OpenSslStringPtr hex(serial ? BN_bn2hex(serial.get()) : nullptr);
  if (!hex) return crypto_failure("cannot read certificate serial");
  std::string text(hex.get());
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// An EC key goes into a request as its curve and its encoded point. OpenSSL 3.0's
// X509_REQ_set_pubkey would set up an encoder for the key and then a decoder for what it encoded,
// on every call (5 % of the simulator's CPU while its hosts enroll); other keys still take it.
bool set_request_public_key(X509_REQ* csr, EVP_PKEY* key) {
  std::array<char, 64> group{};
  std::size_t group_length = 0;
  std::size_t point_length = 0;
  const int curve = EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group.data(), group.size(), &group_length) == 1
                        ? OBJ_sn2nid(group.data())
                        : NID_undef;
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC || curve == NID_undef ||
      EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0, &point_length) != 1) {
    ERR_clear_error();
    return X509_REQ_set_pubkey(csr, key) == 1;
  }
  auto* point = static_cast<unsigned char*>(OPENSSL_malloc(point_length));
  if (!point || EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, point, point_length, &point_length) != 1 ||
      X509_PUBKEY_set0_param(X509_REQ_get_X509_PUBKEY(csr), OBJ_nid2obj(NID_X9_62_id_ecPublicKey), V_ASN1_OBJECT,
                             OBJ_nid2obj(curve), point, static_cast<int>(point_length)) != 1) {
    OPENSSL_free(point);
    return false;
  }
  return true;
}

}  // namespace

Result<PrivateKey> generate_private_key() {
  ERR_clear_error();
  std::shared_ptr<EVP_PKEY> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  if (!key) return crypto_failure("cannot generate an EC P-256 key");
  // PEM_write_bio_PrivateKey writes PKCS#8 ("BEGIN PRIVATE KEY"), unencrypted.
  auto pem = write_pem(
      [&key](BIO* bio) { return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr); },
      "private key PEM");
  if (!pem) return std::unexpected(pem.error());
  return PrivateKey{std::move(key), std::move(*pem)};
}

Result<std::string> generate_private_key_pem() {
  auto key = generate_private_key();
  if (!key) return std::unexpected(key.error());
  return std::move(key->pem);
}

Result<std::string> make_csr(const std::string& key_pem, const std::string& common_name) {
  ERR_clear_error();
  auto key = read_private_key(key_pem);
  if (!key) return std::unexpected(key.error());
  return make_csr(key->get(), common_name);
}

Result<std::string> make_csr(EVP_PKEY* key, const std::string& common_name) {
  ERR_clear_error();
  auto subject = name_with_common_name(common_name);
  if (!subject) return std::unexpected(subject.error());
  X509ReqPtr csr(X509_REQ_new());
  if (!csr || X509_REQ_set_version(csr.get(), X509_REQ_VERSION_1) != 1 ||
      X509_REQ_set_subject_name(csr.get(), subject->get()) != 1 || !set_request_public_key(csr.get(), key))
    return crypto_failure("cannot build certificate signing request");
  if (X509_REQ_sign(csr.get(), key, EVP_sha256()) <= 0)
    return crypto_failure("cannot sign certificate signing request");
  return write_pem([&csr](BIO* bio) { return PEM_write_bio_X509_REQ(bio, csr.get()); },
                   "certificate signing request PEM");
}

Result<CertificateInfo> inspect_certificate(const std::string& cert_pem) {
  ERR_clear_error();
  auto cert = read_certificate(cert_pem);
  if (!cert) return std::unexpected(cert.error());
  CertificateInfo info;
  auto common_name = common_name_of(cert->get());
  if (!common_name) return std::unexpected(common_name.error());
  auto serial = serial_hex_of(cert->get());
  if (!serial) return std::unexpected(serial.error());
  auto not_before = asn1_time_to_unix(X509_get0_notBefore(cert->get()));
  if (!not_before) return std::unexpected(not_before.error());
  auto not_after = asn1_time_to_unix(X509_get0_notAfter(cert->get()));
  if (!not_after) return std::unexpected(not_after.error());
  auto fingerprint = certificate_fingerprint(cert->get());
  if (!fingerprint) return std::unexpected(fingerprint.error());
  info.common_name = std::move(*common_name);
  info.serial_hex = std::move(*serial);
  info.not_before = *not_before;
  info.not_after = *not_after;
  info.fingerprint = std::move(*fingerprint);
  return info;
}

Result<std::string> certificate_fingerprint(const std::string& cert_pem) {
  ERR_clear_error();
  auto bio = memory_bio(cert_pem);
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* der = nullptr;
  long size = 0;
  const bool read = bio && PEM_read_bio(bio.get(), &name, &header, &der, &size) == 1;
  const bool is_certificate = read && std::string_view(name) == PEM_STRING_X509;
  std::string fingerprint = is_certificate ? sha256_hex(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(size))) : "";
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(der);
  if (!is_certificate) return rejected_input("cannot read certificate PEM");
  return fingerprint;
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  // With the built-in SHA-256 the only possible failure is allocation, which std::string
  // would report the same way.
  if (EVP_Digest(data.data(), data.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1)
    throw std::bad_alloc();
  return to_hex(digest.data(), size);
}

Result<CertificateAuthority> CertificateAuthority::create(const std::string& common_name,
                                                          const Clock& clock) {
  auto key_pem = generate_private_key_pem();
  if (!key_pem) return std::unexpected(key_pem.error());
  auto key = read_private_key(*key_pem);
  if (!key) return std::unexpected(key.error());
  auto cert = new_certificate(nullptr, common_name, key->get(),
                              std::chrono::duration_cast<std::chrono::hours>(kCaValidity), clock);
  if (!cert) return std::unexpected(cert.error());
  for (const auto& [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                                   std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"}})
    if (auto ok = add_extension(cert->get(), cert->get(), nid, value); !ok)
      return std::unexpected(ok.error());
  auto cert_pem = sign_to_pem(cert->get(), key->get());
  if (!cert_pem) return std::unexpected(cert_pem.error());
  return load(std::move(*cert_pem), std::move(*key_pem));
}

Result<CertificateAuthority> CertificateAuthority::load(std::string cert_pem, std::string key_pem) {
  ERR_clear_error();
  auto cert = read_certificate(cert_pem);
  if (!cert) return std::unexpected(cert.error());
  auto key = read_private_key(key_pem);
  if (!key) return std::unexpected(key.error());
  if (X509_check_private_key(cert->get(), key->get()) != 1)
    return rejected_input("CA private key does not match the CA certificate");
  // Also fills OpenSSL's extension cache now, so later concurrent signings only read it.
  if (X509_check_ca(cert->get()) == 0)
    return bad_request("the certificate is not a certificate authority (no CA:TRUE)");
  auto fingerprint = certificate_fingerprint(cert->get());
  if (!fingerprint) return std::unexpected(fingerprint.error());
  CertificateAuthority authority;
  authority.cert_pem_ = std::move(cert_pem);
  authority.key_pem_ = std::move(key_pem);
  authority.fingerprint_ = std::move(*fingerprint);
  authority.cert_ = std::move(*cert);
  authority.key_ = std::move(*key);
  return authority;
}

Result<std::string> CertificateAuthority::issue_server_certificate(const std::string& key_pem,
                                                                   const std::vector<std::string>& names,
                                                                   std::chrono::hours validity,
                                                                   const Clock& clock) const {
  ERR_clear_error();
  if (!cert_ || !key_) return internal_error("the certificate authority was never loaded");
  if (names.empty()) return bad_request("a server certificate needs at least one name or address");
  auto subject_key = read_private_key(key_pem);
  if (!subject_key) return std::unexpected(subject_key.error());
  auto cert = new_certificate(cert_.get(), names.front(), subject_key->get(), validity, clock);
  if (!cert) return std::unexpected(cert.error());
  if (auto ok = add_leaf_extensions(cert->get(), cert_.get(), "serverAuth"); !ok)
    return std::unexpected(ok.error());
  if (auto ok = add_subject_alt_names(cert->get(), names); !ok) return std::unexpected(ok.error());
  return sign_to_pem(cert->get(), key_.get());
}

Result<CertificateAuthority::Issued> CertificateAuthority::issue_client_certificate(const std::string& csr_pem,
                                                                                    const std::string& common_name,
                                                                                    std::chrono::hours validity,
                                                                                    const Clock& clock) const {
  ERR_clear_error();
  if (!cert_ || !key_) return internal_error("the certificate authority was never loaded");
  auto csr = read_csr(csr_pem);
  if (!csr) return std::unexpected(csr.error());
  EVP_PKEY* requester_key = X509_REQ_get0_pubkey(csr->get());
  if (!requester_key) return rejected_input("certificate signing request has no usable public key");
  // Proof that the requester holds the private key; anything else in the CSR is ignored.
  if (X509_REQ_verify(csr->get(), requester_key) != 1)
    return rejected_input("certificate signing request signature does not verify");
  auto cert = new_certificate(cert_.get(), common_name, csr->get(), validity, clock);
  if (!cert) return std::unexpected(cert.error());
  if (auto ok = add_leaf_extensions(cert->get(), cert_.get(), "clientAuth"); !ok)
    return std::unexpected(ok.error());
  auto pem = sign_to_pem(cert->get(), key_.get());
  if (!pem) return std::unexpected(pem.error());
  auto serial = serial_hex_of(cert->get());
  if (!serial) return std::unexpected(serial.error());
  return Issued{std::move(*pem), std::move(*serial)};
}

Result<std::string> CertificateAuthority::sign_client_csr(const std::string& csr_pem,
                                                          const std::string& common_name,
                                                          std::chrono::hours validity,
                                                          const Clock& clock) const {
  auto issued = issue_client_certificate(csr_pem, common_name, validity, clock);
  if (!issued) return std::unexpected(issued.error());
  return std::move(issued->pem);
}

}  // namespace outpost
