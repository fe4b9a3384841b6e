#include "server/service/event_log_service.h"

#include "core/envelope.h"
#include "server/service/append_stream_reactor.h"
#include "server/service/read_reactor.h"
#include "server/service/status_map.h"
#include "server/service/subscribe_reactor.h"

namespace goalsync::server {

using namespace goalsync::v1;  // NOLINT: the generated message types

namespace {

// The workspace a streaming read names, or the status to refuse the call with.
absl::StatusOr<Workspace*> ResolveWorkspace(EventLog& log, const std::string& name) {
  if (absl::Status s = core::ValidateWorkspaceName(name); !s.ok()) return s;
  return log.GetWorkspace(name);
}

}  // namespace

grpc::ServerUnaryReactor* EventLogService::Append(grpc::CallbackServerContext* ctx,
                                                  const AppendRequest* request,
                                                  AppendResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<Principal> who = auth_.Check(*ctx, request->workspace(), core::Action::kAppend);
  if (!who.ok()) {
    reactor->Finish(ToGrpcStatus(who.status()));
    return reactor;
  }
  log_.Append(*request, ObserveAppend(log_.options().observer, "Append",
                                       [reactor, response](absl::StatusOr<AppendResponse> result) {
    if (result.ok()) *response = std::move(*result);
    reactor->Finish(ToGrpcStatus(result.status()));
  }), who->writer());
  return reactor;
}

grpc::ServerBidiReactor<AppendStreamRequest, AppendStreamResponse>*
EventLogService::AppendStream(grpc::CallbackServerContext* ctx) {
  return new AppendStreamReactor(
      log_, options_.stream_max_in_flight,
      [this, ctx](const std::string& ws) -> absl::StatusOr<std::optional<Writer>> {
        absl::StatusOr<Principal> who = auth_.Check(*ctx, ws, core::Action::kAppend);
        if (!who.ok()) return who.status();
        return who->writer();
      });
}

grpc::ServerWriteReactor<ReadResponse>* EventLogService::Read(grpc::CallbackServerContext* ctx,
                                                              const ReadRequest* request) {
  if (absl::StatusOr<Principal> who = auth_.Check(*ctx, request->workspace(), core::Action::kRead);
      !who.ok()) {
    return new RefusedWriter<ReadResponse>(ToGrpcStatus(who.status()));
  }
  absl::StatusOr<Workspace*> ws = ResolveWorkspace(log_, request->workspace());
  if (!ws.ok()) return new RefusedWriter<ReadResponse>(ToGrpcStatus(ws.status()));
  return new ReadReactor(log_, **ws, request->from_seq(), request->limit(), request->encoded());
}

grpc::ServerWriteReactor<SubscribeResponse>* EventLogService::Subscribe(
    grpc::CallbackServerContext* ctx, const SubscribeRequest* request) {
  if (absl::StatusOr<Principal> who = auth_.Check(*ctx, request->workspace(), core::Action::kRead);
      !who.ok()) {
    return new RefusedWriter<SubscribeResponse>(ToGrpcStatus(who.status()));
  }
  absl::StatusOr<Workspace*> ws = ResolveWorkspace(log_, request->workspace());
  if (!ws.ok()) return new RefusedWriter<SubscribeResponse>(ToGrpcStatus(ws.status()));
  return new SubscribeReactor(log_, **ws, request->from_seq(), options_.subscriber_buffer);
}

grpc::ServerUnaryReactor* EventLogService::Head(grpc::CallbackServerContext* ctx,
                                                const HeadRequest* request,
                                                HeadResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  if (absl::StatusOr<Principal> who = auth_.Check(*ctx, request->workspace(), core::Action::kRead);
      !who.ok()) {
    reactor->Finish(ToGrpcStatus(who.status()));
    return reactor;
  }
  absl::StatusOr<HeadResponse> head = log_.Head(request->workspace());
  if (head.ok()) *response = std::move(*head);
  reactor->Finish(ToGrpcStatus(head.status()));
  return reactor;
}

}  // namespace goalsync::server
