// The fuzz target: bytes -> an AppendRequest (protobuf decoding) -> each event through what
// goalsyncd does to a submitted event: envelope validation, authorization as an editor, the
// kernel applied on top of the example plan, the hash, the state's serialization. None of it
// may crash, hang or leak, whatever the bytes; a refused event must leave the plan untouched;
// an accepted event must be within the schema (strict_schema.h, written apart from the door's
// check): nothing outside the schema is ever stored.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/authz.h"
#include "core/envelope.h"
#include "core/hash_chain.h"
#include "core/plan/kernel.h"
#include "core/plan/queries.h"
#include "goalsync/plan_file.h"
#include "goalsync/v1/log.pb.h"
#include "google/protobuf/stubs/logging.h"
#include "tests/fuzz/strict_schema.h"

namespace {

// The worked example folded into a plan, once.
const goalsync::v1::PlanState& BasePlan() {
  static const goalsync::v1::PlanState* plan = [] {
    google::protobuf::SetLogHandler(nullptr);  // invalid UTF-8 in strings is expected here
    auto* state = new goalsync::v1::PlanState();
    absl::StatusOr<goalsync::client::PlanFile> file = goalsync::client::ReadPlanFile(EXAMPLE_PLAN_PATH);
    if (!file.ok()) std::abort();
    state->set_workspace(file->workspace);
    uint64_t seq = 0;
    for (goalsync::v1::Event e : file->events) {
      e.set_seq(++seq);
      e.set_base_seq(seq - 1);
      if (!goalsync::core::Apply(e, state).ok()) std::abort();
    }
    return state;
  }();
  return *plan;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  goalsync::v1::AppendRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  goalsync::v1::PlanState state = BasePlan();
  const std::string& ws = state.workspace();
  for (goalsync::v1::Event e : request.events()) {
    if (!goalsync::core::ValidateSubmittedEvent(e, ws).ok()) continue;
    e.set_workspace(ws);
    e.set_seq(state.seq() + 1);
    if (!e.has_base_seq()) e.set_base_seq(state.seq());
    (void)goalsync::core::AuthorizeEvent(goalsync::v1::ROLE_EDITOR, e.actor(), e, state);
    const std::string before = goalsync::core::SerializeState(state);
    if (!goalsync::core::Apply(e, &state).ok()) {
      if (goalsync::core::SerializeState(state) != before) std::abort();  // a refusal changed the plan
      continue;
    }
    if (const std::string bad = goalsync::testing::StrictSchemaViolation(e); !bad.empty()) {
      std::fprintf(stderr, "accepted an event outside the schema: %s\n", bad.c_str());
      std::abort();
    }
    (void)goalsync::core::ComputeEventHash(e);
    const std::string goal(goalsync::core::GoalIdOf(e.payload()));
    if (!goal.empty() && state.goals().contains(goal)) {
      goalsync::v1::GetProgressRequest progress;
      progress.set_goal_id(goal);
      progress.set_subtree(true);
      (void)goalsync::core::ProgressReport(state, progress);
      (void)goalsync::core::Blame(state, goal);
    }
  }
  return 0;
}
