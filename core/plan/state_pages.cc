#include "core/plan/state_pages.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace goalsync::core {
namespace {

using goalsync::v1::PlanState;
using goalsync::v1::StatePageCursor;

template <typename Map>
std::vector<const std::string*> SortedKeys(const Map& map) {
  std::vector<const std::string*> keys;
  keys.reserve(map.size());
  for (const auto& [key, value] : map) keys.push_back(&key);
  std::sort(keys.begin(), keys.end(), [](const auto* a, const auto* b) { return *a < *b; });
  return keys;
}

// The first index of `keys` past `after` (0 for an empty `after`).
size_t Start(const std::vector<const std::string*>& keys, const std::string& after) {
  if (after.empty()) return 0;
  return std::upper_bound(keys.begin(), keys.end(), after,
                          [](const std::string& a, const std::string* k) { return a < *k; }) -
         keys.begin();
}

// Tracks the page's size as items are added: an item is taken if it fits, or if the page is
// still empty.
class Budget {
 public:
  explicit Budget(size_t max) : max_(max) {}
  bool Take(size_t bytes) {
    // Each item costs its bytes plus a map entry's or field's framing (at most ~16 bytes).
    const size_t cost = bytes + 16;
    if (used_ > 0 && used_ + cost > max_) return false;
    used_ += cost;
    return true;
  }

 private:
  size_t max_;
  size_t used_ = 0;
};

}  // namespace

StatePager::StatePager(std::shared_ptr<const PlanState> plan)
    : plan_(std::move(plan)),
      goal_ids_(SortedKeys(plan_->goals())),
      change_request_ids_(SortedKeys(plan_->change_requests())),
      review_ids_(SortedKeys(plan_->reviews())) {}

PlanState StatePager::Page(const StatePageCursor& cursor, size_t max_bytes, StatePageCursor* next,
                           bool* done) const {
  PlanState page;
  page.set_workspace(plan_->workspace());
  page.set_seq(plan_->seq());
  Budget budget(max_bytes);
  *next = cursor;
  *done = false;
  // Sections in order; each picks up after the cursor's key when the cursor is in it.
  auto keyed = [&](StatePageCursor::Section section, const std::vector<const std::string*>& keys,
                   const auto& map, auto* out) {
    if (next->section() > section) return true;
    size_t i = next->section() == section ? Start(keys, next->after_key()) : 0;
    for (; i < keys.size(); ++i) {
      const auto& item = map.at(*keys[i]);
      if (!budget.Take(item.ByteSizeLong() + keys[i]->size())) return false;
      (*out)[*keys[i]] = item;
      next->set_section(section);
      next->set_after_key(*keys[i]);
    }
    return true;
  };
  if (!keyed(StatePageCursor::SECTION_GOALS, goal_ids_, plan_->goals(), page.mutable_goals())) return page;
  if (!keyed(StatePageCursor::SECTION_CHANGE_REQUESTS, change_request_ids_,
             plan_->change_requests(), page.mutable_change_requests())) {
    return page;
  }
  if (!keyed(StatePageCursor::SECTION_REVIEWS, review_ids_, plan_->reviews(), page.mutable_reviews())) {
    return page;
  }
  uint64_t i = next->section() == StatePageCursor::SECTION_CONFLICTS ? next->after_index() : 0;
  for (; i < static_cast<uint64_t>(plan_->conflicts_size()); ++i) {
    const auto& c = plan_->conflicts(static_cast<int>(i));
    if (!budget.Take(c.ByteSizeLong())) return page;
    *page.add_conflicts() = c;
    next->set_section(StatePageCursor::SECTION_CONFLICTS);
    next->clear_after_key();
    next->set_after_index(i + 1);
  }
  *done = true;
  return page;
}

absl::Status MergeStatePage(PlanState page, PlanState* plan) {
  if (!plan->workspace().empty() &&
      (page.workspace() != plan->workspace() || page.seq() != plan->seq())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "a page of ", page.workspace(), " at seq ", page.seq(), " does not belong to the plan of ",
        plan->workspace(), " at seq ", plan->seq(), ": start the paging again"));
  }
  plan->set_workspace(page.workspace());
  plan->set_seq(page.seq());
  for (auto& [id, g] : *page.mutable_goals()) (*plan->mutable_goals())[id] = std::move(g);
  for (auto& [id, c] : *page.mutable_change_requests()) {
    (*plan->mutable_change_requests())[id] = std::move(c);
  }
  for (auto& [id, r] : *page.mutable_reviews()) (*plan->mutable_reviews())[id] = std::move(r);
  for (auto& c : *page.mutable_conflicts()) *plan->add_conflicts() = std::move(c);
  return absl::OkStatus();
}

}  // namespace goalsync::core
