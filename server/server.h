// Server: a running goalsyncd: the store, the event log and the gRPC endpoint.
//
// Used by main.cc and by tests that want a whole server in-process. Thread safety: Start and
// Shutdown from one thread; the running server serves from gRPC's threads.
#ifndef GOALSYNC_SERVER_SERVER_H_
#define GOALSYNC_SERVER_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "server/log/event_log.h"
#include "server/audit/checkpointer.h"
#include "server/auth/authenticator.h"
#include "server/auth/token_store.h"
#include "server/ops/health.h"
#include "server/ops/http_endpoint.h"
#include "server/ops/metrics.h"
#include "server/ops/ops_monitor.h"
#include "server/ops/request_log.h"
#include "server/service/admin_service.h"
#include "server/service/event_log_service.h"
#include "server/service/plan_service.h"
#include "server/store/backup.h"
#include "server/store/log_store.h"

namespace goalsync::server {

struct ServerOptions {
  // host:port to listen on. The default, loopback only, keeps a fresh install private; listen
  // on 0.0.0.0 (or a LAN address) only once authentication is set up. Port 0 picks a free one.
  std::string listen = "127.0.0.1:7411";
  StoreOptions store;
  EventLogOptions log;
  ServiceOptions service;
  // Largest request gRPC accepts, in bytes; larger ones get RESOURCE_EXHAUSTED and write
  // nothing. Raising it lets writers send bigger batches but lets each call hold that much
  // memory.
  int max_request_bytes = 4 << 20;
  // How long Shutdown waits for calls in progress (and for idle client connections to close)
  // before cancelling them. Appends take milliseconds; an append cancelled by the deadline
  // may still commit, and its writer's retry is deduplicated by event_id. Longer only
  // delays restarts while clients keep idle connections open.
  absl::Duration shutdown_grace = absl::Seconds(1);
  // Dev mode: no tokens, every caller may do everything and names its own actor. Refused
  // unless `listen` is a loopback address.
  bool insecure_no_auth = false;
  // Calls per second each token may make (0: no limit); beyond it, RESOURCE_EXHAUSTED with
  // the wait in the message.
  double rate_limit = 0;
  // PEM files of the server's certificate chain and private key: serve TLS only. Empty:
  // plaintext (fine on loopback; use TLS anywhere else).
  std::string tls_cert;
  std::string tls_key;
  CheckpointOptions checkpoints;
  // HOST:PORT of the plain-HTTP port for Prometheus (/metrics) and probes (/healthz,
  // /readyz). Empty: no such port, and no metrics are kept (the append path then skips
  // them). Anyone who reaches it reads the metrics: keep it on loopback or a private network.
  std::string metrics_listen;
  // The free-space reserve under which appends are refused (RESOURCE_EXHAUSTED).
  DiskGuardOptions disk;
  // Which requests the request log names (refused ones always; slow unary ones).
  RequestLogOptions request_log;
  // More gRPC services to serve on the same port (a replica group's, server/cluster/). Not
  // owned; must outlive the server.
  std::vector<grpc::Service*> extra_services;
  // In a replica group: the group's state for the metrics (leader, epoch, follower lag),
  // asked at each scrape; must be cheap and callable from any thread until Shutdown. Empty:
  // a single node, no cluster metrics.
  std::function<ClusterGauges()> cluster_gauges;
};

// Whether `listen` (host:port) is a loopback address (127.x.x.x, [::1], localhost).
bool IsLoopback(const std::string& listen);

class Server {
 public:
  // Opens the store and starts serving. FAILED_PRECONDITION / UNAVAILABLE with the store's
  // reason, or UNAVAILABLE if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options);
  // Shutdown()s.
  ~Server();

  // The port actually bound (useful with port 0).
  int port() const { return port_; }

  // Stops accepting calls, ends subscriptions (resumable UNAVAILABLE), lets appends in
  // progress finish and be acked, and closes the store. Idempotent.
  void Shutdown();

  // Blocks until Shutdown() has been called from another thread.
  void Wait() { grpc_server_->Wait(); }

  // The port of --metrics-listen (0 without one).
  int metrics_port() const { return http_ != nullptr ? http_->port() : 0; }
  Health& health() { return health_; }
  // The append path and the store, for a replica group's node (server/cluster/).
  EventLog& event_log() { return *log_; }
  LogStore& store() { return *store_; }

  // An online backup into `to` (backup.h). One at a time: UNAVAILABLE while another runs.
  absl::StatusOr<BackupResult> Backup(const std::string& to);
  // The same on a thread of its own (a backup takes seconds: no gRPC thread waits for it);
  // `done` runs there. Shutdown waits for it.
  void StartBackup(const std::string& to,
                   absl::AnyInvocable<void(absl::StatusOr<BackupResult>) &&> done);

 private:
  Server() = default;

  // Wires the metrics, health and disk guard to the store and the log (Start's helper).
  absl::Status StartOps();
  void RefreshGauges();

  ServerOptions options_;
  Health health_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<OpsMonitor> monitor_;
  std::unique_ptr<HttpEndpoint> http_;
  absl::Mutex backup_mu_;
  absl::Mutex backup_thread_mu_;
  std::thread backup_thread_ ABSL_GUARDED_BY(backup_thread_mu_);
  bool backup_running_ ABSL_GUARDED_BY(backup_thread_mu_) = false;
  bool backups_closed_ ABSL_GUARDED_BY(backup_thread_mu_) = false;
  std::unique_ptr<LogStore> store_;
  std::unique_ptr<TokenStore> tokens_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<AdminService> admin_service_;
  std::unique_ptr<Checkpointer> checkpointer_;
  std::unique_ptr<AuditService> audit_service_;
  std::unique_ptr<EventLog> log_;
  std::unique_ptr<EventLogService> service_;
  std::unique_ptr<PlanService> plan_service_;
  std::unique_ptr<grpc::Server> grpc_server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_SERVER_H_
