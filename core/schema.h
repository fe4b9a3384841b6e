// The schema of a submitted event, checked field by field before anything is written: what
// protobuf itself lets through but the log must never hold.
//
// Pure and thread-safe.
#ifndef GOALSYNC_CORE_SCHEMA_H_
#define GOALSYNC_CORE_SCHEMA_H_

#include <cstddef>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace goalsync::core {

// Longest string any field may hold, in bytes (ids are shorter: kMaxIdLength).
inline constexpr size_t kMaxTextBytes = 10000;
// Most elements a repeated field may hold.
inline constexpr int kMaxRepeated = 1000;

// OK if every field of `message`, recursively, holds a value its schema allows:
//   - an enum field holds one of its enum's defined numbers (proto3 keeps unknown numbers,
//     negative ones too; the log must not);
//   - a string is valid UTF-8 of at most kMaxTextBytes; a field named *_id or *_ids, when
//     set, is an id (core::ValidateId);
//   - a double is finite;
//   - a repeated field has at most kMaxRepeated elements;
//   - no unknown fields (numbers this schema does not define).
// INVALID_ARGUMENT otherwise, naming the field by its path from `message` ("payload.
// task_status_set.status") in the message and as the Refusal's field (core/refusal.h).
absl::Status CheckSchema(const google::protobuf::Message& message);

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_SCHEMA_H_
