#include "server/ops/metrics.h"

#include <sstream>

#include "prometheus/text_serializer.h"

namespace goalsync::server {
namespace {

using prometheus::Histogram;

// `n` buckets from `start`, each twice the one before (etcd: 0.001 s, 14 buckets).
Histogram::BucketBoundaries Doubling(double start, int n) {
  Histogram::BucketBoundaries b;
  for (int i = 0; i < n; ++i) b.push_back(start * static_cast<double>(1ull << i));
  return b;
}

template <typename Builder>
auto& Build(Builder builder, const char* name, const char* help, prometheus::Registry& r) {
  return builder.Name(name).Help(help).Register(r);
}

}  // namespace

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  auto& r = *registry_;
  append_duration_ = &Build(prometheus::BuildHistogram(), "goalsync_append_duration_seconds",
                            "Time from an append request reaching the log to its outcome, by rpc "
                            "(Append, AppendStream); refusals included.", r);
  append_unary_ = &append_duration_->Add({{"rpc", "Append"}}, Doubling(0.0001, 17));
  append_stream_ = &append_duration_->Add({{"rpc", "AppendStream"}}, Doubling(0.0001, 17));
  refused_ = &Build(prometheus::BuildCounter(), "goalsync_append_refused_total",
                    "Append requests the log refused, by status code (nothing of them was "
                    "written).", r);
  appended_ = &Build(prometheus::BuildCounter(), "goalsync_events_appended_total",
                     "New events acknowledged (duplicates by event_id not counted).", r).Add({});
  fsync_duration_ = &Build(prometheus::BuildHistogram(), "goalsync_wal_fsync_duration_seconds",
                           "Time of one group commit's synced RocksDB write (WAL write + fsync).",
                           r).Add({}, Doubling(0.001, 14));
  events_per_group_ = &Build(prometheus::BuildHistogram(), "goalsync_events_per_group",
                             "New events written by one group commit (one fsync).", r)
                           .Add({}, Doubling(1, 15));
  write_failures_ = &Build(prometheus::BuildCounter(), "goalsync_wal_write_failures_total",
                           "Group commits whose write or fsync failed (each stops appends).", r)
                         .Add({});
  kernel_apply_ = &Build(prometheus::BuildHistogram(), "goalsync_kernel_apply_duration_seconds",
                         "Time the stager spent validating and applying one group's requests "
                         "with the kernel (and sealing their hash chain).", r)
                      .Add({}, Doubling(0.00001, 18));
  subscribers_ = &Build(prometheus::BuildGauge(), "goalsync_subscribers",
                        "Subscribe streams open.", r).Add({});
  subscriber_lag_ = &Build(prometheus::BuildHistogram(), "goalsync_subscriber_lag_events",
                           "Events waiting in a live subscriber's buffer when a message to it "
                           "is sent (its distance behind the head).", r)
                        .Add({}, Doubling(1, 14));
  workspaces_loaded_ = &Build(prometheus::BuildGauge(), "goalsync_workspaces_loaded",
                              "Workspaces whose plan is held in memory.", r).Add({});
  snapshot_bytes_ = &Build(prometheus::BuildGauge(), "goalsync_snapshot_bytes",
                           "Bytes of stored plan snapshots (SST files and memtable).", r).Add({});
  family_bytes_ = &Build(prometheus::BuildGauge(), "goalsync_store_family_bytes",
                         "Bytes of each RocksDB column family (SST files and memtable).", r);
  live_data_bytes_ = &Build(prometheus::BuildGauge(), "goalsync_rocksdb_live_data_bytes",
                            "RocksDB's estimate of live data, all column families "
                            "(rocksdb.estimate-live-data-size).", r).Add({});
  pending_compaction_bytes_ =
      &Build(prometheus::BuildGauge(), "goalsync_rocksdb_pending_compaction_bytes",
             "Bytes RocksDB estimates compaction must rewrite "
             "(rocksdb.estimate-pending-compaction-bytes).", r).Add({});
  appends_stopped_ = &Build(prometheus::BuildGauge(), "goalsync_appends_stopped",
                            "1 once a failed write stopped appends (fail-stop) until restart.",
                            r).Add({});
  disk_full_ = &Build(prometheus::BuildGauge(), "goalsync_disk_full",
                      "1 while the data dir's free space is below --min-free-disk-mb (appends "
                      "refused with RESOURCE_EXHAUSTED).", r).Add({});
  disk_free_bytes_ = &Build(prometheus::BuildGauge(), "goalsync_disk_free_bytes",
                            "Free bytes on the data dir's file system, as last checked.", r)
                         .Add({});
  // The name Prometheus' own client libraries give it, so that dashboards find it.
  resident_memory_bytes_ = &Build(prometheus::BuildGauge(), "process_resident_memory_bytes",
                                  "Resident memory size of goalsyncd in bytes.", r).Add({});
  backup_duration_ = &Build(prometheus::BuildHistogram(), "goalsync_backup_duration_seconds",
                            "Time of one backup.", r).Add({}, Doubling(0.01, 14));
  backup_bytes_ = &Build(prometheus::BuildCounter(), "goalsync_backup_copied_bytes_total",
                         "Bytes backups copied (files already in the backup dir are shared).", r)
                      .Add({});
  backups_ = &Build(prometheus::BuildCounter(), "goalsync_backups_total",
                    "Backups taken, by result (ok, failed).", r);
}

void Metrics::ObserveAppend(absl::string_view rpc, absl::Duration elapsed,
                            const absl::Status& status, size_t new_events) {
  prometheus::Histogram& h =
      rpc == "Append"         ? *append_unary_
      : rpc == "AppendStream" ? *append_stream_
                              : append_duration_->Add({{"rpc", std::string(rpc)}},
                                                      Doubling(0.0001, 17));
  h.Observe(absl::ToDoubleSeconds(elapsed));
  if (status.ok()) {
    appended_->Increment(static_cast<double>(new_events));
  } else {
    refused_->Add({{"code", absl::StatusCodeToString(status.code())}}).Increment();
  }
}

void Metrics::ObserveGroupWrite(absl::Duration write, size_t events, bool ok) {
  fsync_duration_->Observe(absl::ToDoubleSeconds(write));
  events_per_group_->Observe(static_cast<double>(events));
  if (!ok) write_failures_->Increment();
}

void Metrics::ObserveKernelApply(absl::Duration apply) {
  kernel_apply_->Observe(absl::ToDoubleSeconds(apply));
}

prometheus::Gauge& Metrics::family_bytes(absl::string_view family) {
  return family_bytes_->Add({{"family", std::string(family)}});
}

void Metrics::ObserveBackup(absl::Duration took, uint64_t bytes_copied, bool ok) {
  backup_duration_->Observe(absl::ToDoubleSeconds(took));
  backup_bytes_->Increment(static_cast<double>(bytes_copied));
  backups_->Add({{"result", ok ? "ok" : "failed"}}).Increment();
}

void Metrics::SetCluster(const ClusterGauges& cluster) {
  absl::MutexLock lock(&cluster_mu_);
  auto& r = *registry_;
  if (cluster_leader_ == nullptr) {
    cluster_leader_ = &Build(prometheus::BuildGauge(), "goalsync_cluster_is_leader",
                             "1 on the replica group's leader once it serves (takes appends), "
                             "else 0.", r).Add({});
    cluster_epoch_ = &Build(prometheus::BuildGauge(), "goalsync_cluster_epoch",
                            "The epoch of the leader this node follows or is (the etcd "
                            "revision of its election key); it changes at each failover.", r)
                          .Add({});
    cluster_lag_ = &Build(prometheus::BuildGauge(), "goalsync_cluster_replication_lag_events",
                          "On the leader: events of its durable heads a follower streaming "
                          "from it has not acknowledged, summed over workspaces, by follower "
                          "node id.", r);
  }
  cluster_leader_->Set(cluster.leader ? 1 : 0);
  cluster_epoch_->Set(static_cast<double>(cluster.epoch));
  for (auto it = cluster_lag_series_.begin(); it != cluster_lag_series_.end();) {
    if (cluster.follower_lag.contains(it->first)) {
      ++it;
      continue;
    }
    cluster_lag_->Remove(it->second);
    it = cluster_lag_series_.erase(it);
  }
  for (const auto& [id, lag] : cluster.follower_lag) {
    prometheus::Gauge*& g = cluster_lag_series_[id];
    if (g == nullptr) g = &cluster_lag_->Add({{"follower", id}});
    g->Set(static_cast<double>(lag));
  }
}

void Metrics::SetScrapeHook(std::function<void()> hook) {
  absl::MutexLock lock(&hook_mu_);
  hook_ = std::move(hook);
}

std::string Metrics::Text() {
  {
    absl::MutexLock lock(&hook_mu_);
    if (hook_) hook_();
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, registry_->Collect());
  return out.str();
}

}  // namespace goalsync::server
