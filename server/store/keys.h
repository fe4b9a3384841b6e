// Key encodings of goalsyncd's RocksDB column families. Integers are big-endian so that
// RocksDB's bytewise order is log order.
//
//   log        ws_id(4) seq(8)                 -> Event (protobuf binary)
//   by_goal    ws_id(4) goal_id 0x00 seq(8)    -> empty
//   event_ids  ws_id(4) event_id               -> seq(8)
//   meta       'F'                             -> format version(4)
//              'W' workspace name              -> ws_id(4)
//              'H' ws_id(4)                    -> head seq(8) head hash(32)
//   snapshots  ws_id(4) seq(8)                 -> PlanState as of seq (deterministic bytes)
//
// A workspace's name maps to a small id so that every log and index key carries 4 bytes
// instead of the name. goal ids never hold 0x00 (core::ValidateId), so by_goal keys of
// different goals never interleave.
#ifndef GOALSYNC_SERVER_STORE_KEYS_H_
#define GOALSYNC_SERVER_STORE_KEYS_H_

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"

namespace goalsync::server::keys {

void PutBigEndian32(std::string* out, uint32_t v);
void PutBigEndian64(std::string* out, uint64_t v);
// Reads a big-endian integer from the first 4 / 8 bytes of `in`; `in` must be long enough.
uint32_t GetBigEndian32(absl::string_view in);
uint64_t GetBigEndian64(absl::string_view in);

std::string LogKey(uint32_t ws_id, uint64_t seq);
// The prefix every log key of `ws_id` starts with.
std::string WorkspacePrefix(uint32_t ws_id);
std::string ByGoalKey(uint32_t ws_id, absl::string_view goal_id, uint64_t seq);
std::string ByGoalPrefix(uint32_t ws_id, absl::string_view goal_id);
std::string EventIdKey(uint32_t ws_id, absl::string_view event_id);

inline constexpr absl::string_view kFormatVersionKey = "F";
inline constexpr char kWorkspaceNameTag = 'W';
inline constexpr char kHeadTag = 'H';
std::string WorkspaceNameKey(absl::string_view name);
std::string HeadKey(uint32_t ws_id);

// Seq of a log or by_goal key: its last 8 bytes.
uint64_t SeqOfKey(absl::string_view key);

}  // namespace goalsync::server::keys

#endif  // GOALSYNC_SERVER_STORE_KEYS_H_
