// StatePager cuts a plan into bounded pages that merge back into the same plan, and paging
// resumes correctly from any page boundary, on a plan rebuilt from the log (another copy).
#include "core/plan/state_pages.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/core/plan/kernel_test_util.h"

namespace goalsync::core {
namespace {

using goalsync::v1::PlanState;
using goalsync::v1::StatePageCursor;

// A plan with goals, change requests, reviews and conflicts.
std::vector<goalsync::v1::Event> Log() {
  std::vector<goalsync::v1::Event> log;
  PlanState s;
  auto add = [&](const std::string& json, testing::Envelope env = {}) {
    goalsync::v1::Event e = testing::MakeEvent(s.seq() + 1, json, env);
    ASSERT_TRUE(Apply(e, &s).ok()) << json;
    log.push_back(e);
  };
  add(R"({"goalCreated": {"goalId": "co", "level": "GOAL_LEVEL_COMPANY", "statement": "s"}})");
  for (int i = 0; i < 300; ++i) {
    add(absl::StrCat(R"({"goalCreated": {"goalId": "g)", i, R"(", "parentId": "co", "level": "GOAL_LEVEL_TEAM", "statement": ")",
                     std::string(1 + i % 50, 'x'), R"("}})"));
    add(absl::StrCat(R"({"checkInRecorded": {"goalId": "g)", i, R"(", "value": 1, "period": "2026-W0)", 1 + i % 9, R"("}})"));
  }
  for (int i = 0; i < 40; ++i) {
    add(absl::StrCat(R"({"changeRequestOpened": {"changeRequestId": "cr)", i, R"(", "goalId": "g)", i,
                     R"(", "periodTargets": [{"period": "2026-Q4", "target": 3}], "reason": "r"}})"));
    add(absl::StrCat(R"({"reviewRecorded": {"reviewId": "r)", i, R"(", "goalId": "g)", i,
                     R"(", "kind": "REVIEW_KIND_MONTHLY", "period": "2026-01", "decision": "REVIEW_DECISION_KEEP"}})"));
  }
  // Concurrent edits of one field: conflicts.
  for (int i = 0; i < 30; ++i) {
    const uint64_t base = s.seq();
    add(absl::StrCat(R"({"goalFieldSet": {"goalId": "g)", i, R"(", "field": "owner", "value": "a"}})"),
        {.actor = "li", .replica_id = "a", .base_seq = base});
    add(absl::StrCat(R"({"goalFieldSet": {"goalId": "g)", i, R"(", "field": "owner", "value": "b"}})"),
        {.actor = "wu", .replica_id = "b", .base_seq = base});
  }
  return log;
}

PlanState Fold(const std::vector<goalsync::v1::Event>& log) {
  PlanState s;
  s.set_workspace("acme");
  for (const auto& e : log) EXPECT_TRUE(Apply(e, &s).ok());
  return s;
}

TEST(StatePagerTest, PagesAreBoundedAndMergeBackIntoThePlan) {
  auto plan = std::make_shared<const PlanState>(Fold(Log()));
  ASSERT_GT(plan->conflicts_size(), 0);
  StatePager pager(plan);
  for (size_t max : {size_t{1}, size_t{500}, size_t{4096}, size_t{1} << 20}) {
    SCOPED_TRACE(absl::StrCat("max_bytes ", max));
    PlanState merged;
    StatePageCursor cursor;
    bool done = false;
    int pages = 0;
    while (!done) {
      StatePageCursor next;
      PlanState page = pager.Page(cursor, max, &next, &done);
      ASSERT_EQ(page.seq(), plan->seq());
      // At most the budget, unless one item alone is larger (then it is alone).
      const size_t items = page.goals_size() + page.change_requests_size() +
                           page.reviews_size() + page.conflicts_size();
      ASSERT_GE(items, done ? 0u : 1u);
      if (items > 1) EXPECT_LE(page.ByteSizeLong(), max + 64);
      ASSERT_TRUE(MergeStatePage(std::move(page), &merged).ok());
      cursor = next;
      ASSERT_LT(++pages, 100000);
    }
    EXPECT_EQ(SerializeState(merged), SerializeState(*plan));
  }
}

TEST(StatePagerTest, PagingResumesFromAnyBoundaryOnAnotherCopyOfThePlan) {
  const auto log = Log();
  auto first = std::make_shared<const PlanState>(Fold(log));
  auto second = std::make_shared<const PlanState>(Fold(log));  // e.g. after a server restart
  StatePager a(first), b(second);
  std::vector<StatePageCursor> boundaries(1);
  for (bool done = false; !done;) {
    StatePageCursor next;
    a.Page(boundaries.back(), 2048, &next, &done);
    if (!done) boundaries.push_back(next);
  }
  ASSERT_GT(boundaries.size(), 10u);
  for (size_t cut = 0; cut < boundaries.size(); ++cut) {
    SCOPED_TRACE(absl::StrCat("cut at page ", cut));
    PlanState merged;
    StatePageCursor cursor;
    bool done = false;
    for (size_t i = 0; i < cut; ++i) {  // the first `cut` pages from one copy...
      StatePageCursor next;
      ASSERT_TRUE(MergeStatePage(a.Page(cursor, 2048, &next, &done), &merged).ok());
      cursor = next;
    }
    // ...the token travels as bytes...
    StatePageCursor resumed;
    ASSERT_TRUE(resumed.ParseFromString(cursor.SerializeAsString()));
    // ...and the rest from the other, with another page size.
    for (int guard = 0; !done && guard < 100000; ++guard) {
      StatePageCursor next;
      ASSERT_TRUE(MergeStatePage(b.Page(resumed, 777, &next, &done), &merged).ok());
      resumed = next;
    }
    EXPECT_EQ(SerializeState(merged), SerializeState(*first));
  }
}

TEST(StatePagerTest, APageOfAnotherSeqIsRefused) {
  PlanState plan;
  plan.set_workspace("acme");
  plan.set_seq(5);
  PlanState page;
  page.set_workspace("acme");
  page.set_seq(6);
  EXPECT_TRUE(absl::IsInvalidArgument(MergeStatePage(page, &plan)));
}

}  // namespace
}  // namespace goalsync::core
