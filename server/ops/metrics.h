// Metrics: goalsyncd's Prometheus metrics (prometheus-cpp), named like etcd's. The list, with
// what each means, is in docs/operations.md; no label takes values that grow with users or
// workspaces (labels are rpc names, status codes and column families only).
//
// Values the append path pushes (histograms, counters) are recorded as they happen; values
// read from elsewhere (RocksDB properties, loaded workspaces) are refreshed by the scrape
// hook just before each scrape.
//
// Thread safety: every method may be called from any thread.
#ifndef GOALSYNC_SERVER_OPS_METRICS_H_
#define GOALSYNC_SERVER_OPS_METRICS_H_

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace goalsync::server {

// A replica group member's state, as the metrics show it (ClusterNode::Metrics).
struct ClusterGauges {
  bool leader = false;
  uint64_t epoch = 0;
  // While leading: each follower streaming from this node (node id) and the events it lacks.
  std::map<std::string, uint64_t> follower_lag;
};

class Metrics {
 public:
  Metrics();

  // Appends, as the services see them (OnAppendDone of LogObserver).
  void ObserveAppend(absl::string_view rpc, absl::Duration elapsed, const absl::Status& status,
                     size_t new_events);
  // One group commit's synced write, and how many new events it carried.
  void ObserveGroupWrite(absl::Duration write, size_t events, bool ok);
  void ObserveKernelApply(absl::Duration apply);
  void SubscriberStarted() { subscribers_->Increment(); }
  void SubscriberEnded() { subscribers_->Decrement(); }
  void ObserveSubscriberLag(size_t queued) { subscriber_lag_->Observe(static_cast<double>(queued)); }

  // Gauges refreshed by the scrape hook (or set when the state changes).
  prometheus::Gauge& workspaces_loaded() { return *workspaces_loaded_; }
  prometheus::Gauge& snapshot_bytes() { return *snapshot_bytes_; }
  prometheus::Gauge& live_data_bytes() { return *live_data_bytes_; }
  prometheus::Gauge& pending_compaction_bytes() { return *pending_compaction_bytes_; }
  prometheus::Gauge& family_bytes(absl::string_view family);
  prometheus::Gauge& appends_stopped() { return *appends_stopped_; }
  prometheus::Gauge& disk_full() { return *disk_full_; }
  prometheus::Gauge& disk_free_bytes() { return *disk_free_bytes_; }
  prometheus::Gauge& resident_memory_bytes() { return *resident_memory_bytes_; }
  // A backup finished (goalsyncd backup or the Admin rpc).
  void ObserveBackup(absl::Duration took, uint64_t bytes_copied, bool ok);
  // In a replica group: sets the leader, epoch and per-follower lag gauges (registered on the
  // first call: a single node exports none of them). A follower no longer listed loses its
  // series. The label is a node id, bounded by the group's size.
  void SetCluster(const ClusterGauges& cluster);

  // Runs just before every scrape, to refresh the gauges read from elsewhere. Set once,
  // before the first scrape.
  void SetScrapeHook(std::function<void()> hook);

  // Every metric, in Prometheus' text exposition format (version 0.0.4).
  std::string Text();

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Histogram>* append_duration_;
  // The two rpcs that append, looked up once (Family::Add takes a lock and a map lookup).
  prometheus::Histogram* append_unary_;
  prometheus::Histogram* append_stream_;
  prometheus::Family<prometheus::Counter>* refused_;
  prometheus::Family<prometheus::Gauge>* family_bytes_;
  prometheus::Counter* appended_;
  prometheus::Histogram* fsync_duration_;
  prometheus::Histogram* events_per_group_;
  prometheus::Counter* write_failures_;
  prometheus::Histogram* kernel_apply_;
  prometheus::Gauge* subscribers_;
  prometheus::Histogram* subscriber_lag_;
  prometheus::Gauge* workspaces_loaded_;
  prometheus::Gauge* snapshot_bytes_;
  prometheus::Gauge* live_data_bytes_;
  prometheus::Gauge* pending_compaction_bytes_;
  prometheus::Gauge* appends_stopped_;
  prometheus::Gauge* disk_full_;
  prometheus::Gauge* disk_free_bytes_;
  prometheus::Gauge* resident_memory_bytes_;
  prometheus::Histogram* backup_duration_;
  prometheus::Counter* backup_bytes_;
  prometheus::Family<prometheus::Counter>* backups_;
  absl::Mutex cluster_mu_;
  prometheus::Gauge* cluster_leader_ ABSL_GUARDED_BY(cluster_mu_) = nullptr;
  prometheus::Gauge* cluster_epoch_ ABSL_GUARDED_BY(cluster_mu_) = nullptr;
  prometheus::Family<prometheus::Gauge>* cluster_lag_ ABSL_GUARDED_BY(cluster_mu_) = nullptr;
  std::map<std::string, prometheus::Gauge*> cluster_lag_series_ ABSL_GUARDED_BY(cluster_mu_);

  absl::Mutex hook_mu_;
  std::function<void()> hook_ ABSL_GUARDED_BY(hook_mu_);
};

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_OPS_METRICS_H_
