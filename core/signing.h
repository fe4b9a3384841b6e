// Signed checkpoints: Ed25519 (OpenSSL 3) over a checkpoint's canonical message. Pure: keys
// come and go as PEM text; no files, no clock.
#ifndef GOALSYNC_CORE_SIGNING_H_
#define GOALSYNC_CORE_SIGNING_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "goalsync/v1/audit.pb.h"

namespace goalsync::core {

// A new Ed25519 key pair: (private key PEM, public key PEM).
absl::StatusOr<std::pair<std::string, std::string>> GenerateSigningKey();

// The public key (PEM) of a private key (PEM).
absl::StatusOr<std::string> PublicKeyOf(const std::string& private_key_pem);

// First 16 hex digits of SHA-256 of the public key's DER encoding.
absl::StatusOr<std::string> KeyId(const std::string& public_key_pem);

// "goalsync checkpoint v1\n<workspace>\n<seq>\n<hex hash>\n<signed_at seconds>\n" from a
// single node; a replica group's member (node_id or epoch set) signs
// "goalsync checkpoint v2\n<workspace>\n<seq>\n<hex hash>\n<signed_at seconds>\n<node_id>\n<epoch>\n",
// so that neither can be altered or stripped without breaking the signature.
std::string CheckpointMessage(const goalsync::v1::Checkpoint& checkpoint);

// Sets checkpoint->signature and key_id with `private_key_pem`.
absl::Status SignCheckpoint(const std::string& private_key_pem, goalsync::v1::Checkpoint* checkpoint);

// OK if `checkpoint` was signed by the key `public_key_pem`; PERMISSION_DENIED ("the
// signature does not match") otherwise; INVALID_ARGUMENT for an unreadable key.
absl::Status VerifyCheckpoint(const std::string& public_key_pem,
                              const goalsync::v1::Checkpoint& checkpoint);

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_SIGNING_H_
