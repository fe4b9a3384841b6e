// google.protobuf.Timestamp <-> absl::Time, the one conversion the server, the replica and
// goalctl share.
#ifndef GOALSYNC_CORE_TIMESTAMPS_H_
#define GOALSYNC_CORE_TIMESTAMPS_H_

#include <cstdint>

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace goalsync::core {

inline google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  const int64_t nanos = absl::ToUnixNanos(t);
  google::protobuf::Timestamp ts;
  ts.set_seconds(nanos / 1000000000);
  ts.set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return ts;
}

inline absl::Time FromTimestamp(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

// Nanoseconds since the epoch (for comparing server_time with filters).
inline int64_t TimestampNanos(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000000 + t.nanos();
}

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_TIMESTAMPS_H_
