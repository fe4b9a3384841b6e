// ChangeFeed: a counter of "what the pages show has changed" that server-sent-event
// connections wait on. Bumped when the replica folds remote events (live mode), when a local
// edit is made, and when a watcher sees the outbox or the rejected list move (a push or a
// refusal).
//
// Thread safety: all methods may be called from any thread.
#ifndef GOALSYNC_CLI_UI_CHANGE_FEED_H_
#define GOALSYNC_CLI_UI_CHANGE_FEED_H_

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace goalsync::cli::ui {

class ChangeFeed {
 public:
  void Bump();
  uint64_t version() const;
  // Waits until the version is past `seen`, the feed is closed or `timeout` has passed;
  // returns the version then.
  uint64_t WaitPast(uint64_t seen, absl::Duration timeout) const;
  // Wakes every waiter for good (shutdown).
  void Close();
  bool closed() const;

 private:
  mutable absl::Mutex mu_;
  uint64_t version_ ABSL_GUARDED_BY(mu_) = 1;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace goalsync::cli::ui

#endif  // GOALSYNC_CLI_UI_CHANGE_FEED_H_
