#include "server/cluster/prepare.h"

#include <cstdio>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "goalsync/v1/cluster.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "spdlog/spdlog.h"

namespace goalsync::server::cluster {
namespace {

// The hash of `seq` of `workspace` on the reference node; nullopt past its head.
absl::StatusOr<std::optional<std::string>> RemoteHash(goalsync::v1::Replication::Stub& stub,
                                                      const std::string& workspace, uint64_t seq) {
  grpc::ClientContext ctx;
  ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(3)));
  goalsync::v1::ChainAtRequest req;
  req.set_workspace(workspace);
  req.set_seq(seq);
  goalsync::v1::ChainAtResponse resp;
  grpc::Status s = stub.ChainAt(&ctx, req, &resp);
  if (!s.ok()) return absl::UnavailableError(absl::StrCat("ChainAt: ", s.error_message()));
  if (!resp.found()) return std::nullopt;
  return resp.hash();
}

// The greatest seq <= head where the local and remote chains agree (0 if none does).
absl::StatusOr<uint64_t> Agreement(LogStore& store, goalsync::v1::Replication::Stub& stub,
                                   const std::string& name, const WorkspaceRecord& rec) {
  auto agrees = [&](uint64_t seq) -> absl::StatusOr<bool> {
    if (seq == 0) return true;
    absl::StatusOr<std::optional<std::string>> remote = RemoteHash(stub, name, seq);
    if (!remote.ok()) return remote.status();
    if (!remote->has_value()) return false;
    absl::StatusOr<goalsync::v1::Event> local = store.ReadEvent(rec.id, seq);
    if (!local.ok()) return local.status();
    return local->hash() == **remote;
  };
  absl::StatusOr<bool> whole = agrees(rec.head_seq);
  if (!whole.ok()) return whole.status();
  if (*whole) return rec.head_seq;
  // Hash chains: if seq k agrees, every seq before it does. Bisect for the last that does.
  uint64_t lo = 0, hi = rec.head_seq - 1;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo + 1) / 2;
    absl::StatusOr<bool> ok = agrees(mid);
    if (!ok.ok()) return ok.status();
    if (*ok) lo = mid; else hi = mid - 1;
  }
  return lo;
}

}  // namespace

absl::Status PrepareDataDir(const ClusterOptions& cluster, const StoreOptions& store_options) {
  const std::string path = store_options.dir + "/cluster-truncate-against";
  std::ifstream in(path);
  std::string against;
  if (!in || !std::getline(in, against) || against.empty()) return absl::OkStatus();
  in.close();
  absl::StatusOr<std::unique_ptr<LogStore>> store = LogStore::Open(store_options);
  if (!store.ok()) return store.status();
  auto stub = goalsync::v1::Replication::NewStub(
      grpc::CreateChannel(against, grpc::InsecureChannelCredentials()));
  absl::StatusOr<std::vector<std::pair<std::string, WorkspaceRecord>>> all = (*store)->ListWorkspaces();
  if (!all.ok()) return all.status();
  for (const auto& [name, rec] : *all) {
    absl::StatusOr<uint64_t> keep = Agreement(**store, *stub, name, rec);
    if (!keep.ok()) {
      spdlog::warn("cluster: cannot compare {} with {} ({}): nothing cut this time", name,
                   against, keep.status().ToString());
      return absl::OkStatus();
    }
    if (*keep == rec.head_seq) continue;
    spdlog::warn("cluster: cutting {} back from seq {} to {} (where it agrees with {})", name,
                 rec.head_seq, *keep, against);
    if (absl::Status s = (*store)->TruncateAfter(rec.id, *keep); !s.ok()) return s;
  }
  std::remove(path.c_str());
  return absl::OkStatus();
}

}  // namespace goalsync::server::cluster
