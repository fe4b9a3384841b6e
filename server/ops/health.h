// Health: what goalsyncd says about itself to probes, in one place.
//
//   live  (/healthz): the process serves (reads at least). False only while shutting down.
//   ready (/readyz):  it also takes appends. Not ready while appends are stopped after a
//                     failed write (until restart), while the data dir's disk is below its
//                     free-space reserve (until space is freed), or while shutting down.
// gRPC health (grpc.health.v1.Health) answers the same per service name: "" (the whole
// server) follows `live`; "goalsync.v1.EventLog" follows `ready` (its appends are what stop);
// the other goalsync services follow `live`.
//
// Thread safety: every method may be called from any thread.
#ifndef GOALSYNC_SERVER_OPS_HEALTH_H_
#define GOALSYNC_SERVER_OPS_HEALTH_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/health_check_service_interface.h"

namespace goalsync::server {

class Health {
 public:
  // The gRPC service names goalsyncd serves, each answered by gRPC health.
  static const std::vector<std::string>& ServiceNames();

  // Publishes every status to `grpc_health` (the server's, after BuildAndStart) from now on.
  // `grpc_health` must outlive this Health or be detached with Attach(nullptr).
  void Attach(grpc::HealthCheckServiceInterface* grpc_health);

  // Appends stopped for good (until restart) because of `why`.
  void SetAppendsStopped(const absl::Status& why);
  // The disk is below (or back above) its free-space reserve; `why` says how far.
  void SetDiskFull(bool full, const absl::Status& why);
  void SetShuttingDown();

  bool Live() const;
  // OK when ready, else why not (the first reason that holds).
  absl::Status Ready() const;

 private:
  void PublishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status ReadyLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  grpc::HealthCheckServiceInterface* grpc_health_ ABSL_GUARDED_BY(mu_) = nullptr;
  absl::Status appends_stopped_ ABSL_GUARDED_BY(mu_);
  absl::Status disk_full_ ABSL_GUARDED_BY(mu_);
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_OPS_HEALTH_H_
