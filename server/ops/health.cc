#include "server/ops/health.h"

namespace goalsync::server {

const std::vector<std::string>& Health::ServiceNames() {
  static const std::vector<std::string>* names = new std::vector<std::string>{
      "goalsync.v1.EventLog", "goalsync.v1.PlanService", "goalsync.v1.Admin",
      "goalsync.v1.Audit"};
  return *names;
}

void Health::Attach(grpc::HealthCheckServiceInterface* grpc_health) {
  absl::MutexLock lock(&mu_);
  grpc_health_ = grpc_health;
  PublishLocked();
}

void Health::SetAppendsStopped(const absl::Status& why) {
  absl::MutexLock lock(&mu_);
  if (appends_stopped_.ok()) appends_stopped_ = why;
  PublishLocked();
}

void Health::SetDiskFull(bool full, const absl::Status& why) {
  absl::MutexLock lock(&mu_);
  disk_full_ = full ? why : absl::OkStatus();
  PublishLocked();
}

void Health::SetShuttingDown() {
  absl::MutexLock lock(&mu_);
  shutting_down_ = true;
  // gRPC's own Shutdown sets every service NOT_SERVING; the probes' side follows Live().
}

bool Health::Live() const {
  absl::MutexLock lock(&mu_);
  return !shutting_down_;
}

absl::Status Health::Ready() const {
  absl::MutexLock lock(&mu_);
  return ReadyLocked();
}

absl::Status Health::ReadyLocked() const {
  if (shutting_down_) return absl::UnavailableError("goalsyncd is shutting down");
  if (!appends_stopped_.ok()) return appends_stopped_;
  return disk_full_;
}

void Health::PublishLocked() {
  if (grpc_health_ == nullptr || shutting_down_) return;
  const bool ready = ReadyLocked().ok();
  grpc_health_->SetServingStatus("", true);
  for (const std::string& name : ServiceNames()) {
    grpc_health_->SetServingStatus(name, name == "goalsync.v1.EventLog" ? ready : true);
  }
}

}  // namespace goalsync::server
