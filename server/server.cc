#include "server/server.h"
#include "server/service/reflection_v1_service.h"
#include "server/service/request_guard.h"

#include <unistd.h>

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

// The process's resident set (/proc/self/statm), 0 if unreadable.
uint64_t ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0, resident = 0;
  if (!(statm >> pages >> resident)) return 0;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
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
  if (!options.metrics_listen.empty()) server->metrics_ = std::make_unique<Metrics>();
  server->monitor_ =
      std::make_unique<OpsMonitor>(server->metrics_.get(), server->health_, options.disk);
  server->options_.log.observer = server->monitor_.get();
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
  server->log_ = std::make_unique<EventLog>(*server->store_, server->options_.log);
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
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(NewRequestGuard());  // first: the request log sees its status
  interceptors.push_back(NewRequestLog(server->tokens_.get(), options.request_log));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.SetOption(ReflectionV1Option());  // v1 beside libgrpc++'s v1alpha
  builder.AddListeningPort(options.listen, credentials, &server->port_);
  builder.SetMaxReceiveMessageSize(options.max_request_bytes);
  builder.RegisterService(server->service_.get());
  builder.RegisterService(server->plan_service_.get());
  builder.RegisterService(server->admin_service_.get());
  builder.RegisterService(server->audit_service_.get());
  for (grpc::Service* extra : options.extra_services) builder.RegisterService(extra);
  server->grpc_server_ = builder.BuildAndStart();
  if (server->grpc_server_ == nullptr || server->port_ == 0) {
    server->grpc_server_.reset();
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen,
                     ": the address is in use or not local (see --listen)"));
  }
  if (absl::Status s = server->StartOps(); !s.ok()) return s;
  return server;
}

absl::Status Server::StartOps() {
  LogStore* store = store_.get();
  monitor_->SetFreeSpaceSource([store] { return store->FreeSpace(); });
  health_.Attach(grpc_server_->GetHealthCheckService());
  admin_service_->set_backup([this](const std::string& to, AdminService::BackupDone done) {
    StartBackup(to, std::move(done));
  });
  if (metrics_ == nullptr) return absl::OkStatus();
  metrics_->SetScrapeHook([this] { RefreshGauges(); });
  absl::StatusOr<std::unique_ptr<HttpEndpoint>> http =
      HttpEndpoint::Start(options_.metrics_listen, *metrics_, health_);
  if (!http.ok()) return http.status();
  http_ = std::move(*http);
  return absl::OkStatus();
}

void Server::RefreshGauges() {
  metrics_->workspaces_loaded().Set(static_cast<double>(log_->LoadedWorkspaces()));
  metrics_->resident_memory_bytes().Set(static_cast<double>(ResidentBytes()));
  if (options_.cluster_gauges) metrics_->SetCluster(options_.cluster_gauges());
  constexpr const char* kSize[] = {"rocksdb.total-sst-files-size", "rocksdb.cur-size-all-mem-tables"};
  for (int f = LogStore::kLog; f < LogStore::kFamilyCount; ++f) {
    const auto family = static_cast<LogStore::Family>(f);
    const double bytes = static_cast<double>(store_->FamilyProperty(family, kSize[0]) +
                                             store_->FamilyProperty(family, kSize[1]));
    metrics_->family_bytes(LogStore::FamilyName(family)).Set(bytes);
    if (family == LogStore::kSnapshots) metrics_->snapshot_bytes().Set(bytes);
  }
  metrics_->live_data_bytes().Set(
      static_cast<double>(store_->TotalProperty("rocksdb.estimate-live-data-size")));
  metrics_->pending_compaction_bytes().Set(
      static_cast<double>(store_->TotalProperty("rocksdb.estimate-pending-compaction-bytes")));
}

void Server::StartBackup(const std::string& to,
                         absl::AnyInvocable<void(absl::StatusOr<BackupResult>) &&> done) {
  absl::Status refused;
  {
    absl::MutexLock lock(&backup_thread_mu_);
    if (backups_closed_) {
      refused = absl::UnavailableError("goalsyncd is shutting down");
    } else if (backup_running_) {
      refused = absl::UnavailableError("another backup is running: retry when it has finished");
    } else {
      if (backup_thread_.joinable()) backup_thread_.join();  // finished: returns at once
      backup_running_ = true;
      backup_thread_ = std::thread([this, to, done = std::move(done)]() mutable {
        absl::StatusOr<BackupResult> result = Backup(to);
        {
          absl::MutexLock lock(&backup_thread_mu_);
          backup_running_ = false;
        }
        std::move(done)(std::move(result));
      });
      return;
    }
  }
  std::move(done)(refused);
}

absl::StatusOr<BackupResult> Server::Backup(const std::string& to) {
  if (!backup_mu_.TryLock()) {
    return absl::UnavailableError("another backup is running: retry when it has finished");
  }
  BackupSources sources;
  sources.log = &store_->db();
  sources.checkpoints = &checkpointer_->db();
  sources.auth = tokens_ != nullptr ? &tokens_->db() : nullptr;
  sources.signing_key_file = options_.checkpoints.key_file.empty()
                                 ? options_.store.dir + "/checkpoint-key.pem"
                                 : options_.checkpoints.key_file;
  absl::StatusOr<BackupResult> result = CreateBackup(sources, to);
  backup_mu_.Unlock();
  if (metrics_ != nullptr) {
    metrics_->ObserveBackup(result.ok() ? result->took : absl::ZeroDuration(),
                            result.ok() ? result->copied_bytes : 0, result.ok());
  }
  if (result.ok()) {
    spdlog::info("backup {} into {}: {} bytes, {} copied, {}", result->backup_id, to,
                 result->total_bytes, result->copied_bytes, absl::FormatDuration(result->took));
  } else {
    spdlog::error("backup into {} failed: {}", to, result.status().ToString());
  }
  return result;
}

Server::~Server() { Shutdown(); }

void Server::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  health_.SetShuttingDown();
  {
    absl::MutexLock lock(&backup_thread_mu_);  // no new backup starts
    backups_closed_ = true;
  }
  {
    // One running ends first (its thread takes backup_thread_mu_ at its end: join unlocked).
    std::thread running;
    {
      absl::MutexLock lock(&backup_thread_mu_);
      running = std::move(backup_thread_);
    }
    if (running.joinable()) running.join();
  }
  if (grpc_server_ != nullptr) {
    // Subscriptions never end on their own: end them first, so that the grace period is
    // spent only on appends and reads in progress.
    log_->CloseSubscribers();
    grpc_server_->Shutdown(absl::ToChronoTime(absl::Now() + options_.shutdown_grace));
  }
  if (log_ != nullptr) log_->Stop();  // commits and acks whatever was queued
  http_.reset();  // its scrapes read the log and the store
  health_.Attach(nullptr);
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
