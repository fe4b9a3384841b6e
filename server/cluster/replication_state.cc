#include "server/cluster/replication_state.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "server/store/keys.h"
#include "spdlog/spdlog.h"

namespace goalsync::server::cluster {

std::string ReplicationState::Encode() const {
  std::string out;
  keys::PutBigEndian64(&out, promised_epoch);
  keys::PutBigEndian64(&out, last_epoch);
  return out;
}

absl::StatusOr<ReplicationState> ReplicationState::Decode(const std::string& bytes) {
  ReplicationState s;
  if (bytes.empty()) return s;
  if (bytes.size() != 16) return absl::DataLossError("replication state: malformed");
  s.promised_epoch = keys::GetBigEndian64(absl::string_view(bytes).substr(0, 8));
  s.last_epoch = keys::GetBigEndian64(absl::string_view(bytes).substr(8, 8));
  return s;
}

absl::StatusOr<ReplicationState> LoadReplicationState(const LogStore& store) {
  absl::StatusOr<std::string> bytes = store.ReplicationState();
  if (!bytes.ok()) return bytes.status();
  return ReplicationState::Decode(*bytes);
}

absl::Status SaveReplicationState(LogStore& store, const ReplicationState& state) {
  CommitBatch batch(store);
  batch.SetReplicationState(state.Encode());
  return store.Commit(batch);
}

void RestartInPlace(const std::vector<std::string>& argv, const std::string& data_dir,
                    const std::string& reason, const std::string& truncate_against) {
  spdlog::warn("goalsyncd restarts in place: {}", reason);
  if (!truncate_against.empty()) {
    const std::string path = data_dir + "/cluster-truncate-against";
    std::ofstream out(path, std::ios::trunc);
    out << truncate_against << "\n";
  }
  std::fflush(stdout);
  std::fflush(stderr);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv("/proc/self/exe", args.data());
  spdlog::critical("goalsyncd cannot restart itself ({}): exiting", reason);
  _exit(75);  // EX_TEMPFAIL: a supervisor restarts it
}

}  // namespace goalsync::server::cluster
