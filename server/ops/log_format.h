// Log formats of goalsyncd: text (spdlog's default pattern) or JSON, one object a line:
//   {"time":"2026-01-05T10:00:00.123456Z","level":"info","logger":"goalsyncd","msg":"...",
//    ...fields}
// where the fields are those of the LogFields in scope on the logging thread (the request
// log sets rpc, workspace, actor, code, duration_ms). Text lines carry the same facts inside
// their message.
//
// Thread safety: UseLogFormat once at start, before other threads log. LogFields is
// per-thread; the loggers it is read by must be synchronous (goalsyncd's are).
#ifndef GOALSYNC_SERVER_OPS_LOG_FORMAT_H_
#define GOALSYNC_SERVER_OPS_LOG_FORMAT_H_

#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"

namespace goalsync::server {

enum class LogFormat { kText, kJson };

// "text" or "json"; INVALID_ARGUMENT otherwise.
absl::StatusOr<LogFormat> ParseLogFormat(const std::string& name);

// Formats every line of spdlog's default logger (and loggers made after) as `format`.
void UseLogFormat(LogFormat format);
LogFormat CurrentLogFormat();

// Structured fields (a JSON object) for the lines this thread logs while it lives.
class LogFields {
 public:
  explicit LogFields(nlohmann::json fields);
  ~LogFields();
  LogFields(const LogFields&) = delete;
  LogFields& operator=(const LogFields&) = delete;

  // The fields in scope on this thread (null if none).
  static const nlohmann::json* Current();

 private:
  nlohmann::json fields_;
  const nlohmann::json* outer_;
};

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_OPS_LOG_FORMAT_H_
