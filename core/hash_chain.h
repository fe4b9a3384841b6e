// The tamper-evident hash chain over a workspace's log.
//
//   hash(seq) = SHA-256(prev_hash || canonical_bytes(event))
//   prev_hash(seq) = hash(seq - 1), and 32 zero bytes for seq 1
//
// canonical_bytes(event) is the protobuf binary encoding of the Event with `hash` cleared,
// serialized deterministically (fields in field-number order, no unknown fields). See
// docs/hash-chain.md for the exact recipe an auditor follows.
//
// Pure and thread-safe, except ChainVerifier, which is a value type for one thread.
#ifndef GOALSYNC_CORE_HASH_CHAIN_H_
#define GOALSYNC_CORE_HASH_CHAIN_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "goalsync/v1/event.pb.h"

namespace goalsync::core {

inline constexpr size_t kHashSize = 32;

// prev_hash of the first event of every log: 32 zero bytes.
const std::string& GenesisHash();

// The bytes the hash covers besides prev_hash: `event` without its `hash` field, encoded
// deterministically.
std::string CanonicalBytes(const goalsync::v1::Event& event);

// SHA-256(event.prev_hash() || CanonicalBytes(event)), 32 raw bytes.
std::string ComputeEventHash(const goalsync::v1::Event& event);
// SHA-256(prev_hash || canonical).
std::string ComputeHashOf(absl::string_view prev_hash, absl::string_view canonical);

// Whether event.hash() is ComputeEventHash(event); *encoding receives the event's whole
// deterministic encoding (hash included), ready to store, made by the same serialization.
bool VerifyEventHash(const goalsync::v1::Event& event, std::string* encoding);

// Whether `encoding` (an event as goalsyncd stores it, which parses as `event`) hashes to
// event.hash() under event.prev_hash(): its canonical bytes are the encoding without the
// hash field. No re-encoding.
bool VerifyEncodedEvent(absl::string_view encoding, const goalsync::v1::Event& event);

// Sets event->hash to ComputeEventHash(*event) and returns the event's encoding for storage:
// its canonical bytes followed by the `hash` field. That is a valid encoding of the whole
// event (protobuf accepts fields in any order) made with one serialization instead of two.
// `event` must have no hash yet.
std::string SealEvent(goalsync::v1::Event* event);

// Checks a log read in order from seq 1 (or from a trusted starting point).
class ChainVerifier {
 public:
  // Starts at the beginning of a log.
  ChainVerifier();
  // Starts after a trusted event: the next one must have seq `seq + 1` and prev_hash `hash`.
  ChainVerifier(uint64_t seq, std::string hash);

  // OK if `event` is the next one of a sound chain; DATA_LOSS naming the seq and what is
  // wrong (gap or reorder, broken link, altered content) otherwise. After an error the
  // verifier stays at the last good event.
  absl::Status Next(const goalsync::v1::Event& event);

  uint64_t last_seq() const { return last_seq_; }
  const std::string& last_hash() const { return last_hash_; }

 private:
  uint64_t last_seq_;
  std::string last_hash_;
};

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_HASH_CHAIN_H_
