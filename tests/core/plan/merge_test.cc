// The one merge rule (docs/merge.md), field by field: two edits made offline from the same
// base resolve to the same value whichever reaches the server first, the loser is a conflict
// record in both orders, and resolving with keep_losing_value re-applies it.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/core/plan/kernel_test_util.h"

namespace goalsync::core {
namespace {

using goalsync::v1::Conflict;
using goalsync::v1::PlanState;
using testing::ApplyJson;
using testing::Envelope;
using testing::MakeEvent;

// A goal "g" (high certainty, floor 10, dates), a second goal "h", tasks "t" (due
// 2026-03-31) and "u" under g, li accountable for t, and an open change request "cr" raising
// the floor to 12. Its seq is the base both offline writers had seen.
PlanState Base() {
  PlanState s;
  for (const char* json : {
           R"({"goalCreated": {"goalId": "g", "level": "GOAL_LEVEL_COMPANY", "statement": "s",
                "details": {"certainty": "CERTAINTY_HIGH", "startDate": "2026-01-01",
                "dueDate": "2026-12-31"}}})",
           R"({"goalCreated": {"goalId": "h", "level": "GOAL_LEVEL_COMPANY", "statement": "s"}})",
           R"({"targetsSet": {"goalId": "g", "targets": {"floor": 10}}})",
           R"({"taskAdded": {"goalId": "g", "taskId": "t", "title": "T", "deliverable": "doc",
                "dueDate": "2026-03-31"}})",
           R"({"taskAdded": {"goalId": "g", "taskId": "u", "title": "U"}})",
           R"({"raciAssigned": {"goalId": "g", "taskId": "t", "person": "li",
                "role": "RACI_ROLE_ACCOUNTABLE"}})",
           R"({"changeRequestOpened": {"changeRequestId": "cr", "goalId": "g",
                "targets": {"floor": 12}, "reason": "budget"}})",
       }) {
    absl::Status st = ApplyJson(&s, json);
    EXPECT_TRUE(st.ok()) << st << " applying " << json;
  }
  return s;
}

constexpr uint64_t kEarly = 1'790'000'000'000'000;  // writer A's clock: A loses
constexpr uint64_t kLate = kEarly + 5'000'000;      // writer B's clock: B wins

// Applies A then B (a_first) or B then A, both made offline from Base().
PlanState Race(const std::string& a, const std::string& b, bool a_first) {
  PlanState s = Base();
  const uint64_t base = s.seq();
  const Envelope ea{.actor = "ann", .replica_id = "ra", .base_seq = base, .hlc_micros = kEarly};
  const Envelope eb{.actor = "bob", .replica_id = "rb", .base_seq = base, .hlc_micros = kLate};
  for (int k = 0; k < 2; ++k) {
    const bool is_a = (k == 0) == a_first;
    absl::Status st = Apply(MakeEvent(s.seq() + 1, is_a ? a : b, is_a ? ea : eb), &s);
    EXPECT_TRUE(st.ok()) << st << " applying " << (is_a ? a : b);
  }
  return s;
}

struct FieldCase {
  std::string name;
  std::string a, b;                 // payloads: A's edit, B's edit
  std::string field, task;          // the conflict's field and task
  std::function<std::string(const PlanState&)> value;  // the field's value in a state
  std::string a_value, b_value;
};

std::string TaskField(const PlanState& s, const std::string& task, const std::string& f) {
  const auto& t = s.goals().at("g").tasks().at(task);
  if (f == "due_date") return t.due_date();
  if (f == "deliverable") return t.deliverable();
  if (f == "title") return t.title();
  if (f == "parent") return t.parent_task_id();
  if (f == "estimate_days") return absl::StrCat(t.estimate_days());
  if (f == "status") return goalsync::v1::TaskStatus_Name(t.status());
  return "?";
}

std::string TaskSet(const std::string& task, const std::string& f, const std::string& v) {
  return absl::StrCat(R"({"taskFieldSet": {"goalId": "g", "taskId": ")", task,
                      R"(", "field": ")", f, R"(", "value": ")", v, R"("}})");
}

std::vector<FieldCase> Cases() {
  std::vector<FieldCase> cases;
  for (auto [f, a, b] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"due_date", "2026-04-30", "2026-05-31"},
           {"deliverable", "slides", "report"},
           {"title", "Tee", "Tau"},
           {"estimate_days", "3", "5"}}) {
    cases.push_back({f, TaskSet("t", f, a), TaskSet("t", f, b), f, "t",
                     [f](const PlanState& s) { return TaskField(s, "t", f); }, a, b});
  }
  cases.push_back({"parent", TaskSet("u", "parent", "t"), TaskSet("u", "parent", ""), "parent",
                   "u", [](const PlanState& s) { return TaskField(s, "u", "parent"); }, "t", ""});
  cases.push_back(
      {"status",
       R"({"taskStatusSet": {"goalId": "g", "taskId": "t", "status": "TASK_STATUS_DONE"}})",
       R"({"taskStatusSet": {"goalId": "g", "taskId": "t", "status": "TASK_STATUS_BLOCKED"}})",
       "status", "t", [](const PlanState& s) { return TaskField(s, "t", "status"); },
       "TASK_STATUS_DONE", "TASK_STATUS_BLOCKED"});
  cases.push_back(
      {"raci_element",
       R"({"raciAssigned": {"goalId": "g", "taskId": "t", "person": "wang", "role": "RACI_ROLE_CONSULTED"}})",
       R"({"raciUnassigned": {"goalId": "g", "taskId": "t", "person": "wang", "role": "RACI_ROLE_CONSULTED"}})",
       "raci/RACI_ROLE_CONSULTED/wang", "t",
       [](const PlanState& s) {
         for (const auto& r : s.goals().at("g").tasks().at("t").raci()) {
           if (r.person() == "wang") return std::string("present");
         }
         return std::string("absent");
       },
       "present", "absent"});
  cases.push_back(
      {"dependency",
       R"({"taskDependencyRemoved": {"goalId": "g", "taskId": "t", "dependsOnTaskId": "u"}})",
       R"({"taskDependencyAdded": {"goalId": "g", "taskId": "t", "dependsOnTaskId": "u"}})",
       "depends_on/g/u", "t",
       [](const PlanState& s) {
         return std::string(s.goals().at("g").tasks().at("t").depends_on_size() ? "present" : "absent");
       },
       "absent", "present"});
  cases.push_back(
      {"accountable",
       R"({"raciAssigned": {"goalId": "g", "person": "ann", "role": "RACI_ROLE_ACCOUNTABLE"}})",
       R"({"raciAssigned": {"goalId": "g", "person": "bob", "role": "RACI_ROLE_ACCOUNTABLE"}})",
       "", "",  // the goal had no A before: two first assignments, no conflict
       [](const PlanState& s) {
         std::string out;
         for (const auto& r : s.goals().at("g").raci()) absl::StrAppend(&out, r.person(), ";");
         return out;
       },
       "", ""});
  cases.push_back(
      {"period", R"({"periodTargetSet": {"goalId": "g", "target": {"period": "2026-Q2", "target": 3}}})",
       R"({"periodTargetSet": {"goalId": "g", "target": {"period": "2026-Q2", "target": 4}}})",
       "period.2026-Q2", "",
       [](const PlanState& s) {
         auto it = s.goals().at("g").period_targets().find("2026-Q2");
         return it == s.goals().at("g").period_targets().end() ? std::string()
                                                                 : absl::StrCat(it->second);
       },
       "3", "4"});
  cases.push_back(
      {"goal_field", R"({"goalFieldSet": {"goalId": "g", "field": "why", "value": "x"}})",
       R"({"goalFieldSet": {"goalId": "g", "field": "why", "value": "y"}})", "why", "",
       [](const PlanState& s) { return s.goals().at("g").why(); }, "x", "y"});
  return cases;
}

class MergeTest : public ::testing::TestWithParam<FieldCase> {};

TEST_P(MergeTest, SameWinnerInBothOrdersAndTheLoserIsRecorded) {
  const FieldCase& c = GetParam();
  const PlanState ab = Race(c.a, c.b, true);
  const PlanState ba = Race(c.a, c.b, false);
  EXPECT_EQ(c.value(ab), c.value(ba)) << "the order decided the value";
  if (c.field.empty()) return;
  EXPECT_EQ(c.value(ab), c.b_value) << "the greater (hlc, replica) wins";
  for (const PlanState* s : {&ab, &ba}) {
    ASSERT_EQ(s->conflicts_size(), 1) << s->DebugString();
    const Conflict& k = s->conflicts(0);
    EXPECT_EQ(k.kind(), goalsync::v1::CONFLICT_KIND_SAME_FIELD);
    EXPECT_EQ(k.goal_id(), "g");
    EXPECT_EQ(k.task_id(), c.task);
    EXPECT_EQ(k.field(), c.field);
    EXPECT_EQ(k.losing_value(), c.a_value);
    EXPECT_EQ(k.winning_value(), c.b_value);
    EXPECT_EQ(k.loser().actor(), "ann");
    EXPECT_EQ(k.winner().actor(), "bob");
  }
}

TEST_P(MergeTest, KeepLosingReappliesTheLoser) {
  const FieldCase& c = GetParam();
  if (c.field.empty()) return;
  for (bool a_first : {true, false}) {
    PlanState s = Race(c.a, c.b, a_first);
    ASSERT_EQ(s.conflicts_size(), 1);
    const Conflict k = s.conflicts(0);
    absl::Status st = ApplyJson(&s, absl::StrCat(
        R"({"conflictResolved": {"conflictId": ")", k.id(), R"(", "goalId": "g", "taskId": ")",
        k.task_id(), R"(", "resolution": "ann was right", "keepLosingValue": true}})"));
    ASSERT_TRUE(st.ok()) << st;
    EXPECT_EQ(c.value(s), c.a_value);
    EXPECT_TRUE(s.conflicts(0).resolved());
  }
}

INSTANTIATE_TEST_SUITE_P(EveryField, MergeTest, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param.name; });

TEST(MergeTest, ConcurrentSecondAccountableIsAConflictNotARefusal) {
  // t already has li accountable; ann and bob each make someone else A, offline.
  const std::string a = R"({"raciAssigned": {"goalId": "g", "taskId": "t", "person": "ann", "role": "RACI_ROLE_ACCOUNTABLE"}})";
  const std::string un = R"({"raciUnassigned": {"goalId": "g", "taskId": "t", "person": "li", "role": "RACI_ROLE_ACCOUNTABLE"}})";
  for (bool a_first : {true, false}) {
    PlanState s = Base();
    ASSERT_TRUE(ApplyJson(&s, un).ok());
    const uint64_t base = s.seq();
    const std::string b = R"({"raciAssigned": {"goalId": "g", "taskId": "t", "person": "bob", "role": "RACI_ROLE_ACCOUNTABLE"}})";
    const Envelope ea{.actor = "ann", .replica_id = "ra", .base_seq = base, .hlc_micros = kEarly};
    const Envelope eb{.actor = "bob", .replica_id = "rb", .base_seq = base, .hlc_micros = kLate};
    ASSERT_TRUE(ApplyJson(&s, a_first ? a : b, a_first ? ea : eb).ok());
    ASSERT_TRUE(ApplyJson(&s, a_first ? b : a, a_first ? eb : ea).ok());
    const auto& raci = s.goals().at("g").tasks().at("t").raci();
    ASSERT_EQ(raci.size(), 1);
    EXPECT_EQ(raci[0].person(), "bob");
    ASSERT_EQ(s.conflicts_size(), 1);
    EXPECT_EQ(s.conflicts(0).field(), "raci/accountable");
    EXPECT_EQ(s.conflicts(0).losing_value(), "ann");
  }
  // Online, a second A the writer saw coming is still refused, and records nothing.
  PlanState s = Base();
  absl::Status st = ApplyJson(&s, a);
  EXPECT_TRUE(absl::IsInvalidArgument(st)) << st;
  EXPECT_EQ(s.conflicts_size(), 0);
}

TEST(MergeTest, ConcurrentDecisionsOnAChangeRequest) {
  const std::string approve = R"({"changeRequestApproved": {"changeRequestId": "cr", "goalId": "g", "note": "ok"}})";
  const std::string reject = R"({"changeRequestRejected": {"changeRequestId": "cr", "goalId": "g", "reason": "no"}})";
  for (bool a_first : {true, false}) {
    // ann approves (earlier clock), bob rejects (later): the rejection stands either way,
    // and the floor the approval set is taken back.
    PlanState s = Race(approve, reject, a_first);
    const auto& cr = s.change_requests().at("cr");
    EXPECT_EQ(cr.status(), goalsync::v1::CHANGE_REQUEST_STATUS_REJECTED);
    EXPECT_EQ(s.goals().at("g").targets().floor(), 10);
    ASSERT_EQ(s.conflicts_size(), 1);
    EXPECT_EQ(s.conflicts(0).change_request_id(), "cr");
    EXPECT_EQ(s.conflicts(0).field(), "decision");
    EXPECT_EQ(s.conflicts(0).losing_value(), "approved: ok");
    // Keeping the loser approves it after all.
    ASSERT_TRUE(ApplyJson(&s, absl::StrCat(R"({"conflictResolved": {"conflictId": ")",
                                           s.conflicts(0).id(),
                                           R"(", "goalId": "g", "changeRequestId": "cr",
                                           "resolution": "approve", "keepLosingValue": true}})"))
                    .ok());
    EXPECT_EQ(s.change_requests().at("cr").status(), goalsync::v1::CHANGE_REQUEST_STATUS_APPROVED);
    EXPECT_EQ(s.goals().at("g").targets().floor(), 12);
  }
  // A decision made after seeing the first is refused.
  PlanState s = Base();
  ASSERT_TRUE(ApplyJson(&s, approve).ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(ApplyJson(&s, reject)));
}

TEST(MergeTest, TwoConcurrentArchivesAgree) {
  const std::string archive = R"({"goalArchived": {"goalId": "h"}})";
  PlanState s = Race(archive, archive, true);
  EXPECT_TRUE(s.goals().at("h").archived());
  EXPECT_EQ(s.conflicts_size(), 0);
}

TEST(MergeTest, AnEditOfAConcurrentlyArchivedGoalsTaskIsParked) {
  PlanState s = Race(TaskSet("t", "title", "New"), R"({"goalArchived": {"goalId": "g"}})", false);
  ASSERT_EQ(s.conflicts_size(), 1);
  EXPECT_EQ(s.conflicts(0).kind(), goalsync::v1::CONFLICT_KIND_EDIT_ARCHIVED);
  EXPECT_EQ(s.conflicts(0).task_id(), "t");
  EXPECT_EQ(s.goals().at("g").tasks().at("t").title(), "T");
}

TEST(MergeTest, SetsStaySets) {
  PlanState s = Base();
  const std::string add = R"({"taskDependencyAdded": {"goalId": "g", "taskId": "t", "dependsOnTaskId": "u"}})";
  ASSERT_TRUE(ApplyJson(&s, add).ok());
  ASSERT_TRUE(ApplyJson(&s, add).ok());
  EXPECT_EQ(s.goals().at("g").tasks().at("t").depends_on_size(), 1);
  const std::string remove = R"({"taskDependencyRemoved": {"goalId": "g", "taskId": "t", "dependsOnTaskId": "u"}})";
  ASSERT_TRUE(ApplyJson(&s, remove).ok());
  ASSERT_TRUE(ApplyJson(&s, remove).ok());
  EXPECT_EQ(s.goals().at("g").tasks().at("t").depends_on_size(), 0);
  EXPECT_EQ(s.conflicts_size(), 0);
}

}  // namespace
}  // namespace goalsync::core
