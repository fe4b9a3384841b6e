// StatePager: a plan cut into pages of bounded size, so that no message that carries a plan
// grows with it (PlanService.GetState, a replica joining from the server's plan).
//
// A page is a PlanState holding `workspace`, `seq` and the next items in a fixed order: goals
// by id, then change requests by id, reviews by id, conflicts in their order. A cursor says
// where the next page starts; it names the last item sent, so paging resumes correctly on any
// copy of the same plan (the same seq), whoever cut it and whenever.
//
// Thread safety: a StatePager is immutable after construction; Page may be called from any
// thread.
#ifndef GOALSYNC_CORE_PLAN_STATE_PAGES_H_
#define GOALSYNC_CORE_PLAN_STATE_PAGES_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "goalsync/v1/plan_service.pb.h"
#include "goalsync/v1/state.pb.h"

namespace goalsync::core {

class StatePager {
 public:
  explicit StatePager(std::shared_ptr<const goalsync::v1::PlanState> plan);

  // The page after `cursor` (a default cursor: the first page), of at most `max_bytes`
  // serialized bytes unless a single item is larger (a page always holds at least one item
  // while any is left). *next is the cursor of the following page; *done is set on the last.
  goalsync::v1::PlanState Page(const goalsync::v1::StatePageCursor& cursor, size_t max_bytes,
                               goalsync::v1::StatePageCursor* next, bool* done) const;

  const goalsync::v1::PlanState& plan() const { return *plan_; }

 private:
  std::shared_ptr<const goalsync::v1::PlanState> plan_;
  std::vector<const std::string*> goal_ids_, change_request_ids_, review_ids_;
};

// Adds the items of `page` to `plan` (which must be at the same seq, or empty).
// INVALID_ARGUMENT if the page is of another workspace or seq.
absl::Status MergeStatePage(goalsync::v1::PlanState page, goalsync::v1::PlanState* plan);

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_PLAN_STATE_PAGES_H_
