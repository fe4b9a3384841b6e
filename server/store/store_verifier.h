// VerifyStore: the offline audit of a data dir. For every workspace it recomputes the hash
// chain from seq 1, checks that the stored head is the chain's end, and that the event_ids
// index maps each event back to its seq. It reads the log once, a page at a time.
#ifndef GOALSYNC_SERVER_STORE_STORE_VERIFIER_H_
#define GOALSYNC_SERVER_STORE_STORE_VERIFIER_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "server/store/log_store.h"

namespace goalsync::server {

struct WorkspaceVerdict {
  std::string workspace;
  // Events that verified, from seq 1.
  uint64_t events = 0;
  // Hash of the last event that verified.
  std::string hash;
  // OK, or DATA_LOSS naming the first bad seq and what is wrong with it.
  absl::Status status;
};

// One verdict per workspace, in name order. An error only if the store cannot be read at
// all; a broken chain is a verdict, not an error.
absl::StatusOr<std::vector<WorkspaceVerdict>> VerifyStore(const LogStore& store);

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_STORE_STORE_VERIFIER_H_
