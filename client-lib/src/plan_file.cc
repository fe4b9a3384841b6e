#include "goalsync/plan_file.h"

#include <csv.h>
#include <openssl/sha.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/util/json_util.h"
#include "core/timestamps.h"
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
  goalsync::v1::Hlc exact_hlc;
  bool has_exact_hlc = false;
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
    } else if (key == "hlc") {
      if (!kv.second.IsSequence() || kv.second.size() != 2) {
        return AtLine(kv.second, "hlc: is [micros, logical]");
      }
      exact_hlc.set_physical_micros(kv.second[0].as<uint64_t>());
      exact_hlc.set_logical(kv.second[1].as<uint32_t>());
      has_exact_hlc = true;
    } else if (key == "replica") {
      event.set_replica_id(kv.second.as<std::string>());
    } else if (key == "baseSeq") {
      event.set_base_seq(kv.second.as<uint64_t>());
    } else if (key == "acceptedAt") {
      // For the reader: the server stamps acceptance again.
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
  if (has_exact_hlc) *event.mutable_hlc() = exact_hlc;
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

namespace {

constexpr const char* kCsvColumns[] = {"id",          "by",         "at", "hlc", "replica",
                                       "base_seq", "accepted_at", "payload"};
constexpr size_t kCsvWidth = sizeof(kCsvColumns) / sizeof(kCsvColumns[0]);

std::string Rfc3339(int64_t micros) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::FromUnixMicros(micros), absl::UTCTimeZone());
}

std::string PayloadJson(const goalsync::v1::Event& e) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  (void)google::protobuf::util::MessageToJsonString(e.payload(), &json, options);
  return json;
}

void Emit(YAML::Emitter& out, const nlohmann::ordered_json& j) {
  if (j.is_object()) {
    out << YAML::BeginMap;
    for (const auto& [k, v] : j.items()) {
      out << YAML::Key << k << YAML::Value;
      Emit(out, v);
    }
    out << YAML::EndMap;
  } else if (j.is_array()) {
    const bool flat = std::none_of(j.begin(), j.end(), [](const auto& v) { return v.is_structured(); });
    if (flat) out << YAML::Flow;
    out << YAML::BeginSeq;
    for (const auto& v : j) Emit(out, v);
    out << YAML::EndSeq;
  } else if (j.is_string()) {
    out << YAML::DoubleQuoted << j.get<std::string>();  // never read back as a number
  } else if (j.is_boolean()) {
    out << j.get<bool>();
  } else if (j.is_number_integer()) {
    out << j.get<int64_t>();
  } else if (j.is_number_unsigned()) {
    out << j.get<uint64_t>();
  } else if (j.is_number()) {
    out << YAML::Precision(17) << j.get<double>();
  } else {
    out << YAML::Null;
  }
}

nlohmann::ordered_json Entry(const goalsync::v1::Event& e) {
  nlohmann::ordered_json j;
  j["id"] = e.event_id();
  j["by"] = e.actor();
  j["at"] = Rfc3339(static_cast<int64_t>(e.hlc().physical_micros()));
  j["hlc"] = {e.hlc().physical_micros(), e.hlc().logical()};
  if (!e.replica_id().empty()) j["replica"] = e.replica_id();
  if (e.has_base_seq()) j["baseSeq"] = e.base_seq();
  if (e.has_server_time()) {
    j["acceptedAt"] = Rfc3339(absl::ToUnixMicros(core::FromTimestamp(e.server_time())));
  }
  const nlohmann::ordered_json payload = nlohmann::ordered_json::parse(PayloadJson(e));
  for (const auto& [k, v] : payload.items()) j[k] = v;
  return j;
}

std::string CsvField(const std::string& s) {
  std::string out(2 * s.size() + 2, '\0');
  out.resize(csv_write(out.data(), out.size(), s.data(), s.size()));
  return out;
}

struct CsvRows {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> current;
};

}  // namespace

std::string WritePlanFile(const std::string& workspace,
                          const std::vector<goalsync::v1::Event>& events, PlanFormat format) {
  if (format == PlanFormat::kCsv) {
    std::string out;
    for (size_t i = 0; i < kCsvWidth; ++i) absl::StrAppend(&out, i ? "," : "", kCsvColumns[i]);
    out += "\n";
    for (const goalsync::v1::Event& e : events) {
      const std::string accepted =
          e.has_server_time()
              ? Rfc3339(absl::ToUnixMicros(core::FromTimestamp(e.server_time())))
              : "";
      const std::string fields[kCsvWidth] = {
          e.event_id(),
          e.actor(),
          Rfc3339(static_cast<int64_t>(e.hlc().physical_micros())),
          absl::StrCat(e.hlc().physical_micros(), ":", e.hlc().logical()),
          e.replica_id(),
          e.has_base_seq() ? absl::StrCat(e.base_seq()) : "",
          accepted,
          PayloadJson(e)};
      for (size_t i = 0; i < kCsvWidth; ++i) absl::StrAppend(&out, i ? "," : "", CsvField(fields[i]));
      out += "\n";
    }
    return out;
  }
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  for (const goalsync::v1::Event& e : events) entries.push_back(Entry(e));
  if (format == PlanFormat::kJson) {
    return nlohmann::ordered_json{{"workspace", workspace}, {"events", entries}}.dump(2) + "\n";
  }
  YAML::Emitter out;
  out << YAML::Comment(absl::StrCat("goalsync plan export of workspace ", workspace, ": ",
                                    events.size(), " events; goalctl import FILE loads it"));
  out << YAML::BeginMap << YAML::Key << "workspace" << YAML::Value << workspace << YAML::Key
      << "events" << YAML::Value;
  Emit(out, entries);
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

absl::StatusOr<PlanFile> ParsePlanCsv(const std::string& workspace, const std::string& csv_text) {
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    return absl::ResourceExhaustedError("cannot start the CSV parser");
  }
  CsvRows rows;
  auto on_field = [](void* s, size_t len, void* data) {
    static_cast<CsvRows*>(data)->current.emplace_back(static_cast<char*>(s), len);
  };
  auto on_row = [](int, void* data) {
    auto* r = static_cast<CsvRows*>(data);
    r->rows.push_back(std::move(r->current));
    r->current.clear();
  };
  const size_t parsed = csv_parse(&parser, csv_text.data(), csv_text.size(), on_field, on_row, &rows);
  const bool failed = parsed != csv_text.size() || csv_fini(&parser, on_field, on_row, &rows) != 0;
  const std::string error = failed ? csv_strerror(csv_error(&parser)) : "";
  csv_free(&parser);
  if (failed) {
    return absl::InvalidArgumentError(
        absl::StrCat("row ", rows.rows.size() + 1, ": not valid CSV (", error, ")"));
  }
  if (rows.rows.empty() || rows.rows[0].size() != kCsvWidth ||
      !std::equal(rows.rows[0].begin(), rows.rows[0].end(), kCsvColumns)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "row 1: the header must be id,by,at,hlc,replica,base_seq,accepted_at,payload"));
  }
  PlanFile plan;
  plan.workspace = workspace;
  for (size_t r = 1; r < rows.rows.size(); ++r) {
    const std::vector<std::string>& f = rows.rows[r];
    auto bad = [&](const std::string& what) {
      return absl::InvalidArgumentError(absl::StrCat("row ", r + 1, ": ", what));
    };
    if (f.size() != kCsvWidth) return bad(absl::StrCat(f.size(), " fields, not ", kCsvWidth));
    goalsync::v1::Event e;
    e.set_event_id(f[0]);
    e.set_actor(f[1]);
    uint64_t micros = 0;
    uint32_t logical = 0;
    const size_t colon = f[3].find(':');
    if (colon == std::string::npos || !absl::SimpleAtoi(f[3].substr(0, colon), &micros) ||
        !absl::SimpleAtoi(f[3].substr(colon + 1), &logical)) {
      return bad(absl::StrCat("hlc \"", f[3], "\" is not MICROS:LOGICAL"));
    }
    e.mutable_hlc()->set_physical_micros(micros);
    e.mutable_hlc()->set_logical(logical);
    e.set_replica_id(f[4]);
    if (!f[5].empty()) {
      uint64_t base = 0;
      if (!absl::SimpleAtoi(f[5], &base)) return bad(absl::StrCat("base_seq \"", f[5], "\" is not a number"));
      e.set_base_seq(base);
    }
    auto status = google::protobuf::util::JsonStringToMessage(f[7], e.mutable_payload());
    if (!status.ok()) return bad(absl::StrCat("payload: ", status.message().as_string()));
    if (e.event_id().empty()) return bad("id is empty");
    plan.events.push_back(std::move(e));
  }
  return plan;
}

absl::StatusOr<PlanFile> ReadPlanFile(const std::string& path, const std::string& csv_workspace) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read plan file ", path));
  std::stringstream text;
  text << in.rdbuf();
  const bool csv = path.size() > 4 && path.compare(path.size() - 4, 4, ".csv") == 0;
  if (csv && csv_workspace.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": a CSV plan does not name its workspace: give one"));
  }
  absl::StatusOr<PlanFile> plan =
      csv ? ParsePlanCsv(csv_workspace, text.str()) : ParsePlanFile(text.str());
  if (!plan.ok()) {
    return absl::Status(plan.status().code(), absl::StrCat(path, ": ", plan.status().message()));
  }
  return plan;
}

}  // namespace goalsync::client
