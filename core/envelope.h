// Structural rules for events as writers submit them, before any state is consulted.
//
// Everything here is pure and thread-safe.
#ifndef GOALSYNC_CORE_ENVELOPE_H_
#define GOALSYNC_CORE_ENVELOPE_H_

#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "goalsync/v1/event.pb.h"

namespace goalsync::core {

// The schema version this code writes. Stored in every event whose writer left it 0.
inline constexpr uint32_t kSchemaVersion = 1;

// Words in the FAILED_PRECONDITION message of an event whose hlc is too far ahead of the
// server's clock; a client that finds them re-stamps its pending events (client-lib/replica).
inline constexpr char kClockSkewMarker[] = "clock skew bound";

// Longest workspace name, goal id and event id accepted.
inline constexpr size_t kMaxWorkspaceNameLength = 64;
inline constexpr size_t kMaxIdLength = 128;

// OK if `name` is 1-64 characters of [A-Za-z0-9._-] starting with a letter or digit;
// INVALID_ARGUMENT saying which rule failed otherwise.
absl::Status ValidateWorkspaceName(absl::string_view name);

// OK if `id` is 1-128 characters of [A-Za-z0-9._:-]. `what` names the id in the error
// ("event_id", "goal_id").
absl::Status ValidateId(absl::string_view what, absl::string_view id);

// OK if `event`, as submitted by a writer for `workspace`, may be appended: event_id and
// payload set and well-formed, server-assigned fields unset, workspace empty or equal,
// schema_version not newer than this code, and every field within its schema
// (core::CheckSchema: enums in their defined sets, UTF-8 strings of bounded size, finite
// numbers, no unknown fields). INVALID_ARGUMENT naming the field otherwise (in the message,
// and as the Refusal's field when CheckSchema found it).
absl::Status ValidateSubmittedEvent(const goalsync::v1::Event& event, absl::string_view workspace);

// The goal an event's payload is about; empty if it is about none.
absl::string_view GoalIdOf(const goalsync::v1::Payload& payload);

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_ENVELOPE_H_
