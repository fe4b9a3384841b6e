#include "server/server.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "spdlog/spdlog.h"

namespace goalsync::server {

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
  std::unique_ptr<Server> server(new Server());
  server->options_ = options;
  absl::StatusOr<std::unique_ptr<LogStore>> store = LogStore::Open(options.store);
  if (!store.ok()) return store.status();
  server->store_ = std::move(*store);
  server->log_ = std::make_unique<EventLog>(*server->store_, options.log);
  server->service_ = std::make_unique<EventLogService>(*server->log_, options.service);
  server->plan_service_ = std::make_unique<PlanService>(*server->log_);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &server->port_);
  builder.SetMaxReceiveMessageSize(options.max_request_bytes);
  builder.RegisterService(server->service_.get());
  builder.RegisterService(server->plan_service_.get());
  server->grpc_server_ = builder.BuildAndStart();
  if (server->grpc_server_ == nullptr || server->port_ == 0) {
    server->grpc_server_.reset();
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen,
                     ": the address is in use or not local (see --listen)"));
  }
  return server;
}

Server::~Server() { Shutdown(); }

void Server::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  if (grpc_server_ != nullptr) {
    // Subscriptions never end on their own: end them first, so that the grace period is
    // spent only on appends and reads in progress.
    log_->CloseSubscribers();
    grpc_server_->Shutdown(absl::ToChronoTime(absl::Now() + options_.shutdown_grace));
  }
  if (log_ != nullptr) log_->Stop();  // commits and acks whatever was queued
  grpc_server_.reset();
  plan_service_.reset();
  service_.reset();
  log_.reset();
  store_.reset();  // closes RocksDB
}

}  // namespace goalsync::server
