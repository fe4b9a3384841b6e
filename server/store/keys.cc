#include "server/store/keys.h"

namespace goalsync::server::keys {

void PutBigEndian32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

void PutBigEndian64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

uint32_t GetBigEndian32(absl::string_view in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

uint64_t GetBigEndian64(absl::string_view in) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(in[i]);
  return v;
}

std::string LogKey(uint32_t ws_id, uint64_t seq) {
  std::string key;
  key.reserve(12);
  PutBigEndian32(&key, ws_id);
  PutBigEndian64(&key, seq);
  return key;
}

std::string WorkspacePrefix(uint32_t ws_id) {
  std::string key;
  PutBigEndian32(&key, ws_id);
  return key;
}

std::string ByGoalPrefix(uint32_t ws_id, absl::string_view goal_id) {
  std::string key;
  key.reserve(4 + goal_id.size() + 1 + 8);
  PutBigEndian32(&key, ws_id);
  key.append(goal_id.data(), goal_id.size());
  key.push_back('\0');
  return key;
}

std::string ByGoalKey(uint32_t ws_id, absl::string_view goal_id, uint64_t seq) {
  std::string key = ByGoalPrefix(ws_id, goal_id);
  PutBigEndian64(&key, seq);
  return key;
}

std::string EventIdKey(uint32_t ws_id, absl::string_view event_id) {
  std::string key;
  key.reserve(4 + event_id.size());
  PutBigEndian32(&key, ws_id);
  key.append(event_id.data(), event_id.size());
  return key;
}

std::string WorkspaceNameKey(absl::string_view name) {
  std::string key(1, kWorkspaceNameTag);
  key.append(name.data(), name.size());
  return key;
}

std::string HeadKey(uint32_t ws_id) {
  std::string key(1, kHeadTag);
  PutBigEndian32(&key, ws_id);
  return key;
}

uint64_t SeqOfKey(absl::string_view key) { return GetBigEndian64(key.substr(key.size() - 8)); }

}  // namespace goalsync::server::keys
