#include "cli/ui/change_feed.h"

namespace goalsync::cli::ui {

void ChangeFeed::Bump() {
  absl::MutexLock lock(&mu_);
  ++version_;
}

uint64_t ChangeFeed::version() const {
  absl::MutexLock lock(&mu_);
  return version_;
}

uint64_t ChangeFeed::WaitPast(uint64_t seen, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  auto moved = [this, seen]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return version_ > seen || closed_;
  };
  mu_.AwaitWithTimeout(absl::Condition(&moved), timeout);
  return version_;
}

void ChangeFeed::Close() {
  absl::MutexLock lock(&mu_);
  closed_ = true;
}

bool ChangeFeed::closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

}  // namespace goalsync::cli::ui
