#include "core/hash_chain.h"

#include <openssl/evp.h>

#include <cstring>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/deterministic.h"
#include "google/protobuf/wire_format_lite.h"

namespace goalsync::core {

const std::string& GenesisHash() {
  static const std::string* const kGenesis = new std::string(kHashSize, '\0');
  return *kGenesis;
}

namespace {

// The span [*begin, *end) of the top-level `hash` field in an Event's encoding; false if
// there is none (or the bytes do not parse as fields).
bool FindHashField(absl::string_view bytes, size_t* begin, size_t* end) {
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()),
                                           static_cast<int>(bytes.size()));
  for (;;) {
    const int start = in.CurrentPosition();
    const uint32_t tag = in.ReadTag();
    if (tag == 0) return false;
    if (!google::protobuf::internal::WireFormatLite::SkipField(&in, tag)) return false;
    if (google::protobuf::internal::WireFormatLite::GetTagFieldNumber(tag) ==
        goalsync::v1::Event::kHashFieldNumber) {
      *begin = static_cast<size_t>(start);
      *end = static_cast<size_t>(in.CurrentPosition());
      return true;
    }
  }
}

// Removes the top-level `hash` field from a deterministic encoding of an Event. Deterministic
// encoding writes fields in field-number order, so what is left is exactly the encoding of
// the event without its hash: no copy of the event is needed.
void StripHashField(std::string* bytes) {
  size_t begin = 0, end = 0;
  if (FindHashField(*bytes, &begin, &end)) bytes->erase(begin, end - begin);
}

}  // namespace

std::string CanonicalBytes(const goalsync::v1::Event& event) {
  std::string bytes = SerializeDeterministic(event);
  if (!event.hash().empty()) StripHashField(&bytes);
  return bytes;
}

bool VerifyEncodedEvent(absl::string_view encoding, const goalsync::v1::Event& event) {
  size_t begin = 0, end = 0;
  if (event.hash().size() != kHashSize || !FindHashField(encoding, &begin, &end)) return false;
  // The canonical bytes are the encoding without the hash field: hash the two parts around
  // it, with no copy.
  thread_local std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                           &EVP_MD_CTX_free);
  unsigned char digest[kHashSize];
  unsigned int len = 0;
  if (ctx == nullptr || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), event.prev_hash().data(), event.prev_hash().size()) != 1 ||
      EVP_DigestUpdate(ctx.get(), encoding.data(), begin) != 1 ||
      EVP_DigestUpdate(ctx.get(), encoding.data() + end, encoding.size() - end) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), digest, &len) != 1 || len != kHashSize) {
    std::abort();
  }
  return std::memcmp(digest, event.hash().data(), kHashSize) == 0;
}

bool VerifyEventHash(const goalsync::v1::Event& event, std::string* encoding) {
  *encoding = SerializeDeterministic(event);
  std::string canonical = *encoding;
  if (!event.hash().empty()) StripHashField(&canonical);
  return ComputeHashOf(event.prev_hash(), canonical) == event.hash();
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

std::string ComputeHashOf(absl::string_view prev_hash, absl::string_view canonical) {
  return Sha256(prev_hash, canonical);
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
