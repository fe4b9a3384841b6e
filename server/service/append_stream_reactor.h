// AppendStreamReactor: one EventLog.AppendStream call.
//
// Reads requests as fast as the client sends them, up to `max_in_flight` not yet acked
// (then it stops reading until acks catch up, which pushes back on the client through
// gRPC flow control). Acks go out in request order; acks that are ready while a write is in
// progress are sent together in the next message.
//
// Lifetime: gRPC owns the reactor; it deletes itself in OnDone. It calls Finish only once no
// append is pending in the EventLog, so the EventLog's callbacks never outlive it.
#ifndef GOALSYNC_SERVER_SERVICE_APPEND_STREAM_REACTOR_H_
#define GOALSYNC_SERVER_SERVICE_APPEND_STREAM_REACTOR_H_

#include <deque>
#include <functional>
#include <memory>
#include <optional>

#include "absl/synchronization/mutex.h"
#include "goalsync/v1/log.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "server/log/event_log.h"

namespace goalsync::server {

class AppendStreamReactor
    : public grpc::ServerBidiReactor<goalsync::v1::AppendStreamRequest,
                                     goalsync::v1::AppendStreamResponse> {
 public:
  // `authorize` says, for each request's workspace, who writes (or why not).
  using Authorize = std::function<absl::StatusOr<std::optional<Writer>>(const std::string& workspace)>;
  AppendStreamReactor(EventLog& log, size_t max_in_flight, Authorize authorize);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone() override { delete this; }

 private:
  void StartNextRead();
  void Submit(std::unique_ptr<goalsync::v1::AppendStreamRequest> request);
  void Complete(uint64_t index, goalsync::v1::AppendAck ack);
  // Starts a write or finishes the call if there is nothing left to do. Takes the lock.
  void Flush();

  EventLog& log_;
  const size_t max_in_flight_;
  const Authorize authorize_;
  std::unique_ptr<goalsync::v1::AppendStreamRequest> reading_;

  absl::Mutex mu_;
  // Acks by request index; slots_[0] is request `first_slot_`. A prefix of filled slots is
  // moved to out_ in order.
  std::deque<std::optional<goalsync::v1::AppendAck>> slots_ ABSL_GUARDED_BY(mu_);
  uint64_t first_slot_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t next_index_ ABSL_GUARDED_BY(mu_) = 0;
  goalsync::v1::AppendStreamResponse out_ ABSL_GUARDED_BY(mu_);
  goalsync::v1::AppendStreamResponse writing_msg_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool read_paused_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool broken_ ABSL_GUARDED_BY(mu_) = false;  // a write failed: the client is gone
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_SERVICE_APPEND_STREAM_REACTOR_H_
