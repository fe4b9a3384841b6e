// app SERVER REPLICA_DIR: records a goal offline, syncs it, prints the confirmed seq.
#include <iostream>

#include "goalsync/replica.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: app SERVER REPLICA_DIR\n";
    return 2;
  }
  auto replica = goalsync::client::Replica::Open(
      {.dir = argv[2], .server = argv[1], .workspace = "outside", .actor = "app"});
  if (!replica.ok()) {
    std::cerr << replica.status() << "\n";
    return 1;
  }
  goalsync::v1::GoalCreated goal;
  goal.set_goal_id("grow");
  goal.set_level(goalsync::v1::GOAL_LEVEL_COMPANY);
  goal.set_statement("Grow");
  if (absl::Status s = (*replica)->CreateGoal(goal); !s.ok()) {
    std::cerr << s << "\n";
    return 1;
  }
  absl::StatusOr<goalsync::client::SyncReport> r = (*replica)->Sync();
  if (!r.ok()) {
    std::cerr << r.status() << "\n";
    return 1;
  }
  std::cout << "confirmed seq " << r->head << " pushed " << r->pushed << "\n";
  return 0;
}
