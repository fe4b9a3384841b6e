// What every page's JSON shares: changes (who, when, why), events, targets, enum words.
#ifndef GOALSYNC_CLI_UI_PAGE_JSON_H_
#define GOALSYNC_CLI_UI_PAGE_JSON_H_

#include <string>

#include "goalsync/v1/event.pb.h"
#include "goalsync/v1/state.pb.h"
#include "nlohmann/json.hpp"

namespace goalsync::cli::ui {

using Json = nlohmann::ordered_json;

// "2026-03-01 09:30:00 UTC"; "" for an unset timestamp.
std::string TimeText(const google::protobuf::Timestamp& t);
// The writer's clock of an HLC reading, as TimeText.
std::string HlcText(const goalsync::v1::Hlc& hlc);

// {seq, by, made, accepted, replica, changeRequest}: who changed something and when.
Json ChangeJson(const goalsync::v1::Change& c);
// {floor, base, stretch}, only those set.
Json TargetsJson(const goalsync::v1::Targets& t);
// A change request whole: proposed and replaced targets, reason, evidence, who opened and
// who decided it.
Json ChangeRequestJson(const goalsync::v1::ChangeRequest& cr);
// {seq, type, goal, by, made, accepted, payload}: one confirmed event of the log.
Json EventJson(const goalsync::v1::Event& e);
// The payload as proto3 JSON ({"checkInRecorded": {...}}).
Json PayloadJson(const goalsync::v1::Payload& p);
// The short word of an enum value ("team", "accountable"), "" for UNSPECIFIED.
std::string EnumText(const google::protobuf::EnumDescriptor* d, int value);
template <typename Enum>
std::string Word(const google::protobuf::EnumDescriptor* d, Enum value) {
  return EnumText(d, static_cast<int>(value));
}

}  // namespace goalsync::cli::ui

#endif  // GOALSYNC_CLI_UI_PAGE_JSON_H_
