// The alignment tree of a plan: children and subtrees of a goal, archived goals left out,
// in id order so that every walk is deterministic. Pure.
#ifndef GOALSYNC_CORE_PLAN_TREE_H_
#define GOALSYNC_CORE_PLAN_TREE_H_

#include <string>
#include <vector>

#include "goalsync/v1/state.pb.h"

namespace goalsync::core {

// Live goals whose parent is `id`, by id.
std::vector<const goalsync::v1::Goal*> Children(const goalsync::v1::PlanState& state,
                                                const std::string& id);

// `root` (if it exists) and every live goal below it, depth-first: each goal, then the
// subtrees of its children in id order. Bounded by the number of goals, whatever the parent
// links say.
std::vector<const goalsync::v1::Goal*> Subtree(const goalsync::v1::PlanState& state,
                                               const std::string& root);

}  // namespace goalsync::core

#endif  // GOALSYNC_CORE_PLAN_TREE_H_
