#include "core/plan/tree.h"

#include <algorithm>
#include <map>
#include <set>

namespace goalsync::core {

using goalsync::v1::Goal;
using goalsync::v1::PlanState;

std::vector<const Goal*> Children(const PlanState& state, const std::string& id) {
  std::vector<const Goal*> out;
  for (const auto& [child_id, g] : state.goals()) {
    if (g.parent_id() == id && !g.archived()) out.push_back(&g);
  }
  std::sort(out.begin(), out.end(), [](const Goal* a, const Goal* b) { return a->id() < b->id(); });
  return out;
}

std::vector<const Goal*> Subtree(const PlanState& state, const std::string& root) {
  auto it = state.goals().find(root);
  if (it == state.goals().end()) return {};
  // One pass to index children by parent, instead of a scan per goal.
  std::map<std::string, std::vector<const Goal*>> by_parent;
  for (const auto& [id, g] : state.goals()) {
    if (!g.archived() && !g.parent_id().empty()) by_parent[g.parent_id()].push_back(&g);
  }
  for (auto& [parent, kids] : by_parent) {
    std::sort(kids.begin(), kids.end(), [](const Goal* a, const Goal* b) { return a->id() < b->id(); });
  }
  // Depth-first, pre-order: each goal, then its children's subtrees in id order, so that a
  // goal's descendants come right after it (a team's people before the next team).
  std::vector<const Goal*> order;
  std::vector<const Goal*> stack = {&it->second};
  std::set<const Goal*> seen;
  while (!stack.empty() && order.size() < static_cast<size_t>(state.goals_size())) {
    const Goal* g = stack.back();
    stack.pop_back();
    if (!seen.insert(g).second) continue;  // a cycle in the parent links
    order.push_back(g);
    auto kids = by_parent.find(g->id());
    if (kids != by_parent.end()) stack.insert(stack.end(), kids->second.rbegin(), kids->second.rend());
  }
  return order;
}

}  // namespace goalsync::core
