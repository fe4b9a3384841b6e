// Append requests that tests build again and again.
#ifndef GOALSYNC_TESTS_SUPPORT_REQUESTS_H_
#define GOALSYNC_TESTS_SUPPORT_REQUESTS_H_

#include <string>
#include <vector>

#include "goalsync/v1/log.pb.h"

namespace goalsync::testing {

// A request for workspace `ws` that creates one team goal per id: event id `id`, goal
// "goal-<id>", statement "goal <id>" or `statement_bytes` bytes of 's'.
inline goalsync::v1::AppendRequest GoalCreations(const std::string& ws,
                                                 const std::vector<std::string>& ids,
                                                 size_t statement_bytes = 0) {
  goalsync::v1::AppendRequest req;
  req.set_workspace(ws);
  for (const std::string& id : ids) {
    goalsync::v1::Event* e = req.add_events();
    e->set_event_id(id);
    auto* g = e->mutable_payload()->mutable_goal_created();
    g->set_goal_id("goal-" + id);
    g->set_level(goalsync::v1::GOAL_LEVEL_TEAM);
    g->set_statement(statement_bytes > 0 ? std::string(statement_bytes, 's') : "goal " + id);
  }
  return req;
}

}  // namespace goalsync::testing

#endif  // GOALSYNC_TESTS_SUPPORT_REQUESTS_H_
