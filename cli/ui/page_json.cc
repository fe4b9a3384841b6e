#include "cli/ui/page_json.h"

#include "absl/time/time.h"
#include "core/enum_names.h"
#include "core/envelope.h"
#include "core/plan/history.h"
#include "core/timestamps.h"
#include "google/protobuf/util/json_util.h"

namespace goalsync::cli::ui {

std::string TimeText(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", core::FromTimestamp(t), absl::UTCTimeZone());
}

std::string HlcText(const v1::Hlc& hlc) {
  if (hlc.physical_micros() == 0) return "";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S UTC",
                          absl::FromUnixMicros(static_cast<int64_t>(hlc.physical_micros())),
                          absl::UTCTimeZone());
}

Json ChangeJson(const v1::Change& c) {
  return Json{{"seq", c.seq()},
              {"by", c.actor()},
              {"made", HlcText(c.hlc())},
              {"accepted", TimeText(c.server_time())},
              {"replica", c.replica_id()},
              {"changeRequest", c.change_request_id()}};
}

Json TargetsJson(const v1::Targets& t) {
  Json j = Json::object();
  if (t.has_floor()) j["floor"] = t.floor();
  if (t.has_base()) j["base"] = t.base();
  if (t.has_stretch()) j["stretch"] = t.stretch();
  return j;
}

Json PayloadJson(const v1::Payload& p) {
  std::string text;
  google::protobuf::util::JsonPrintOptions o;
  if (!google::protobuf::util::MessageToJsonString(p, &text, o).ok()) return Json::object();
  return Json::parse(text, nullptr, /*allow_exceptions=*/false);
}

Json EventJson(const v1::Event& e) {
  return Json{{"seq", e.seq()},
              {"eventId", e.event_id()},
              {"type", core::PayloadType(e.payload())},
              {"goal", std::string(core::GoalIdOf(e.payload()))},
              {"by", e.actor()},
              {"made", HlcText(e.hlc())},
              {"accepted", TimeText(e.server_time())},
              {"payload", PayloadJson(e.payload())}};
}

Json ChangeRequestJson(const v1::ChangeRequest& cr) {
  Json j{{"id", cr.id()},
         {"goal", cr.goal_id()},
         {"status", Word(v1::ChangeRequestStatus_descriptor(), cr.status())},
         {"targets", TargetsJson(cr.targets())},
         {"periods", Json::object()},
         {"targetsBefore", TargetsJson(cr.targets_before())},
         {"periodsBefore", Json::object()},
         {"reason", cr.reason()},
         {"evidence", cr.evidence()},
         {"opened", ChangeJson(cr.opened())},
         {"decisionNote", cr.decision_note()}};
  for (const auto& p : cr.period_targets()) j["periods"][p.period()] = p.target();
  for (const auto& p : cr.period_targets_before()) j["periodsBefore"][p.period()] = p.target();
  if (cr.has_decided()) j["decided"] = ChangeJson(cr.decided());
  return j;
}

std::string EnumText(const google::protobuf::EnumDescriptor* d, int value) {
  return value == 0 ? "" : core::EnumWord(d, value);
}

}  // namespace goalsync::cli::ui
