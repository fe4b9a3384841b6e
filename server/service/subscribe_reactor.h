// SubscribeReactor: one EventLog.Subscribe call.
//
// Catch-up: reads committed events from the store a page per message until it has sent
// everything committed, then registers itself as a live sink in the same critical section
// that checks it is caught up (EventLog::TryGoLive), so no event falls between the two.
// Live: the writer thread offers each committed group; events queue here, at most `buffer`; one
// write is in flight at a time, carrying everything queued. Past the buffer the call ends
// with RESOURCE_EXHAUSTED naming the seq to resume from.
//
// At most one thread "drives" the call at a time (holds driving_): it alone starts writes or
// finishes. Lifetime: gRPC owns the reactor and it deletes itself in OnDone; the sink it
// registers is a separate shared object that forwards to it while the call is live.
#ifndef GOALSYNC_SERVER_SERVICE_SUBSCRIBE_REACTOR_H_
#define GOALSYNC_SERVER_SERVICE_SUBSCRIBE_REACTOR_H_

#include <deque>
#include <memory>

#include "absl/synchronization/mutex.h"
#include "goalsync/v1/log.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "server/log/event_log.h"

namespace goalsync::server {

class SubscribeReactor : public grpc::ServerWriteReactor<goalsync::v1::SubscribeResponse> {
 public:
  // Events per message while catching up.
  static constexpr size_t kPageEvents = 512;

  SubscribeReactor(EventLog& log, Workspace& ws, uint64_t from_seq, size_t buffer);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  class Sink;

  // Sends the next message or finishes. Called only by the thread that holds driving_.
  void Drive();
  void DriveCatchUp();
  void DriveLive();
  void End(const grpc::Status& status);

  EventLog& log_;
  Workspace& ws_;
  const size_t buffer_;
  std::shared_ptr<Sink> sink_;
  goalsync::v1::SubscribeResponse msg_;
  bool live_ = false;  // owned by the driving thread
  std::vector<goalsync::v1::Event> page_;

  absl::Mutex mu_;
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_);  // first seq not yet handed to a write
  std::deque<EventPtr> queue_ ABSL_GUARDED_BY(mu_);
  bool driving_ ABSL_GUARDED_BY(mu_) = true;
  bool overflowed_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status closed_ ABSL_GUARDED_BY(mu_);
};

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_SERVICE_SUBSCRIBE_REACTOR_H_
