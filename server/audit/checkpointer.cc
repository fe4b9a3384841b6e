#include "server/audit/checkpointer.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/signing.h"
#include "server/service/status_map.h"
#include "spdlog/spdlog.h"

namespace goalsync::server {
namespace {

std::string Key(const std::string& workspace, uint64_t seq) {
  std::string k = workspace;
  k.push_back('\0');
  for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>((seq >> (8 * i)) & 0xff));
  return k;
}

}  // namespace

absl::StatusOr<std::string> LoadSigningKey(const std::string& data_dir,
                                           const CheckpointOptions& options, bool create) {
  const std::string path = options.key_file.empty() ? data_dir + "/checkpoint-key.pem" : options.key_file;
  if (std::ifstream in(path); in) {
    std::stringstream s;
    s << in.rdbuf();
    if (absl::StatusOr<std::string> pub = core::PublicKeyOf(s.str()); !pub.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": ", pub.status().message()));
    }
    return s.str();
  }
  if (!create || !options.key_file.empty()) {
    return absl::NotFoundError(absl::StrCat("no signing key at ", path));
  }
  absl::StatusOr<std::pair<std::string, std::string>> key = core::GenerateSigningKey();
  if (!key.ok()) return key.status();
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  {
    std::ofstream out(path);
    out << key->first;
    if (!out) return absl::PermissionDeniedError(absl::StrCat("cannot write ", path));
  }
  ::chmod(path.c_str(), 0600);
  spdlog::info("made the checkpoint signing key {} (goalsyncd pubkey prints its public half)", path);
  return key->first;
}

absl::StatusOr<std::unique_ptr<Checkpointer>> Checkpointer::Start(const std::string& data_dir,
                                                                  EventLog& log,
                                                                  CheckpointOptions options) {
  std::unique_ptr<Checkpointer> c(new Checkpointer(log, options));
  absl::StatusOr<std::string> key = LoadSigningKey(data_dir, options, /*create=*/true);
  if (!key.ok()) return key.status();
  c->private_key_ = *key;
  absl::StatusOr<std::string> pub = core::PublicKeyOf(*key);
  if (!pub.ok()) return pub.status();
  c->public_key_ = *pub;
  rocksdb::Options db_options;
  db_options.create_if_missing = true;
  db_options.OptimizeForSmallDb();
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, data_dir + "/checkpoints", &db);
  if (!s.ok()) return absl::UnavailableError(absl::StrCat("checkpoints: ", s.ToString()));
  c->db_.reset(db);
  // The last checkpoint of each workspace, to continue from.
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    goalsync::v1::Checkpoint cp;
    if (cp.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      c->last_[cp.workspace()] = {cp.seq(), absl::FromUnixSeconds(cp.signed_at().seconds())};
    }
  }
  it.reset();
  c->thread_ = std::thread([raw = c.get()] { raw->Run(); });
  return c;
}

Checkpointer::~Checkpointer() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
  if (db_) db_->Close();
}

void Checkpointer::Run() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      const absl::Time until = absl::Now() + absl::Seconds(1);
      auto stopped = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stop_; };
      mu_.AwaitWithDeadline(absl::Condition(&stopped), until);
      if (stop_) break;
    }
    Round(/*force=*/false);
  }
  Round(/*force=*/true);  // the heads as they are at shutdown
}

void Checkpointer::SignNow() { Round(/*force=*/true); }

void Checkpointer::Round(bool force) {
  const absl::Time now = absl::Now();
  CheckpointSigner signer;
  if (options_.group) {
    signer = options_.group();
    if (!signer.may_sign) return;  // a follower, a candidate, or a leader without its quorum
  }
  const std::vector<EventLog::CommittedHead> heads = log_.CommittedHeads();
  if (options_.group) {
    // Still the same leadership after the heads were read: they are that leader's committed
    // heads (a node that loses its leadership restarts in place, so its heads never mix two).
    const CheckpointSigner after = options_.group();
    if (!after.may_sign || after.epoch != signer.epoch) return;
  }
  for (const EventLog::CommittedHead& head : heads) {
    Last last;
    {
      absl::MutexLock lock(&mu_);
      last = last_[head.workspace];
    }
    if (head.seq <= last.seq) continue;
    const bool by_count = options_.every > 0 && head.seq >= last.seq + options_.every;
    const bool by_time = options_.interval > absl::ZeroDuration() && now - last.at >= options_.interval;
    if (!force && !by_count && !by_time) continue;
    goalsync::v1::Checkpoint cp;
    cp.set_workspace(head.workspace);
    cp.set_seq(head.seq);
    cp.set_hash(head.hash);
    cp.mutable_signed_at()->set_seconds(absl::ToUnixSeconds(now));
    cp.set_node_id(signer.node_id);
    cp.set_epoch(signer.epoch);
    if (absl::Status s = core::SignCheckpoint(private_key_, &cp); !s.ok()) {
      spdlog::error("cannot sign a checkpoint of {}: {}", head.workspace, s.ToString());
      continue;
    }
    rocksdb::WriteOptions sync;
    sync.sync = true;
    if (rocksdb::Status s = db_->Put(sync, Key(head.workspace, head.seq), cp.SerializeAsString()); !s.ok()) {
      spdlog::error("cannot store a checkpoint of {}: {}", head.workspace, s.ToString());
      continue;
    }
    absl::MutexLock lock(&mu_);
    last_[head.workspace] = {head.seq, now};
  }
}

absl::StatusOr<goalsync::v1::GetCheckpointsResponse> Checkpointer::GetCheckpoints(
    const std::string& workspace, uint64_t from_seq) const {
  goalsync::v1::GetCheckpointsResponse out;
  out.set_public_key_pem(public_key_);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  const std::string prefix = workspace + std::string(1, '\0');
  for (it->Seek(Key(workspace, from_seq)); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    if (!out.add_checkpoints()->ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return absl::DataLossError("a stored checkpoint is corrupt");
    }
  }
  if (!it->status().ok()) return absl::UnavailableError(it->status().ToString());
  return out;
}

grpc::ServerUnaryReactor* AuditService::GetCheckpoints(grpc::CallbackServerContext* ctx,
                                                       const goalsync::v1::GetCheckpointsRequest* request,
                                                       goalsync::v1::GetCheckpointsResponse* response) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  absl::StatusOr<Principal> who = auth_.Check(*ctx, request->workspace(), core::Action::kAudit);
  if (!who.ok()) {
    reactor->Finish(ToGrpcStatus(who.status()));
    return reactor;
  }
  absl::StatusOr<goalsync::v1::GetCheckpointsResponse> r =
      checkpoints_.GetCheckpoints(request->workspace(), request->from_seq());
  if (r.ok()) *response = std::move(*r);
  reactor->Finish(ToGrpcStatus(r.status()));
  return reactor;
}

}  // namespace goalsync::server
