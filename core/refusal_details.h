// The Refusal inside a serialized google.rpc.Status (the grpc-status-details-bin trailer, or
// an AppendError's details), as server/service/status_map puts it there. Read by client-lib
// (to put it back on a client's absl::Status) and by the server's request log (to tell a
// redirect to the leader from an error).
//
// Pure and thread-safe.
#ifndef GOALSYNC_CORE_REFUSAL_DETAILS_H_
#define GOALSYNC_CORE_REFUSAL_DETAILS_H_

#include <optional>
#include <string>

#include "goalsync/v1/errors.pb.h"

namespace goalsync::core {

// The Refusal in `details`; nullopt if they are empty, do not parse, or hold none.
std::optional<goalsync::v1::Refusal> RefusalInDetails(const std::string& details);

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_REFUSAL_DETAILS_H_
