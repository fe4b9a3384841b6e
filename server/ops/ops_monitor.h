// OpsMonitor: the LogObserver goalsyncd runs with. It feeds the metrics (if any), keeps
// Health up to date, and guards the disk: while the data dir's file system has less free
// space than the reserve, appends are refused with RESOURCE_EXHAUSTED before anything is
// staged, so that RocksDB never meets a full disk in the middle of a write (a failed write
// stops appends until restart); they are taken again as soon as space is free.
//
// Thread safety: every method may be called from any thread.
#ifndef GOALSYNC_SERVER_OPS_OPS_MONITOR_H_
#define GOALSYNC_SERVER_OPS_OPS_MONITOR_H_

#include <cstdint>
#include <functional>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/ops/health.h"
#include "server/ops/log_observer.h"
#include "server/ops/metrics.h"

namespace goalsync::server {

struct DiskGuardOptions {
  // Appends are refused while fewer bytes than this are free (0: never refused for space).
  uint64_t min_free_bytes = 256ull << 20;
  // The free space is asked of the file system at most this often; appends in between use
  // the last answer. Shorter notices freed space sooner and costs a statvfs per interval.
  absl::Duration recheck = absl::Milliseconds(250);
};

class OpsMonitor final : public LogObserver {
 public:
  // `metrics` may be null (no --metrics-listen); `health` must outlive this. `free_space`
  // answers the data dir's free bytes (LogStore::FreeSpace) and must be safe to call from
  // any thread; it is set later, once the store is open (until then nothing is refused).
  OpsMonitor(Metrics* metrics, Health& health, DiskGuardOptions disk)
      : metrics_(metrics), health_(health), disk_(disk) {}

  void SetFreeSpaceSource(std::function<absl::StatusOr<uint64_t>()> free_space);

  absl::Status Admit() override;
  void OnGroupWritten(absl::Duration write, size_t events, const absl::Status& status) override;
  void OnGroupStaged(absl::Duration apply, size_t requests) override;
  void OnAppendDone(absl::string_view rpc, absl::Duration elapsed,
                    const absl::StatusOr<goalsync::v1::AppendResponse>& result) override;
  void OnSubscriberStarted() override;
  void OnSubscriberEnded() override;
  void OnSubscriberLag(size_t queued) override;

 private:
  // Asks the file system again if the last answer is older than disk_.recheck.
  void RecheckDisk() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  Metrics* const metrics_;
  Health& health_;
  const DiskGuardOptions disk_;

  absl::Mutex mu_;
  std::function<absl::StatusOr<uint64_t>()> free_space_ ABSL_GUARDED_BY(mu_);
  absl::Time checked_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  absl::Status disk_status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_OPS_OPS_MONITOR_H_
