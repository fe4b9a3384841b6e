#include "server/store/store_verifier.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "core/hash_chain.h"

namespace goalsync::server {
namespace {

constexpr size_t kPage = 4096;

absl::Status CheckEvent(const LogStore& store, const std::string& name, uint32_t ws_id,
                        const goalsync::v1::Event& e, core::ChainVerifier& chain) {
  if (absl::Status s = chain.Next(e); !s.ok()) return s;
  if (e.workspace() != name) {
    return absl::DataLossError(absl::StrCat("seq ", e.seq(), ": belongs to workspace \"",
                                            e.workspace(), "\", stored under \"", name, "\""));
  }
  absl::StatusOr<std::optional<uint64_t>> indexed = store.FindEventId(ws_id, e.event_id());
  if (!indexed.ok()) return indexed.status();
  if (*indexed != e.seq()) {
    return absl::DataLossError(absl::StrCat("seq ", e.seq(), ": the event_ids index maps ",
                                            e.event_id(), " to seq ",
                                            indexed->value_or(0), " (index damaged)"));
  }
  return absl::OkStatus();
}

WorkspaceVerdict VerifyWorkspace(const LogStore& store, const std::string& name,
                                 const WorkspaceRecord& rec) {
  WorkspaceVerdict v{name, 0, "", absl::OkStatus()};
  core::ChainVerifier chain;
  std::vector<goalsync::v1::Event> page;
  for (uint64_t next = 1;; next = chain.last_seq() + 1) {
    page.clear();
    v.status = store.ReadEvents(rec.id, next, std::numeric_limits<uint64_t>::max(), kPage, &page);
    for (size_t i = 0; v.status.ok() && i < page.size(); ++i) {
      v.status = CheckEvent(store, name, rec.id, page[i], chain);
    }
    if (!v.status.ok() || page.size() < kPage) break;
  }
  v.events = chain.last_seq();
  v.hash = chain.last_seq() == 0 ? "" : chain.last_hash();
  if (v.status.ok() && chain.last_seq() != rec.head_seq) {
    v.status = absl::DataLossError(
        chain.last_seq() < rec.head_seq
            ? absl::StrCat("seq ", chain.last_seq() + 1, ": missing (the head is seq ",
                           rec.head_seq, ")")
            : absl::StrCat("seq ", rec.head_seq + 1, ": stored past the head (seq ",
                           rec.head_seq, ")"));
  } else if (v.status.ok() && chain.last_seq() > 0 && chain.last_hash() != rec.head_hash) {
    v.status = absl::DataLossError(
        absl::StrCat("seq ", rec.head_seq, ": the stored head hash differs from the chain's"));
  }
  return v;
}

}  // namespace

absl::StatusOr<std::vector<WorkspaceVerdict>> VerifyStore(const LogStore& store) {
  absl::StatusOr<std::vector<std::pair<std::string, WorkspaceRecord>>> workspaces =
      store.ListWorkspaces();
  if (!workspaces.ok()) return workspaces.status();
  std::vector<WorkspaceVerdict> verdicts;
  for (const auto& [name, rec] : *workspaces) verdicts.push_back(VerifyWorkspace(store, name, rec));
  return verdicts;
}

}  // namespace goalsync::server
