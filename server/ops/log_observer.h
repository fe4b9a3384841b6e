// LogObserver: what the append path tells the operations side (metrics, health, the disk
// guard), and the one question it asks it (may an append be taken now?).
//
// The EventLog holds a LogObserver* in its options (null: nobody listens, nothing is
// refused). Implementations must be cheap and must not block: they run on the stager, the
// writer and gRPC's threads, inside the append path.
//
// Thread safety: every method may be called from any thread, concurrently.
#ifndef GOALSYNC_SERVER_OPS_LOG_OBSERVER_H_
#define GOALSYNC_SERVER_OPS_LOG_OBSERVER_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "goalsync/v1/log.pb.h"

namespace goalsync::server {

class LogObserver {
 public:
  virtual ~LogObserver() = default;

  // OK if an append may be queued now; else the status to refuse it with, before anything
  // is staged (RESOURCE_EXHAUSTED while the data dir's disk is below its free-space reserve).
  virtual absl::Status Admit() = 0;

  // One group commit was written: its synced WriteBatch took `write` and carried `events`
  // new events. A non-OK `status` is the write's failure: the log has stopped appending.
  virtual void OnGroupWritten(absl::Duration write, size_t events, const absl::Status& status) = 0;

  // The stager validated and applied one group's requests with the kernel in `apply`.
  virtual void OnGroupStaged(absl::Duration apply, size_t requests) = 0;

  // One append request of `rpc` ("Append", "AppendStream") finished after `elapsed` in the
  // server, with `result`.
  virtual void OnAppendDone(absl::string_view rpc, absl::Duration elapsed,
                            const absl::StatusOr<goalsync::v1::AppendResponse>& result) = 0;

  // A live subscriber started or ended; a message to a live subscriber carried `queued`
  // events that had waited in its buffer (its lag behind the head, in events).
  virtual void OnSubscriberStarted() = 0;
  virtual void OnSubscriberEnded() = 0;
  virtual void OnSubscriberLag(size_t queued) = 0;
};

// `done` wrapped so that `observer` (if any) hears of the append's outcome and time.
template <typename Done>
auto ObserveAppend(LogObserver* observer, absl::string_view rpc, Done done) {
  return [observer, rpc, start = absl::Now(), done = std::move(done)](
             absl::StatusOr<goalsync::v1::AppendResponse> result) mutable {
    if (observer != nullptr) observer->OnAppendDone(rpc, absl::Now() - start, result);
    std::move(done)(std::move(result));
  };
}

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_OPS_LOG_OBSERVER_H_
