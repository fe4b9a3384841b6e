// Restore of a backup (backup.h) into a new data dir, verified before it is declared good:
// the backup files' checksums, every workspace's hash chain and indexes (VerifyStore), and
// every signed checkpoint: its Ed25519 signature, and that the log holds exactly the signed
// hash at the signed seq.
#ifndef GOALSYNC_SERVER_STORE_RESTORE_H_
#define GOALSYNC_SERVER_STORE_RESTORE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "server/store/store_verifier.h"

namespace goalsync::server {

struct RestoreRequest {
  std::string from;      // the backup dir
  std::string data_dir;  // the new data dir: must not exist or be empty
  // PEM public key to check the checkpoints with; empty: the one of the backed-up signing
  // key. An auditor's own copy (goalsyncd pubkey) also catches a backup whose key was
  // replaced along with re-signed checkpoints.
  std::string public_key_file;
};

struct SignedHeads {
  std::string workspace;
  uint64_t verified = 0;    // checkpoints that verified
  uint64_t latest_seq = 0;  // the highest seq among them
};

struct RestoreReport {
  uint32_t backup_id = 0;
  std::vector<WorkspaceVerdict> workspaces;
  std::vector<SignedHeads> checkpoints;
  // OK: the restore is good. Else DATA_LOSS naming the first thing that did not verify (a
  // workspace's verdict, or a checkpoint).
  absl::Status verdict;
};

// Restores the newest backup in request.from into request.data_dir and verifies it. An
// error only when it cannot restore or read at all (FAILED_PRECONDITION for a non-empty
// data dir, NOT_FOUND for a dir with no backup); a restore that does not verify is a report
// whose verdict says why.
absl::StatusOr<RestoreReport> RestoreBackup(const RestoreRequest& request);

// The verification alone, of a stopped data dir, with `public_key_pem`.
absl::StatusOr<RestoreReport> VerifyDataDir(const std::string& data_dir,
                                            const std::string& public_key_pem);

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_STORE_RESTORE_H_
