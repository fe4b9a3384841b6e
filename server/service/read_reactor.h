// ReadReactor: one EventLog.Read call. Sends committed events a page per message, from
// from_seq up to the head as it was when the call started (or `limit` events), then ends OK.
#ifndef GOALSYNC_SERVER_SERVICE_READ_REACTOR_H_
#define GOALSYNC_SERVER_SERVICE_READ_REACTOR_H_

#include <vector>

#include "goalsync/v1/log.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "server/log/event_log.h"

namespace goalsync::server {

class ReadReactor : public grpc::ServerWriteReactor<goalsync::v1::ReadResponse> {
 public:
  static constexpr size_t kPageEvents = 512;

  // Reads `ws` from `from_seq` (1 if 0) for `limit` events (all if 0); as stored bytes if
  // `encoded`.
  ReadReactor(EventLog& log, Workspace& ws, uint64_t from_seq, uint64_t limit,
              bool encoded = false);

  void OnWriteDone(bool ok) override;
  void OnDone() override { delete this; }

 private:
  void SendNextPage();

  EventLog& log_;
  Workspace& ws_;
  uint64_t next_seq_;
  uint64_t last_seq_;  // inclusive end
  const bool encoded_;
  goalsync::v1::ReadResponse msg_;
  std::vector<goalsync::v1::Event> page_;
  std::vector<std::string> encoded_page_;
};

// A streaming reactor that only finishes with an error status; for calls refused at start.
template <typename Response>
class RefusedWriter : public grpc::ServerWriteReactor<Response> {
 public:
  explicit RefusedWriter(const grpc::Status& status) { this->Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_SERVICE_READ_REACTOR_H_
