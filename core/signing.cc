#include "core/signing.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace goalsync::core {
namespace {

struct Free {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  void operator()(BIO* b) const { BIO_free(b); }
};
template <typename T>
using Owned = std::unique_ptr<T, Free>;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

Owned<EVP_PKEY> ReadPrivate(const std::string& pem) {
  Owned<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Owned<EVP_PKEY>(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
}

Owned<EVP_PKEY> ReadPublic(const std::string& pem) {
  Owned<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return Owned<EVP_PKEY>(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
}

absl::StatusOr<std::string> PublicPem(EVP_PKEY* key) {
  Owned<BIO> bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PUBKEY(bio.get(), key) != 1) return absl::InternalError("cannot write a public key");
  return BioText(bio.get());
}

}  // namespace

absl::StatusOr<std::pair<std::string, std::string>> GenerateSigningKey() {
  Owned<EVP_PKEY_CTX> ctx(EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &raw) != 1) {
    return absl::InternalError("cannot generate an Ed25519 key");
  }
  Owned<EVP_PKEY> key(raw);
  Owned<BIO> bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return absl::InternalError("cannot write the private key");
  }
  absl::StatusOr<std::string> pub = PublicPem(key.get());
  if (!pub.ok()) return pub.status();
  return std::make_pair(BioText(bio.get()), *pub);
}

absl::StatusOr<std::string> PublicKeyOf(const std::string& private_key_pem) {
  Owned<EVP_PKEY> key = ReadPrivate(private_key_pem);
  if (!key) return absl::InvalidArgumentError("not a PEM private key");
  return PublicPem(key.get());
}

absl::StatusOr<std::string> KeyId(const std::string& public_key_pem) {
  Owned<EVP_PKEY> key = ReadPublic(public_key_pem);
  if (!key) return absl::InvalidArgumentError("not a PEM public key");
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key.get(), &der);
  if (n <= 0) return absl::InternalError("cannot encode the public key");
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(der, static_cast<size_t>(n), digest);
  OPENSSL_free(der);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), 8));
}

std::string CheckpointMessage(const goalsync::v1::Checkpoint& c) {
  if (c.node_id().empty() && c.epoch() == 0) {
    return absl::StrCat("goalsync checkpoint v1\n", c.workspace(), "\n", c.seq(), "\n",
                        absl::BytesToHexString(c.hash()), "\n", c.signed_at().seconds(), "\n");
  }
  return absl::StrCat("goalsync checkpoint v2\n", c.workspace(), "\n", c.seq(), "\n",
                      absl::BytesToHexString(c.hash()), "\n", c.signed_at().seconds(), "\n",
                      c.node_id(), "\n", c.epoch(), "\n");
}

absl::Status SignCheckpoint(const std::string& private_key_pem, goalsync::v1::Checkpoint* c) {
  Owned<EVP_PKEY> key = ReadPrivate(private_key_pem);
  if (!key) return absl::InvalidArgumentError("the signing key is not a PEM private key");
  const std::string message = CheckpointMessage(*c);
  Owned<EVP_MD_CTX> md(EVP_MD_CTX_new());
  size_t len = 0;
  if (EVP_DigestSignInit(md.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestSign(md.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1) {
    return absl::InternalError("cannot sign the checkpoint");
  }
  std::string signature(len, '\0');
  if (EVP_DigestSign(md.get(), reinterpret_cast<unsigned char*>(signature.data()), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    return absl::InternalError("cannot sign the checkpoint");
  }
  signature.resize(len);
  c->set_signature(signature);
  absl::StatusOr<std::string> pub = PublicPem(key.get());
  if (!pub.ok()) return pub.status();
  absl::StatusOr<std::string> id = KeyId(*pub);
  if (!id.ok()) return id.status();
  c->set_key_id(*id);
  return absl::OkStatus();
}

absl::Status VerifyCheckpoint(const std::string& public_key_pem, const goalsync::v1::Checkpoint& c) {
  Owned<EVP_PKEY> key = ReadPublic(public_key_pem);
  if (!key) return absl::InvalidArgumentError("the public key is not PEM (goalsyncd pubkey prints it)");
  const std::string message = CheckpointMessage(c);
  Owned<EVP_MD_CTX> md(EVP_MD_CTX_new());
  if (EVP_DigestVerifyInit(md.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
      EVP_DigestVerify(md.get(), reinterpret_cast<const unsigned char*>(c.signature().data()),
                       c.signature().size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) != 1) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the signature of the checkpoint at seq ", c.seq(), " of ", c.workspace(),
        " does not match the key: it was altered, or signed by another key"));
  }
  return absl::OkStatus();
}

}  // namespace goalsync::core
