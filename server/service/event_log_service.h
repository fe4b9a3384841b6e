// EventLogService: the goalsync.v1.EventLog gRPC service over an EventLog. Thin: it checks
// the request, hands it to the EventLog or a reactor, and translates statuses.
//
// Thread safety: gRPC calls it from its callback threads; it holds no state of its own.
#ifndef GOALSYNC_SERVER_SERVICE_EVENT_LOG_SERVICE_H_
#define GOALSYNC_SERVER_SERVICE_EVENT_LOG_SERVICE_H_

#include "goalsync/v1/log.grpc.pb.h"
#include "server/auth/authenticator.h"
#include "server/log/event_log.h"

namespace goalsync::server {

struct ServiceOptions {
  // Events a live subscriber may have queued before its stream is ended (resumable). Larger
  // tolerates slower readers at the cost of up to that many events of memory per subscriber.
  size_t subscriber_buffer = 8192;
  // Requests one AppendStream may have unacknowledged before the server stops reading it.
  size_t stream_max_in_flight = 1024;
};

class EventLogService final : public goalsync::v1::EventLog::CallbackService {
 public:
  EventLogService(EventLog& log, Authenticator& auth, ServiceOptions options)
      : log_(log), auth_(auth), options_(options) {}

  grpc::ServerUnaryReactor* Append(grpc::CallbackServerContext* ctx,
                                   const goalsync::v1::AppendRequest* request,
                                   goalsync::v1::AppendResponse* response) override;
  grpc::ServerBidiReactor<goalsync::v1::AppendStreamRequest, goalsync::v1::AppendStreamResponse>*
  AppendStream(grpc::CallbackServerContext* ctx) override;
  grpc::ServerWriteReactor<goalsync::v1::ReadResponse>* Read(
      grpc::CallbackServerContext* ctx, const goalsync::v1::ReadRequest* request) override;
  grpc::ServerWriteReactor<goalsync::v1::SubscribeResponse>* Subscribe(
      grpc::CallbackServerContext* ctx, const goalsync::v1::SubscribeRequest* request) override;
  grpc::ServerUnaryReactor* Head(grpc::CallbackServerContext* ctx,
                                 const goalsync::v1::HeadRequest* request,
                                 goalsync::v1::HeadResponse* response) override;

 private:
  EventLog& log_;
  Authenticator& auth_;
  const ServiceOptions options_;
};

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_SERVICE_EVENT_LOG_SERVICE_H_
