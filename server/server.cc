#include "server/server.h"

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "spdlog/spdlog.h"

namespace goalsync::server {

bool IsLoopback(const std::string& listen) {
  const std::string host = listen.substr(0, listen.rfind(':'));
  return absl::StartsWith(host, "127.") || host == "[::1]" || host == "localhost" ||
         host == "ipv6:[::1]";
}

namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read the TLS ", what, " ", path));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
  std::unique_ptr<Server> server(new Server());
  server->options_ = options;
  if (options.insecure_no_auth && !IsLoopback(options.listen)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "--insecure-no-auth serves only on a loopback address, not ", options.listen,
        ": create tokens (goalsyncd token create) and drop the flag"));
  }
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    absl::StatusOr<std::string> cert = ReadPem(options.tls_cert, "certificate");
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadPem(options.tls_key, "key");
    if (!key.ok()) return key.status();
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back({*key, *cert});
    credentials = grpc::SslServerCredentials(ssl);
  }
  absl::StatusOr<std::unique_ptr<LogStore>> store = LogStore::Open(options.store);
  if (!store.ok()) return store.status();
  server->store_ = std::move(*store);
  if (!options.insecure_no_auth) {
    absl::StatusOr<std::unique_ptr<TokenStore>> tokens =
        TokenStore::Open(options.store.dir + "/auth");
    if (!tokens.ok()) return tokens.status();
    server->tokens_ = std::move(*tokens);
  }
  server->auth_ = std::make_unique<Authenticator>(server->tokens_.get(), options.rate_limit);
  server->log_ = std::make_unique<EventLog>(*server->store_, options.log);
  server->service_ = std::make_unique<EventLogService>(*server->log_, *server->auth_, options.service);
  server->plan_service_ = std::make_unique<PlanService>(*server->log_, *server->auth_);
  server->admin_service_ = std::make_unique<AdminService>(server->tokens_.get(), *server->auth_);
  absl::StatusOr<std::unique_ptr<Checkpointer>> checkpointer =
      Checkpointer::Start(options.store.dir, *server->log_, options.checkpoints);
  if (!checkpointer.ok()) return checkpointer.status();
  server->checkpointer_ = std::move(*checkpointer);
  server->audit_service_ = std::make_unique<AuditService>(*server->checkpointer_, *server->auth_);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, credentials, &server->port_);
  builder.SetMaxReceiveMessageSize(options.max_request_bytes);
  builder.RegisterService(server->service_.get());
  builder.RegisterService(server->plan_service_.get());
  builder.RegisterService(server->admin_service_.get());
  builder.RegisterService(server->audit_service_.get());
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
  audit_service_.reset();
  checkpointer_.reset();  // signs the final heads
  grpc_server_.reset();
  plan_service_.reset();
  admin_service_.reset();
  service_.reset();
  log_.reset();
  auth_.reset();
  tokens_.reset();
  store_.reset();  // closes RocksDB
}

}  // namespace goalsync::server
