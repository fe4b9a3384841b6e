#include "server/ops/log_format.h"

#include <atomic>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "spdlog/formatter.h"
#include "spdlog/spdlog.h"

namespace goalsync::server {
namespace {

thread_local const nlohmann::json* current_fields = nullptr;
std::atomic<LogFormat> current_format{LogFormat::kText};

class JsonFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    nlohmann::json line = nlohmann::json::object();
    line["time"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromChrono(msg.time),
                                    absl::UTCTimeZone());
    const auto level = spdlog::level::to_string_view(msg.level);
    line["level"] = std::string(level.data(), level.size());
    line["logger"] = std::string(msg.logger_name.data(), msg.logger_name.size());
    line["msg"] = std::string(msg.payload.data(), msg.payload.size());
    if (const nlohmann::json* fields = LogFields::Current()) {
      for (const auto& [key, value] : fields->items()) line[key] = value;
    }
    // Bytes that are not UTF-8 (a workspace name never is, but a RocksDB message might be)
    // become U+FFFD instead of making the line unparseable.
    const std::string text =
        line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

}  // namespace

absl::StatusOr<LogFormat> ParseLogFormat(const std::string& name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return absl::InvalidArgumentError(absl::StrCat("log format ", name, ": use text or json"));
}

void UseLogFormat(LogFormat format) {
  current_format = format;
  if (format == LogFormat::kJson) spdlog::set_formatter(std::make_unique<JsonFormatter>());
}

LogFormat CurrentLogFormat() { return current_format; }

LogFields::LogFields(nlohmann::json fields) : fields_(std::move(fields)), outer_(current_fields) {
  current_fields = &fields_;
}

LogFields::~LogFields() { current_fields = outer_; }

const nlohmann::json* LogFields::Current() { return current_fields; }

}  // namespace goalsync::server
