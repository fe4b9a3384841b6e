#include "goalsync/plan_file.h"

#include <openssl/sha.h>
#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace goalsync::client {
namespace {

absl::Status AtLine(const YAML::Node& node, const std::string& what) {
  return absl::InvalidArgumentError(
      absl::StrCat("line ", node.Mark().line + 1, ": ", what));
}

// YAML to JSON. Plain scalars that read as booleans or numbers become them; quoted ones stay
// strings (quote a statement like "50" to keep it text).
nlohmann::json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& kv : node) out[kv.first.as<std::string>()] = ToJson(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : node) out.push_back(ToJson(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "?") {  // plain, not quoted
        if (s == "true" || s == "false") return s == "true";
        int64_t n = 0;
        if (s.find_first_not_of("0123456789+-") == std::string::npos && absl::SimpleAtoi(s, &n)) {
          return n;
        }
        double d = 0;
        if (absl::SimpleAtod(s, &d) && s.find_first_not_of("0123456789+-.eE") == std::string::npos) {
          return d;
        }
      }
      return s;
    }
    default:
      return nullptr;
  }
}

absl::StatusOr<uint64_t> ParseWhen(const YAML::Node& node) {
  const std::string text = node.as<std::string>();
  absl::Time t;
  std::string err;
  if (absl::ParseTime("%Y-%m-%d", text, absl::UTCTimeZone(), &t, &err) ||
      absl::ParseTime(absl::RFC3339_full, text, &t, &err)) {
    return static_cast<uint64_t>(absl::ToUnixMicros(t));
  }
  return AtLine(node, absl::StrCat("at: \"", text, "\" is neither YYYY-MM-DD nor RFC 3339"));
}

std::string StableId(const std::string& workspace, size_t index, const std::string& json) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  const std::string input = absl::StrCat(workspace, "\n", index, "\n", json);
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  return absl::StrCat("plan-", index + 1, "-",
                      absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), 6)));
}

absl::StatusOr<goalsync::v1::Event> ToEvent(const std::string& workspace, size_t index,
                                            const YAML::Node& entry) {
  if (!entry.IsMap()) return AtLine(entry, "an event is a mapping (by:, at:, and one payload)");
  goalsync::v1::Event event;
  nlohmann::json payload = nlohmann::json::object();
  for (const auto& kv : entry) {
    const std::string key = kv.first.as<std::string>();
    if (key == "by") {
      event.set_actor(kv.second.as<std::string>());
    } else if (key == "at") {
      absl::StatusOr<uint64_t> micros = ParseWhen(kv.second);
      if (!micros.ok()) return micros.status();
      // Events of one day keep their file order.
      event.mutable_hlc()->set_physical_micros(*micros + index);
    } else if (key == "id") {
      event.set_event_id(kv.second.as<std::string>());
    } else {
      payload[key] = ToJson(kv.second);
    }
  }
  if (payload.size() != 1) {
    return AtLine(entry, absl::StrCat("an event needs exactly one payload key (goalCreated, "
                                      "checkInRecorded, ...), found ", payload.size()));
  }
  const std::string json = payload.dump();
  google::protobuf::util::JsonParseOptions options;
  auto parsed = google::protobuf::util::JsonStringToMessage(json, event.mutable_payload(), options);
  if (!parsed.ok()) {
    return AtLine(entry, absl::StrCat(payload.begin().key(), ": ", parsed.message().as_string()));
  }
  if (event.event_id().empty()) event.set_event_id(StableId(workspace, index, json));
  return event;
}

}  // namespace

absl::StatusOr<PlanFile> ParsePlanFile(const std::string& yaml_text) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("line ", e.mark.line + 1, ": ", e.msg));
  }
  if (!root.IsMap()) return absl::InvalidArgumentError("a plan file is a mapping with workspace: and events:");
  PlanFile plan;
  try {
    if (!root["workspace"]) return absl::InvalidArgumentError("workspace: is missing");
    plan.workspace = root["workspace"].as<std::string>();
    const YAML::Node events = root["events"];
    if (!events || !events.IsSequence()) {
      return absl::InvalidArgumentError("events: is missing or not a list");
    }
    for (size_t i = 0; i < events.size(); ++i) {
      absl::StatusOr<goalsync::v1::Event> e = ToEvent(plan.workspace, i, events[i]);
      if (!e.ok()) return e.status();
      plan.events.push_back(std::move(*e));
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("line ", e.mark.line + 1, ": ", e.msg));
  }
  return plan;
}

absl::StatusOr<PlanFile> ReadPlanFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read plan file ", path));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<PlanFile> plan = ParsePlanFile(text.str());
  if (!plan.ok()) {
    return absl::Status(plan.status().code(), absl::StrCat(path, ": ", plan.status().message()));
  }
  return plan;
}

}  // namespace goalsync::client
