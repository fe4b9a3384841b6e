// goalctl audit verify | checkpoint: the online tamper check of a workspace's log, with the
// server's signed checkpoints (audit.proto).
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "cli/commands/audit_command.h"
#include "core/hash_chain.h"
#include "core/signing.h"
#include "goalsync/audit_client.h"
#include "google/protobuf/util/json_util.h"

namespace goalsync::cli {
namespace {

absl::StatusOr<std::string> ReadText(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read the ", what, " ", path));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

absl::StatusOr<v1::GetCheckpointsResponse> FetchCheckpoints(const CliContext& ctx) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = ConnectChannel(ctx);
  if (!channel.ok()) return channel.status();
  client::AuditClient audit(*channel);
  audit.set_token(ctx.token);
  return audit.GetCheckpoints(ctx.workspace);
}

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }

// The keys an auditor trusts, by key id: one per server, or one per member of a replica
// group (each member signs with its own key; `goalctl cluster status` lists them).
struct TrustedKeys {
  std::map<std::string, std::string> by_id;  // key id -> PEM

  // The key that must have signed `cp`: the one its key_id names; with a single key, that
  // one (VerifyCheckpoint then says whether it matches).
  absl::StatusOr<std::string> For(const v1::Checkpoint& cp) const {
    if (by_id.size() == 1) return by_id.begin()->second;
    auto it = by_id.find(cp.key_id());
    if (it != by_id.end()) return it->second;
    return absl::PermissionDeniedError(absl::StrCat(
        "the checkpoint at seq ", cp.seq(), " of ", cp.workspace(), " was signed by key ",
        cp.key_id(), cp.node_id().empty() ? "" : absl::StrCat(" (node ", cp.node_id(), ", epoch ",
                                                              cp.epoch(), ")"),
        ", which is none of the --pubkey keys you trust"));
  }
};

absl::StatusOr<TrustedKeys> ReadTrustedKeys(const std::vector<std::string>& files) {
  TrustedKeys keys;
  for (const std::string& file : files) {
    absl::StatusOr<std::string> pem = ReadText(file, "public key");
    if (!pem.ok()) return pem.status();
    absl::StatusOr<std::string> id = core::KeyId(*pem);
    if (!id.ok()) return absl::InvalidArgumentError(absl::StrCat(file, ": ", id.status().message()));
    keys.by_id[*id] = *pem;
  }
  return keys;
}

absl::Status RunAuditVerify(const CliContext& ctx, const std::vector<std::string>& pubkey_files,
                            const std::string& checkpoint_file) {
  absl::StatusOr<std::unique_ptr<client::LogClient>> log = ConnectLog(ctx);
  if (!log.ok()) return log.status();
  // 1. The chain, from the first event.
  core::ChainVerifier chain;
  std::vector<std::string> hashes = {""};  // hashes[seq]
  absl::Status read = (*log)->Read(ctx.workspace, 1, 0, [&](const v1::Event& e) {
    if (absl::Status s = chain.Next(e); !s.ok()) return s;
    hashes.push_back(e.hash());
    return absl::OkStatus();
  });
  if (!read.ok()) return read;
  const uint64_t head = chain.last_seq();
  std::cout << "chain: " << head << " events of " << ctx.workspace << " recomputed, head hash "
            << Hex(chain.last_hash()).substr(0, 16) << "...\n";

  // 2. The server's signed checkpoints.
  absl::StatusOr<v1::GetCheckpointsResponse> cps = FetchCheckpoints(ctx);
  if (!cps.ok()) return cps.status();
  absl::StatusOr<TrustedKeys> trusted = ReadTrustedKeys(pubkey_files);
  if (!trusted.ok()) return trusted.status();
  if (pubkey_files.empty()) {
    absl::StatusOr<std::string> id = core::KeyId(cps->public_key_pem());
    if (!id.ok()) return absl::InvalidArgumentError(absl::StrCat("the server's key: ", id.status().message()));
    trusted->by_id[*id] = cps->public_key_pem();
    std::cout << "warning: checking with the key the server hands out, which proves nothing "
                 "against the server itself; pass --pubkey with the key you trust\n";
  }
  std::set<std::string> signers;  // "node n2, epoch 7" of a replica group's checkpoints
  std::set<std::string> key_ids;
  for (const v1::Checkpoint& cp : cps->checkpoints()) {
    absl::StatusOr<std::string> key = trusted->For(cp);
    if (!key.ok()) return key.status();
    if (absl::Status s = core::VerifyCheckpoint(*key, cp); !s.ok()) return s;
    if (!cp.node_id().empty()) signers.insert(absl::StrCat(cp.node_id(), " in epoch ", cp.epoch()));
    key_ids.insert(cp.key_id());
    if (cp.seq() > head) {
      return absl::DataLossError(absl::StrCat("checkpoint at seq ", cp.seq(), " is past the log's head ",
                                              head, ": events after seq ", head, " were removed"));
    }
    if (hashes[cp.seq()] != cp.hash()) {
      return absl::DataLossError(absl::StrCat("the event at seq ", cp.seq(),
                                              " is not the one the server signed: the log up to it "
                                              "was rewritten"));
    }
  }
  if (key_ids.empty()) key_ids.insert(trusted->by_id.begin()->first);
  std::cout << "checkpoints: " << cps->checkpoints_size() << " signed heads verified (key"
            << (key_ids.size() > 1 ? "s " : " ") << absl::StrJoin(key_ids, ", ") << ")";
  if (!signers.empty()) std::cout << ", signed by " << absl::StrJoin(signers, "; ");
  std::cout << "\n";

  // 3. An auditor's old checkpoint: the log only grew since.
  if (!checkpoint_file.empty()) {
    if (pubkey_files.empty()) {
      return absl::InvalidArgumentError("--checkpoint needs --pubkey: the key you trust");
    }
    absl::StatusOr<std::string> text = ReadText(checkpoint_file, "checkpoint");
    if (!text.ok()) return text.status();
    v1::Checkpoint old;
    if (auto s = google::protobuf::util::JsonStringToMessage(*text, &old); !s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(checkpoint_file, ": not a checkpoint (goalctl "
                                                     "audit checkpoint writes one): ", s.message().as_string()));
    }
    if (old.workspace() != ctx.workspace) {
      return absl::InvalidArgumentError(absl::StrCat(checkpoint_file, " is of workspace ", old.workspace()));
    }
    absl::StatusOr<std::string> key = trusted->For(old);
    if (!key.ok()) return key.status();
    if (absl::Status s = core::VerifyCheckpoint(*key, old); !s.ok()) return s;
    if (old.seq() > head) {
      return absl::DataLossError(absl::StrCat("the log ends at seq ", head, " but your checkpoint is at seq ",
                                              old.seq(), ": events were removed"));
    }
    if (hashes[old.seq()] != old.hash()) {
      return absl::DataLossError(absl::StrCat("the event at seq ", old.seq(),
                                              " differs from your checkpoint: the log up to it was rewritten"));
    }
    std::cout << "your checkpoint: seq " << old.seq() << " signed "
              << absl::FormatTime("%Y-%m-%d %H:%M UTC", absl::FromUnixSeconds(old.signed_at().seconds()),
                                  absl::UTCTimeZone())
              << " still holds: the log only grew since (" << head - old.seq() << " events added)\n";
  }
  return absl::OkStatus();
}

absl::Status RunAuditCheckpoint(const CliContext& ctx) {
  absl::StatusOr<v1::GetCheckpointsResponse> cps = FetchCheckpoints(ctx);
  if (!cps.ok()) return cps.status();
  if (cps->checkpoints().empty()) {
    return absl::NotFoundError(absl::StrCat("workspace ", ctx.workspace,
                                            " has no signed checkpoint yet (goalsyncd signs every "
                                            "--checkpoint-every events or --checkpoint-interval-s)"));
  }
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(*cps->checkpoints().rbegin(), &json);
  std::cout << json << "\n";
  return absl::OkStatus();
}

}  // namespace

void RegisterAuditVerifyCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* audit = app.add_subcommand("audit", "Tamper evidence: the hash chain and signed checkpoints");
  audit->require_subcommand(1);
  auto pubkey = std::make_shared<std::vector<std::string>>();
  auto checkpoint = std::make_shared<std::string>();
  CLI::App* verify = audit->add_subcommand(
      "verify", "Recompute the workspace's hash chain and check the server's signed checkpoints; "
                "exit 1 naming the first bad seq");
  verify->add_option("--pubkey", *pubkey,
                     "The server's public key you trust (goalsyncd pubkey); for a replica group, "
                     "once per member: each checkpoint is checked with the key its key_id names");
  verify->add_option("--checkpoint", *checkpoint,
                     "A checkpoint you kept (goalctl audit checkpoint): prove the log only grew since");
  verify->callback([&ctx, pubkey, checkpoint] {
    ctx.exit_code = ReportError(ctx, RunAuditVerify(ctx, *pubkey, *checkpoint));
  });
  audit->add_subcommand("checkpoint", "Print the newest signed checkpoint (JSON), to keep")
      ->callback([&ctx] { ctx.exit_code = ReportError(ctx, RunAuditCheckpoint(ctx)); });
}

}  // namespace goalsync::cli
