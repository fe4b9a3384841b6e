#include "server/ops/ops_monitor.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "spdlog/spdlog.h"

namespace goalsync::server {

void OpsMonitor::SetFreeSpaceSource(std::function<absl::StatusOr<uint64_t>()> free_space) {
  absl::MutexLock lock(&mu_);
  free_space_ = std::move(free_space);
  checked_ = absl::InfinitePast();
}

absl::Status OpsMonitor::Admit() {
  if (disk_.min_free_bytes == 0) return absl::OkStatus();
  absl::MutexLock lock(&mu_);
  if (absl::Now() - checked_ >= disk_.recheck) RecheckDisk();
  return disk_status_;
}

void OpsMonitor::RecheckDisk() {
  checked_ = absl::Now();
  if (!free_space_) return;
  absl::StatusOr<uint64_t> free = free_space_();
  // A file system that cannot say how full it is is not refused for it: the write itself
  // will tell.
  if (!free.ok()) return;
  if (metrics_ != nullptr) metrics_->disk_free_bytes().Set(static_cast<double>(*free));
  const bool full = *free < disk_.min_free_bytes;
  const bool was_full = !disk_status_.ok();
  if (full) {
    disk_status_ = absl::ResourceExhaustedError(absl::StrCat(
        "disk full: goalsyncd's data dir has ", *free >> 20, " MiB free, below the "
        "--min-free-disk-mb reserve of ", disk_.min_free_bytes >> 20,
        " MiB; appends are refused until space is freed (reads go on); retry later"));
  } else {
    disk_status_ = absl::OkStatus();
  }
  if (full == was_full) return;
  if (full) {
    spdlog::warn("{}", std::string(disk_status_.message()));
  } else {
    spdlog::info("disk space is back ({} MiB free): appends are taken again", *free >> 20);
  }
  health_.SetDiskFull(full, disk_status_);
  if (metrics_ != nullptr) metrics_->disk_full().Set(full ? 1 : 0);
}

void OpsMonitor::OnGroupWritten(absl::Duration write, size_t events, const absl::Status& status) {
  if (metrics_ != nullptr) metrics_->ObserveGroupWrite(write, events, status.ok());
  if (status.ok()) return;
  // The EventLog logs the failure itself, once; here it only shows in health and metrics.
  health_.SetAppendsStopped(absl::UnavailableError(absl::StrCat(
      "appends stopped after a failed write (restart goalsyncd once the disk is fixed): ",
      status.message())));
  if (metrics_ != nullptr) metrics_->appends_stopped().Set(1);
}

void OpsMonitor::OnGroupStaged(absl::Duration apply, size_t /*requests*/) {
  if (metrics_ != nullptr) metrics_->ObserveKernelApply(apply);
}

void OpsMonitor::OnAppendDone(absl::string_view rpc, absl::Duration elapsed,
                              const absl::StatusOr<goalsync::v1::AppendResponse>& result) {
  if (metrics_ == nullptr) return;
  size_t fresh = 0;
  if (result.ok()) {
    for (const auto& r : result->results()) fresh += r.duplicate() ? 0 : 1;
  }
  metrics_->ObserveAppend(rpc, elapsed, result.status(), fresh);
}

void OpsMonitor::OnSubscriberStarted() {
  if (metrics_ != nullptr) metrics_->SubscriberStarted();
}

void OpsMonitor::OnSubscriberEnded() {
  if (metrics_ != nullptr) metrics_->SubscriberEnded();
}

void OpsMonitor::OnSubscriberLag(size_t queued) {
  if (metrics_ != nullptr) metrics_->ObserveSubscriberLag(queued);
}

}  // namespace goalsync::server
