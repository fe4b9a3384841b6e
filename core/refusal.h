// Facts a program acts on when a request is refused (which event, why, where to resume),
// carried beside the message as an absl::Status payload holding a goalsync.v1.Refusal
// (errors.proto). The server's status translation (server/service/status_map) puts them on
// the wire; client-lib's FromGrpcStatus puts them back on the client's status. Messages stay
// for people; nobody parses them.
//
// Pure and thread-safe.
#ifndef GOALSYNC_CORE_REFUSAL_H_
#define GOALSYNC_CORE_REFUSAL_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "goalsync/v1/errors.pb.h"

namespace goalsync::core {

// The type URL of the Refusal payload and of the Any in google.rpc.Status details.
inline constexpr char kRefusalTypeUrl[] = "type.googleapis.com/goalsync.v1.Refusal";

// The facts attached to `status`; for a status without any, a Refusal whose reason follows
// from the code (INVALID_ARGUMENT -> INVALID, ...). REASON_UNSPECIFIED for OK.
goalsync::v1::Refusal RefusalOf(const absl::Status& status);

// `status` (an error) with `refusal` attached, replacing what was attached.
absl::Status WithRefusal(absl::Status status, const goalsync::v1::Refusal& refusal);

// `status` refusing event `index` of a request: the message gets "events[index]: " in front
// (for people) and the refusal its event_index (for programs). Fields already attached stay.
absl::Status AtEvent(const absl::Status& status, int index);

// `status` with the reason, the field at fault, or the seq to resume from attached.
absl::Status WithReason(absl::Status status, goalsync::v1::Refusal::Reason reason);
absl::Status WithField(absl::Status status, absl::string_view field);
absl::Status ResumeFrom(absl::Status status, uint64_t seq);

// The reason a code means when nothing more specific is known.
goalsync::v1::Refusal::Reason ReasonFor(absl::StatusCode code);

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_REFUSAL_H_
