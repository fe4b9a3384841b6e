#include "core/hash_chain.h"

#include <openssl/evp.h>

#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/deterministic.h"

namespace goalsync::core {

const std::string& GenesisHash() {
  static const std::string* const kGenesis = new std::string(kHashSize, '\0');
  return *kGenesis;
}

std::string CanonicalBytes(const goalsync::v1::Event& event) {
  if (event.hash().empty()) return SerializeDeterministic(event);
  goalsync::v1::Event copy = event;
  copy.clear_hash();
  return SerializeDeterministic(copy);
}

namespace {

// SHA-256 of `prefix || bytes`. OpenSSL fails here only on allocation failure or a broken
// library: crash rather than write a log with a wrong chain.
std::string Sha256(absl::string_view prefix, absl::string_view bytes) {
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                           &EVP_MD_CTX_free);
  std::string digest(kHashSize, '\0');
  unsigned int len = 0;
  if (ctx == nullptr || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), prefix.data(), prefix.size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(digest.data()), &len) !=
          1 ||
      len != kHashSize) {
    std::abort();
  }
  return digest;
}

}  // namespace

std::string ComputeEventHash(const goalsync::v1::Event& event) {
  return Sha256(event.prev_hash(), CanonicalBytes(event));
}

std::string SealEvent(goalsync::v1::Event* event) {
  std::string bytes = CanonicalBytes(*event);
  event->set_hash(Sha256(event->prev_hash(), bytes));
  // Field 11 (hash), wire type 2 (length-delimited): tag byte 0x5a, then length 32.
  static_assert(goalsync::v1::Event::kHashFieldNumber == 11 && kHashSize < 128);
  bytes.push_back(static_cast<char>((goalsync::v1::Event::kHashFieldNumber << 3) | 2));
  bytes.push_back(static_cast<char>(kHashSize));
  bytes.append(event->hash());
  return bytes;
}

ChainVerifier::ChainVerifier() : last_seq_(0), last_hash_(GenesisHash()) {}

ChainVerifier::ChainVerifier(uint64_t seq, std::string hash)
    : last_seq_(seq), last_hash_(std::move(hash)) {}

absl::Status ChainVerifier::Next(const goalsync::v1::Event& event) {
  const uint64_t want = last_seq_ + 1;
  if (event.seq() != want) {
    return absl::DataLossError(absl::StrCat("seq ", want, ": expected next, found seq ",
                                            event.seq(), " (an event is missing or moved)"));
  }
  if (event.prev_hash() != last_hash_) {
    return absl::DataLossError(absl::StrCat("seq ", want, ": prev_hash ",
                                            absl::BytesToHexString(event.prev_hash()),
                                            " does not match the hash of seq ", last_seq_));
  }
  if (ComputeEventHash(event) != event.hash()) {
    return absl::DataLossError(
        absl::StrCat("seq ", want, ": content does not match its hash (the event was altered)"));
  }
  last_seq_ = want;
  last_hash_ = event.hash();
  return absl::OkStatus();
}

}  // namespace goalsync::core
