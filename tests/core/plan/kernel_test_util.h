// Helpers for kernel tests: events from payload JSON, with envelope knobs.
#ifndef GOALSYNC_TESTS_CORE_PLAN_KERNEL_TEST_UTIL_H_
#define GOALSYNC_TESTS_CORE_PLAN_KERNEL_TEST_UTIL_H_

#include <optional>
#include <string>

#include "core/plan/kernel.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace goalsync::core::testing {

struct Envelope {
  std::string actor = "dana";
  std::string replica_id;
  // Unset: the author had seen everything (an online write).
  std::optional<uint64_t> base_seq;
  uint64_t hlc_micros = 0;  // 0: seq-derived, increasing
};

// An event as goalsyncd would store it at `seq`, with `payload_json` (protobuf JSON mapping
// of goalsync.v1.Payload).
inline goalsync::v1::Event MakeEvent(uint64_t seq, const std::string& payload_json,
                                     const Envelope& env = {}) {
  goalsync::v1::Event e;
  auto parsed = google::protobuf::util::JsonStringToMessage(payload_json, e.mutable_payload());
  EXPECT_TRUE(parsed.ok()) << parsed.message() << " in " << payload_json;
  e.set_workspace("acme");
  e.set_seq(seq);
  e.set_event_id("e" + std::to_string(seq));
  e.set_actor(env.actor);
  e.set_replica_id(env.replica_id);
  e.set_base_seq(env.base_seq.value_or(seq - 1));
  e.mutable_hlc()->set_physical_micros(env.hlc_micros ? env.hlc_micros
                                                      : 1'780'000'000'000'000 + seq * 1000);
  e.mutable_server_time()->set_seconds(1'780'000'000 + seq);
  return e;
}

// Applies `payload_json` as the next event of `state`.
inline absl::Status ApplyJson(goalsync::v1::PlanState* state, const std::string& payload_json,
                              const Envelope& env = {}) {
  return Apply(MakeEvent(state->seq() + 1, payload_json, env), state);
}

}  // namespace goalsync::core::testing

#endif  // GOALSYNC_TESTS_CORE_PLAN_KERNEL_TEST_UTIL_H_
