// The kernel's rules, table-driven: every rule refuses what it should with a message that
// names the rule, and a refused event leaves the state byte for byte as it was.
#include "core/plan/kernel.h"
#include "core/plan/undo.h"
#include "core/plan/progress.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/core/plan/kernel_test_util.h"

namespace goalsync::core {
namespace {

using ::testing::HasSubstr;
using goalsync::v1::PlanState;
using testing::ApplyJson;
using testing::Envelope;

// A small plan every case starts from: a company goal, a team goal under it with dates,
// high certainty and a floor, one task with a due date, an accountable person, and an open
// change request.
PlanState BasePlan() {
  PlanState s;
  for (const char* json : {
           R"({"goalCreated": {"goalId": "co", "level": "GOAL_LEVEL_COMPANY",
                "statement": "Revenue +40%", "details": {"certainty": "CERTAINTY_LOW"}}})",
           R"({"goalCreated": {"goalId": "sales", "parentId": "co", "level": "GOAL_LEVEL_TEAM",
                "statement": "50 signings", "details": {"certainty": "CERTAINTY_HIGH",
                "startDate": "2026-01-01", "dueDate": "2026-12-31"}}})",
           R"({"targetsSet": {"goalId": "sales", "targets": {"floor": 50}}})",
           R"({"taskAdded": {"goalId": "sales", "taskId": "research", "title": "Research",
                "dueDate": "2026-01-31"}})",
           R"({"raciAssigned": {"goalId": "sales", "taskId": "research", "person": "li",
                "role": "RACI_ROLE_ACCOUNTABLE"}})",
           R"({"changeRequestOpened": {"changeRequestId": "cr1", "goalId": "sales",
                "targets": {"floor": 55}, "reason": "more budget"}})",
       }) {
    absl::Status st = ApplyJson(&s, json);
    EXPECT_TRUE(st.ok()) << st << " applying " << json;
  }
  return s;
}

struct Case {
  const char* rule;
  const char* payload;
  absl::StatusCode code;
  const char* says;
};

class KernelRuleTest : public ::testing::TestWithParam<Case> {};

TEST_P(KernelRuleTest, RefusesAndLeavesStateUntouched) {
  const Case& c = GetParam();
  PlanState s = BasePlan();
  const std::string before = SerializeState(s);
  absl::Status st = ApplyJson(&s, c.payload);
  EXPECT_EQ(st.code(), c.code) << st;
  EXPECT_THAT(std::string(st.message()), HasSubstr(c.says));
  EXPECT_EQ(SerializeState(s), before) << "a refused event changed the state";
}

using absl::StatusCode;
const Case kCases[] = {
    // Goals
    {"duplicate goal", R"({"goalCreated": {"goalId": "co", "level": "GOAL_LEVEL_COMPANY", "statement": "x"}})",
     StatusCode::kFailedPrecondition, "already exists"},
    {"level required", R"({"goalCreated": {"goalId": "g", "statement": "x"}})",
     StatusCode::kInvalidArgument, "level is required"},
    {"statement required", R"({"goalCreated": {"goalId": "g", "level": "GOAL_LEVEL_TEAM"}})",
     StatusCode::kInvalidArgument, "statement is required"},
    {"parent exists", R"({"goalCreated": {"goalId": "g", "parentId": "nope", "level": "GOAL_LEVEL_TEAM", "statement": "x"}})",
     StatusCode::kNotFound, "goal nope does not exist"},
    {"company has no parent", R"({"goalCreated": {"goalId": "g", "parentId": "co", "level": "GOAL_LEVEL_COMPANY", "statement": "x"}})",
     StatusCode::kInvalidArgument, "company goal: it has no parent"},
    {"cascade order", R"({"goalCreated": {"goalId": "g", "parentId": "sales", "level": "GOAL_LEVEL_BUSINESS_LINE", "statement": "x"}})",
     StatusCode::kInvalidArgument, "a parent sits higher in the cascade"},
    {"dates order", R"({"goalCreated": {"goalId": "g", "level": "GOAL_LEVEL_TEAM", "statement": "x", "details": {"startDate": "2026-05-01", "dueDate": "2026-04-01"}}})",
     StatusCode::kInvalidArgument, "is before start_date"},
    {"real dates", R"({"goalCreated": {"goalId": "g", "level": "GOAL_LEVEL_TEAM", "statement": "x", "details": {"dueDate": "2026-02-30"}}})",
     StatusCode::kInvalidArgument, "does not exist"},
    {"manual rollup reason", R"({"goalCreated": {"goalId": "g", "level": "GOAL_LEVEL_TEAM", "statement": "x", "details": {"rollup": "ROLLUP_MANUAL"}}})",
     StatusCode::kInvalidArgument, "rollup_reason"},
    {"unknown field", R"({"goalFieldSet": {"goalId": "sales", "field": "colour", "value": "red"}})",
     StatusCode::kInvalidArgument, "no settable field \"colour\""},
    {"bad enum value", R"({"goalFieldSet": {"goalId": "sales", "field": "direction", "value": "up"}})",
     StatusCode::kInvalidArgument, "is not one of increase, decrease, stay-within"},
    {"bad number", R"({"goalFieldSet": {"goalId": "sales", "field": "baseline", "value": "lots"}})",
     StatusCode::kInvalidArgument, "is not a number"},
    {"negative weight", R"({"goalFieldSet": {"goalId": "sales", "field": "weight", "value": "-1"}})",
     StatusCode::kInvalidArgument, "must not be negative"},
    {"field dates order", R"({"goalFieldSet": {"goalId": "sales", "field": "due_date", "value": "2025-12-01"}})",
     StatusCode::kInvalidArgument, "is before start_date"},
    {"field of missing goal", R"({"goalFieldSet": {"goalId": "nope", "field": "why", "value": "x"}})",
     StatusCode::kNotFound, "goal nope does not exist"},
    {"restore a live goal", R"({"goalRestored": {"goalId": "sales"}})",
     StatusCode::kFailedPrecondition, "is not archived"},
    {"move into own subtree", R"({"goalMoved": {"goalId": "co", "newParentId": "sales"}})",
     StatusCode::kInvalidArgument, "would make a cycle"},
    {"move under itself", R"({"goalMoved": {"goalId": "sales", "newParentId": "sales"}})",
     StatusCode::kInvalidArgument, "cannot be its own parent"},
    // Targets
    {"low certainty needs base and stretch", R"({"targetsSet": {"goalId": "co", "targets": {"base": 5}}})",
     StatusCode::kInvalidArgument, "low certainty: it needs base and stretch"},
    {"floor above base", R"({"targetsSet": {"goalId": "sales", "targets": {"base": 40}}})",
     StatusCode::kInvalidArgument, "floor 50 is beyond base 40"},
    {"base above stretch", R"({"targetsSet": {"goalId": "sales", "targets": {"base": 60, "stretch": 55}}})",
     StatusCode::kInvalidArgument, "base 60 is beyond stretch 55"},
    {"period form", R"({"periodTargetSet": {"goalId": "sales", "target": {"period": "Q1", "target": 8}}})",
     StatusCode::kInvalidArgument, "is not one of YYYY"},
    {"period inside the goal's dates", R"({"periodTargetSet": {"goalId": "sales", "target": {"period": "2027-Q1", "target": 8}}})",
     StatusCode::kInvalidArgument, "starts after goal sales is due"},
    {"remove a missing period", R"({"periodTargetRemoved": {"goalId": "sales", "period": "2026-Q2"}})",
     StatusCode::kNotFound, "has no target for period 2026-Q2"},
    // Tasks
    {"duplicate task", R"({"taskAdded": {"goalId": "sales", "taskId": "research", "title": "x"}})",
     StatusCode::kFailedPrecondition, "already has task research"},
    {"task title", R"({"taskAdded": {"goalId": "sales", "taskId": "t2"}})",
     StatusCode::kInvalidArgument, "title is required"},
    {"parent task", R"({"taskAdded": {"goalId": "sales", "taskId": "t2", "parentTaskId": "nope", "title": "x"}})",
     StatusCode::kNotFound, "parent task nope"},
    {"task field", R"({"taskFieldSet": {"goalId": "sales", "taskId": "research", "field": "owner", "value": "x"}})",
     StatusCode::kInvalidArgument, "task has no settable field"},
    {"task estimate", R"({"taskFieldSet": {"goalId": "sales", "taskId": "research", "field": "estimate_days", "value": "-2"}})",
     StatusCode::kInvalidArgument, "is not a number >= 0"},
    {"task status", R"({"taskStatusSet": {"goalId": "sales", "taskId": "research"}})",
     StatusCode::kInvalidArgument, "status is required"},
    {"task exists", R"({"taskStatusSet": {"goalId": "sales", "taskId": "nope", "status": "TASK_STATUS_DONE"}})",
     StatusCode::kNotFound, "has no task nope"},
    {"dependency on itself", R"({"taskDependencyAdded": {"goalId": "sales", "taskId": "research", "dependsOnTaskId": "research"}})",
     StatusCode::kInvalidArgument, "would make a cycle"},
    {"dependency exists", R"({"taskDependencyAdded": {"goalId": "sales", "taskId": "research", "dependsOnTaskId": "nope"}})",
     StatusCode::kNotFound, "sales/nope does not exist"},
    // RACI
    {"exactly one A", R"({"raciAssigned": {"goalId": "sales", "taskId": "research", "person": "wu", "role": "RACI_ROLE_ACCOUNTABLE"}})",
     StatusCode::kInvalidArgument, "already has li accountable: exactly one A"},
    {"raci role", R"({"raciAssigned": {"goalId": "sales", "person": "wu"}})",
     StatusCode::kInvalidArgument, "role is required"},
    {"raci person", R"({"raciAssigned": {"goalId": "sales", "role": "RACI_ROLE_INFORMED"}})",
     StatusCode::kInvalidArgument, "person is required"},
    // Resources
    {"fte range", R"({"peopleAllocated": {"goalId": "sales", "person": "li", "fte": 1.5, "period": "2026-Q1"}})",
     StatusCode::kInvalidArgument, "must be a fraction of full time"},
    {"allocation period", R"({"peopleAllocated": {"goalId": "sales", "person": "li", "fte": 0.5, "period": "soon"}})",
     StatusCode::kInvalidArgument, "is not one of YYYY"},
    {"currency", R"({"budgetAllocated": {"goalId": "sales", "amount": 100, "currency": "euro", "category": "travel"}})",
     StatusCode::kInvalidArgument, "ISO 4217"},
    {"budget amount", R"({"budgetAllocated": {"goalId": "sales", "amount": -1, "currency": "EUR", "category": "travel"}})",
     StatusCode::kInvalidArgument, "amount must be a number >= 0"},
    {"weekday", R"({"timeBlockReserved": {"goalId": "sales", "weekday": 8, "startTime": "09:00", "endTime": "11:00"}})",
     StatusCode::kInvalidArgument, "must be 1 (Monday) to 7"},
    {"time order", R"({"timeBlockReserved": {"goalId": "sales", "weekday": 1, "startTime": "11:00", "endTime": "09:00"}})",
     StatusCode::kInvalidArgument, "ends before it starts"},
    // Execution
    {"confidence range", R"({"checkInRecorded": {"goalId": "sales", "value": 6, "confidence": 1.2}})",
     StatusCode::kInvalidArgument, "between 0 and 1"},
    {"check-in period", R"({"checkInRecorded": {"goalId": "sales", "value": 6, "period": "2025-Q4"}})",
     StatusCode::kInvalidArgument, "ends before goal sales starts"},
    {"review kind matches period", R"({"reviewRecorded": {"reviewId": "r1", "goalId": "sales", "kind": "REVIEW_KIND_WEEKLY", "period": "2026-03", "decision": "REVIEW_DECISION_KEEP"}})",
     StatusCode::kInvalidArgument, "covers a week"},
    {"review decision", R"({"reviewRecorded": {"reviewId": "r1", "goalId": "sales", "kind": "REVIEW_KIND_MONTHLY", "period": "2026-03"}})",
     StatusCode::kInvalidArgument, "decision is required"},
    {"review change requests exist", R"({"reviewRecorded": {"reviewId": "r1", "goalId": "sales", "kind": "REVIEW_KIND_MONTHLY", "period": "2026-03", "decision": "REVIEW_DECISION_ADJUST", "changeRequestIds": ["nope"]}})",
     StatusCode::kNotFound, "change request nope does not exist"},
    // Change requests
    {"request proposes something", R"({"changeRequestOpened": {"changeRequestId": "cr2", "goalId": "sales", "reason": "x"}})",
     StatusCode::kInvalidArgument, "propose new targets"},
    {"request has a reason", R"({"changeRequestOpened": {"changeRequestId": "cr2", "goalId": "sales", "targets": {"floor": 60}}})",
     StatusCode::kInvalidArgument, "reason is required"},
    {"request targets are checked", R"({"changeRequestOpened": {"changeRequestId": "cr2", "goalId": "sales", "targets": {"base": 10}, "reason": "x"}})",
     StatusCode::kInvalidArgument, "floor 50 is beyond base 10"},
    {"duplicate request", R"({"changeRequestOpened": {"changeRequestId": "cr1", "goalId": "sales", "targets": {"floor": 60}, "reason": "x"}})",
     StatusCode::kFailedPrecondition, "already exists"},
    {"approve the right goal", R"({"changeRequestApproved": {"changeRequestId": "cr1", "goalId": "co"}})",
     StatusCode::kInvalidArgument, "is about goal sales, not co"},
    {"approve a missing request", R"({"changeRequestApproved": {"changeRequestId": "nope", "goalId": "sales"}})",
     StatusCode::kNotFound, "change request nope does not exist"},
    {"reject with a reason", R"({"changeRequestRejected": {"changeRequestId": "cr1", "goalId": "sales"}})",
     StatusCode::kInvalidArgument, "reason is required"},
    {"resolve a missing conflict", R"({"conflictResolved": {"conflictId": "c9", "goalId": "sales", "resolution": "x"}})",
     StatusCode::kNotFound, "conflict c9 does not exist"},
};

INSTANTIATE_TEST_SUITE_P(Rules, KernelRuleTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string name;
                           for (const char* p = info.param.rule; *p; ++p) {
                             name += std::isalnum(static_cast<unsigned char>(*p)) ? *p : '_';
                           }
                           return name;
                         });

TEST(KernelTest, APersonOverFullTimeInAPeriodIsFlagged) {
  PlanState s = BasePlan();
  for (const char* json : {
           R"({"peopleAllocated": {"goalId": "sales", "person": "li", "fte": 0.8, "period": "2026"}})",
           R"({"peopleAllocated": {"goalId": "co", "person": "li", "fte": 0.3, "period": "2026-Q2"}})",
           R"({"peopleAllocated": {"goalId": "co", "person": "wu", "fte": 1.0, "period": "2026-Q2"}})"}) {
    ASSERT_TRUE(ApplyJson(&s, json).ok()) << json;
  }
  std::vector<Overallocation> over = FindOverallocations(s);
  ASSERT_EQ(over.size(), 2u);  // li in 2026 (overlaps Q2) and li in 2026-Q2; wu is at 100%
  EXPECT_EQ(over[0].person, "li");
  EXPECT_DOUBLE_EQ(over[0].fte, 1.1);
}

TEST(KernelTest, HighCertaintyGoalsNeedAFloor) {
  PlanState s = BasePlan();
  ASSERT_TRUE(ApplyJson(&s, R"({"goalCreated": {"goalId": "g", "level": "GOAL_LEVEL_TEAM",
      "statement": "x", "details": {"certainty": "CERTAINTY_HIGH"}}})").ok());
  absl::Status st = ApplyJson(&s, R"({"targetsSet": {"goalId": "g", "targets": {"base": 5}}})");
  EXPECT_THAT(std::string(st.message()), HasSubstr("high certainty: it needs a floor"));
  EXPECT_TRUE(ApplyJson(&s, R"({"targetsSet": {"goalId": "g", "targets": {"floor": 4, "base": 5}}})").ok());
}

TEST(KernelTest, ArchivedGoalsRefuseEditsUntilRestored) {
  PlanState s = BasePlan();
  ASSERT_TRUE(ApplyJson(&s, R"({"goalArchived": {"goalId": "sales"}})").ok());
  absl::Status st = ApplyJson(&s, R"({"checkInRecorded": {"goalId": "sales", "value": 1}})");
  EXPECT_EQ(st.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(st.message()), HasSubstr("archived: restore it first"));
  ASSERT_TRUE(ApplyJson(&s, R"({"goalRestored": {"goalId": "sales"}})").ok());
  EXPECT_TRUE(ApplyJson(&s, R"({"checkInRecorded": {"goalId": "sales", "value": 1}})").ok());
}

TEST(KernelTest, EventsMustFollowTheStateSeq) {
  PlanState s = BasePlan();
  auto e = testing::MakeEvent(s.seq() + 2, R"({"goalArchived": {"goalId": "sales"}})");
  EXPECT_EQ(Apply(e, &s).code(), absl::StatusCode::kInvalidArgument);
}

TEST(KernelTest, ApprovalAppliesTargetsAndKeepsTheOriginals) {
  PlanState s = BasePlan();
  ASSERT_TRUE(ApplyJson(&s, R"({"changeRequestApproved": {"changeRequestId": "cr1",
                                "goalId": "sales", "note": "ok"}})",
                        {.actor = "boss"})
                  .ok());
  const auto& g = s.goals().at("sales");
  EXPECT_EQ(g.targets().floor(), 55);
  EXPECT_EQ(g.original_targets().floor(), 50);
  EXPECT_EQ(g.blame().at("targets").change_request_id(), "cr1");
  EXPECT_EQ(g.blame().at("targets").actor(), "boss");
  const auto& cr = s.change_requests().at("cr1");
  EXPECT_EQ(cr.status(), goalsync::v1::CHANGE_REQUEST_STATUS_APPROVED);
  EXPECT_EQ(cr.targets_before().floor(), 50);
  absl::Status again = ApplyJson(&s, R"({"changeRequestRejected": {"changeRequestId": "cr1",
                                         "goalId": "sales", "reason": "late"}})");
  EXPECT_THAT(std::string(again.message()), HasSubstr("was already approved"));
}

TEST(KernelTest, SetsAreIdempotentAndRemovesOnlyRemoveWhatIsThere) {
  PlanState s = BasePlan();
  const char* add = R"({"raciAssigned": {"goalId": "sales", "person": "wu", "role": "RACI_ROLE_CONSULTED"}})";
  ASSERT_TRUE(ApplyJson(&s, add).ok());
  ASSERT_TRUE(ApplyJson(&s, add).ok());
  EXPECT_EQ(s.goals().at("sales").raci_size(), 1);
  const char* remove = R"({"raciUnassigned": {"goalId": "sales", "person": "wu", "role": "RACI_ROLE_CONSULTED"}})";
  ASSERT_TRUE(ApplyJson(&s, remove).ok());
  ASSERT_TRUE(ApplyJson(&s, remove).ok());
  EXPECT_EQ(s.goals().at("sales").raci_size(), 0);
}

TEST(KernelTest, ReviewsComputeTheCompletionRateOfTheSubtree) {
  PlanState s = BasePlan();
  ASSERT_TRUE(ApplyJson(&s, R"({"taskAdded": {"goalId": "sales", "taskId": "proposal",
                                "title": "Proposal", "dueDate": "2026-01-20"}})").ok());
  ASSERT_TRUE(ApplyJson(&s, R"({"taskAdded": {"goalId": "sales", "taskId": "later",
                                "title": "Later", "dueDate": "2026-02-20"}})").ok());
  ASSERT_TRUE(ApplyJson(&s, R"({"taskStatusSet": {"goalId": "sales", "taskId": "proposal",
                                "status": "TASK_STATUS_DONE"}})").ok());
  // Reviewed from the company goal: the team goal's tasks count.
  ASSERT_TRUE(ApplyJson(&s, R"({"reviewRecorded": {"reviewId": "jan", "goalId": "co",
                                "kind": "REVIEW_KIND_MONTHLY", "period": "2026-01",
                                "decision": "REVIEW_DECISION_KEEP"}})").ok());
  const auto& r = s.reviews().at("jan");
  EXPECT_EQ(r.tasks_due(), 2u);  // research and proposal are due in January
  EXPECT_EQ(r.tasks_done(), 1u);
  EXPECT_DOUBLE_EQ(r.completion_rate(), 0.5);
}

// --- Merge rules (architecture.md): offline edits that raced -------------------------------

TEST(KernelMergeTest, DifferentFieldsEditedConcurrentlyAreBothKept) {
  PlanState s = BasePlan();
  const uint64_t seen = s.seq();
  ASSERT_TRUE(ApplyJson(&s, R"({"goalFieldSet": {"goalId": "sales", "field": "owner", "value": "li"}})",
                        {.actor = "li", .replica_id = "laptop-li", .base_seq = seen})
                  .ok());
  ASSERT_TRUE(ApplyJson(&s, R"({"goalFieldSet": {"goalId": "sales", "field": "why", "value": "growth"}})",
                        {.actor = "wu", .replica_id = "laptop-wu", .base_seq = seen})
                  .ok());
  EXPECT_EQ(s.goals().at("sales").owner(), "li");
  EXPECT_EQ(s.goals().at("sales").why(), "growth");
  EXPECT_EQ(s.conflicts_size(), 0);
}

TEST(KernelMergeTest, SameFieldConcurrentEditsKeepTheLaterHlcAndRecordTheLoser) {
  PlanState s = BasePlan();
  const uint64_t seen = s.seq();
  // wu edited later (greater hlc) but synced first; li's earlier edit arrives second.
  ASSERT_TRUE(ApplyJson(&s, R"({"goalFieldSet": {"goalId": "sales", "field": "owner", "value": "wu"}})",
                        {.actor = "wu", .replica_id = "b", .base_seq = seen, .hlc_micros = 2000})
                  .ok());
  ASSERT_TRUE(ApplyJson(&s, R"({"goalFieldSet": {"goalId": "sales", "field": "owner", "value": "li"}})",
                        {.actor = "li", .replica_id = "a", .base_seq = seen, .hlc_micros = 1000})
                  .ok());
  EXPECT_EQ(s.goals().at("sales").owner(), "wu");
  ASSERT_EQ(s.conflicts_size(), 1);
  const auto& c = s.conflicts(0);
  EXPECT_EQ(c.kind(), goalsync::v1::CONFLICT_KIND_SAME_FIELD);
  EXPECT_EQ(c.field(), "owner");
  EXPECT_EQ(c.losing_value(), "li");
  EXPECT_EQ(c.winning_value(), "wu");
  EXPECT_EQ(c.loser().actor(), "li");
  // Resolving it by keeping the losing value applies it.
  ASSERT_TRUE(ApplyJson(&s, R"({"conflictResolved": {"conflictId": ")" + c.id() +
                                R"(", "goalId": "sales", "resolution": "li owns it",
                                "keepLosingValue": true}})")
                  .ok());
  EXPECT_EQ(s.goals().at("sales").owner(), "li");
  EXPECT_TRUE(s.conflicts(0).resolved());
}

TEST(KernelMergeTest, AReplicasOwnSequentialEditsNeverConflict) {
  PlanState s = BasePlan();
  const uint64_t seen = s.seq();
  for (const char* owner : {"a", "b", "c"}) {
    ASSERT_TRUE(ApplyJson(&s, std::string(R"({"goalFieldSet": {"goalId": "sales", "field": "owner", "value": ")") +
                                  owner + "\"}}",
                          {.actor = "li", .replica_id = "laptop", .base_seq = seen})
                    .ok());
  }
  EXPECT_EQ(s.goals().at("sales").owner(), "c");
  EXPECT_EQ(s.conflicts_size(), 0);
}

TEST(KernelMergeTest, AnEditOfAConcurrentlyArchivedGoalIsKeptAsAConflict) {
  PlanState s = BasePlan();
  const uint64_t seen = s.seq();
  ASSERT_TRUE(ApplyJson(&s, R"({"goalArchived": {"goalId": "sales"}})",
                        {.actor = "boss", .replica_id = "office", .base_seq = seen})
                  .ok());
  ASSERT_TRUE(ApplyJson(&s, R"({"goalFieldSet": {"goalId": "sales", "field": "why", "value": "x"}})",
                        {.actor = "li", .replica_id = "train", .base_seq = seen})
                  .ok());
  EXPECT_TRUE(s.goals().at("sales").archived());
  EXPECT_EQ(s.goals().at("sales").why(), "");
  ASSERT_EQ(s.conflicts_size(), 1);
  EXPECT_EQ(s.conflicts(0).kind(), goalsync::v1::CONFLICT_KIND_EDIT_ARCHIVED);
  EXPECT_EQ(s.conflicts(0).losing_value(), "x");
}

TEST(KernelMergeTest, AMoveThatBecameACycleIsKeptAsAConflict) {
  PlanState s;
  for (const char* json : {
           R"({"goalCreated": {"goalId": "a", "level": "GOAL_LEVEL_TEAM", "statement": "a"}})",
           R"({"goalCreated": {"goalId": "b", "level": "GOAL_LEVEL_TEAM", "statement": "b"}})"}) {
    ASSERT_TRUE(ApplyJson(&s, json).ok());
  }
  const uint64_t seen = s.seq();
  ASSERT_TRUE(ApplyJson(&s, R"({"goalMoved": {"goalId": "a", "newParentId": "b"}})",
                        {.replica_id = "r1", .base_seq = seen})
                  .ok());
  ASSERT_TRUE(ApplyJson(&s, R"({"goalMoved": {"goalId": "b", "newParentId": "a"}})",
                        {.replica_id = "r2", .base_seq = seen})
                  .ok());
  EXPECT_EQ(s.goals().at("a").parent_id(), "b");
  EXPECT_EQ(s.goals().at("b").parent_id(), "");
  ASSERT_EQ(s.conflicts_size(), 1);
  EXPECT_EQ(s.conflicts(0).kind(), goalsync::v1::CONFLICT_KIND_MOVE_CYCLE);
}

}  // namespace
}  // namespace goalsync::core

namespace goalsync::core {
namespace {

TEST(KernelCheckpointTest, RestoreTakesBackEveryKindOfEvent) {
  const char* events[] = {
      R"({"goalCreated": {"goalId": "new", "parentId": "co", "level": "GOAL_LEVEL_TEAM", "statement": "x"}})",
      R"({"goalFieldSet": {"goalId": "sales", "field": "owner", "value": "wu"}})",
      R"({"goalArchived": {"goalId": "sales"}})",
      R"({"targetsSet": {"goalId": "sales", "targets": {"floor": 52}}})",
      R"({"periodTargetSet": {"goalId": "sales", "target": {"period": "2026-Q1", "target": 8}}})",
      R"({"taskAdded": {"goalId": "sales", "taskId": "t2", "title": "x"}})",
      R"({"raciAssigned": {"goalId": "sales", "person": "wu", "role": "RACI_ROLE_INFORMED"}})",
      R"({"raciAssigned": {"goalId": "sales", "taskId": "research", "person": "wu", "role": "RACI_ROLE_INFORMED"}})",
      R"({"taskStatusSet": {"goalId": "sales", "taskId": "research", "status": "TASK_STATUS_DONE"}})",
      R"({"taskFieldSet": {"goalId": "sales", "taskId": "research", "field": "title", "value": "R2"}})",
      R"({"checkInRecorded": {"goalId": "sales", "value": 3}})",
      R"({"checkInRecorded": {"goalId": "sales", "value": 4, "period": "2026-W10"}})",
      R"({"reviewRecorded": {"reviewId": "r", "goalId": "sales", "kind": "REVIEW_KIND_MONTHLY", "period": "2026-01", "decision": "REVIEW_DECISION_KEEP"}})",
      R"({"changeRequestOpened": {"changeRequestId": "cr2", "goalId": "sales", "targets": {"floor": 60}, "reason": "x"}})",
      R"({"changeRequestApproved": {"changeRequestId": "cr1", "goalId": "sales"}})",
  };
  // core/plan/undo.cc copies a goal field by field: a new field must be taught to it.
  ASSERT_EQ(goalsync::v1::Goal::descriptor()->field_count(), 22)
      << "Goal gained or lost a field: update CopyGoalWithoutLists in core/plan/undo.cc";
  for (const char* json : events) {
    PlanState s = BasePlan();
    // The goal has check-ins: Restore must keep them while it puts the rest back.
    ASSERT_TRUE(ApplyJson(&s, R"({"checkInRecorded": {"goalId": "sales", "value": 2}})").ok());
    const std::string before = SerializeState(s);
    auto e = testing::MakeEvent(s.seq() + 1, json);
    UndoRecord c = Save(e, s);
    ASSERT_TRUE(Apply(e, &s).ok()) << json;
    EXPECT_NE(SerializeState(s), before) << json;
    Restore(std::move(c), &s);
    EXPECT_EQ(SerializeState(s), before) << json;
  }
}

}  // namespace
}  // namespace goalsync::core
