#include "cli/commands/sync_command.h"

#include <iostream>
#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "cli/replica_session.h"
#include "core/enum_names.h"
#include "core/timestamps.h"
#include "goalsync/log_client.h"
#include "goalsync/replica.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace goalsync::cli {
namespace {

using client::Replica;
using Json = nlohmann::ordered_json;

// --- sync, status ---------------------------------------------------------------------

absl::Status RunSync(const CliContext& ctx, bool full) {
  if (ctx.offline) return absl::InvalidArgumentError("sync and --offline contradict each other");
  absl::StatusOr<std::unique_ptr<Replica>> replica = OpenReplica(ctx);
  if (!replica.ok()) return replica.status();
  ProgressBar bar("catching up");
  client::SyncOptions o;
  if (full) o.snapshot_threshold = 0;
  o.on_progress = [&](uint64_t done, uint64_t total) { bar.Update(done, total); };
  absl::StatusOr<client::SyncReport> r = (*replica)->Sync(o);
  if (!r.ok()) return r.status();
  const client::ReplicaStatus st = (*replica)->Status();
  if (ctx.output_format() == Output::kJson) {
    std::cout << Json{{"pulled", r->pulled},         {"pushed", r->pushed},
                      {"rejected", r->rejected},     {"restamped", r->restamped},
                      {"fromSnapshot", r->from_snapshot}, {"headSeq", r->head},
                      {"pending", st.outbox},        {"conflicts", (*replica)->Conflicts().size()}}
                     .dump()
              << "\n";
  } else {
    std::cout << "synced workspace " << ctx.workspace << ": pulled " << r->pulled << ", pushed "
              << r->pushed << ", head seq " << r->head << "\n";
    if (r->rejected > 0) {
      std::cout << r->rejected << " edit(s) refused by the server: goalctl rejected lists them\n";
    }
    if (r->restamped > 0) {
      std::cout << "this machine's clock was off by "
                << absl::FormatDuration(st.clock_offset) << "; " << r->restamped
                << " edit(s) re-stamped\n";
    }
    if (const size_t n = (*replica)->Conflicts().size(); n > 0) {
      std::cout << n << " open conflict(s): goalctl conflicts\n";
    }
  }
  return r->rejected > 0 ? absl::FailedPreconditionError("some edits were refused (goalctl rejected)")
                         : absl::OkStatus();
}

absl::Status RunStatus(const CliContext& ctx) {
  absl::StatusOr<std::unique_ptr<Replica>> replica = OpenReplica(ctx);
  if (!replica.ok()) return replica.status();
  const client::ReplicaStatus st = (*replica)->Status();
  absl::StatusOr<v1::HeadResponse> head = absl::UnavailableError("offline");
  if (!ctx.offline) {
    absl::StatusOr<std::unique_ptr<client::LogClient>> log = ConnectLog(ctx);
    head = log.ok() ? (*log)->Head(ctx.workspace, absl::Seconds(3)) : log.status();
  }
  const auto rejected = (*replica)->Rejected();
  const auto outbox = (*replica)->Outbox();
  if (ctx.output_format() == Output::kJson) {
    Json j{{"workspace", st.workspace},
           {"replica", ctx.replica.empty() ? DefaultReplicaDir(ctx.workspace) : ctx.replica},
           {"replicaId", st.replica_id},
           {"confirmedSeq", st.confirmed_seq},
           {"pending", st.outbox},
           {"rejected", Json::array()},
           {"lastSync", st.last_sync ? Json(UtcTime(*st.last_sync)) : Json(nullptr)},
           {"server", ctx.server},
           {"serverAnswers", head.ok()}};
    if (head.ok()) j["serverHeadSeq"] = head->seq();
    for (const auto& r : rejected) {
      j["rejected"].push_back({{"eventId", r.event().event_id()},
                               {"reason", r.reason()},
                               {"rejectedAt", UtcTime(core::FromTimestamp(r.rejected_at()))}});
    }
    std::cout << j.dump() << "\n";
    return absl::OkStatus();
  }
  std::cout << "workspace     " << st.workspace << "\n"
            << "replica       " << (ctx.replica.empty() ? DefaultReplicaDir(ctx.workspace) : ctx.replica)
            << " (id " << st.replica_id << ")\n"
            << "confirmed     seq " << st.confirmed_seq << "\n"
            << "pending       " << st.outbox << " edit(s) waiting to sync\n"
            << "rejected      " << st.rejected << " edit(s)\n"
            << "last sync     " << (st.last_sync ? UtcTime(*st.last_sync) : "never") << "\n"
            << "server        " << ctx.server << ": "
            << (head.ok() ? absl::StrCat("answers, head seq ", head->seq())
                          : absl::StrCat("does not answer (", head.status().message(), ")"))
            << "\n";
  for (const auto& [id, reason] : st.stale) {
    std::cout << "  pending " << id << " no longer applies: " << reason << "\n";
  }
  for (const auto& r : rejected) {
    std::cout << "  rejected " << r.event().event_id() << " ("
              << v1::Payload::descriptor()
                     ->FindFieldByNumber(r.event().payload().body_case())
                     ->name()
              << "): " << r.reason() << "\n";
  }
  return absl::OkStatus();
}

// --- rejected edits -------------------------------------------------------------------

absl::Status RunRejected(const CliContext& ctx, const std::string& dismiss) {
  absl::StatusOr<std::unique_ptr<Replica>> replica = OpenReplica(ctx);
  if (!replica.ok()) return replica.status();
  if (!dismiss.empty()) {
    if (absl::Status s = (*replica)->DismissRejected(dismiss); !s.ok()) return s;
    std::cout << "rejected edit " << dismiss << " dismissed\n";
    return absl::OkStatus();
  }
  const auto rejected = (*replica)->Rejected();
  if (ctx.output_format() == Output::kJson) {
    Json j = Json::array();
    for (const auto& r : rejected) {
      std::string payload;
      (void)google::protobuf::util::MessageToJsonString(r.event().payload(), &payload);
      j.push_back({{"eventId", r.event().event_id()},
                   {"reason", r.reason()},
                   {"refusal", v1::Refusal::Reason_Name(r.refusal().reason())},
                   {"field", r.refusal().field()},
                   {"rejectedAt", UtcTime(core::FromTimestamp(r.rejected_at()))},
                   {"payload", Json::parse(payload)}});
    }
    std::cout << j.dump() << "\n";
    return absl::OkStatus();
  }
  if (rejected.empty()) std::cout << "no rejected edits\n";
  for (const auto& r : rejected) {
    std::string payload;
    (void)google::protobuf::util::MessageToJsonString(r.event().payload(), &payload);
    std::cout << r.event().event_id() << "  " << UtcTime(core::FromTimestamp(r.rejected_at()))
              << "\n  refused: " << absl::AsciiStrToLower(v1::Refusal::Reason_Name(r.refusal().reason()))
              << (r.refusal().field().empty() ? "" : " (" + r.refusal().field() + ")") << ": "
              << r.reason() << "\n  edit:    " << payload << "\n";
  }
  if (!rejected.empty()) std::cout << "once seen: goalctl rejected dismiss EVENT_ID\n";
  return absl::OkStatus();
}

// --- conflicts ----------------------------------------------------------------------

absl::Status RunConflicts(const CliContext& ctx, bool all) {
  absl::StatusOr<std::unique_ptr<Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  const std::vector<v1::Conflict> conflicts = (*replica)->Conflicts(all);
  if (ctx.output_format() == Output::kJson) {
    Json j = Json::array();
    for (const auto& c : conflicts) {
      j.push_back({{"id", c.id()},
                   {"kind", v1::ConflictKind_Name(c.kind())},
                   {"goal", c.goal_id()},
                   {"task", c.task_id()},
                   {"changeRequest", c.change_request_id()},
                   {"field", c.field()},
                   {"losingValue", c.losing_value()},
                   {"loser", c.loser().actor()},
                   {"winningValue", c.winning_value()},
                   {"winner", c.winner().actor()},
                   {"resolved", c.resolved()}});
    }
    std::cout << j.dump() << "\n";
    return absl::OkStatus();
  }
  if (conflicts.empty()) {
    std::cout << "no open conflicts\n";
    return absl::OkStatus();
  }
  for (const auto& c : conflicts) {
    const std::string kind = core::EnumWord(v1::ConflictKind_descriptor(), c.kind());
    const std::string where =
        c.goal_id() + (c.task_id().empty() ? "" : "/" + c.task_id()) +
        (c.change_request_id().empty() ? "" : " " + c.change_request_id());
    std::cout << c.id() << "  " << kind << "  " << where << "." << c.field() << ": kept \""
              << c.winning_value() << "\" (" << c.winner().actor() << "), not \""
              << c.losing_value() << "\" (" << c.loser().actor() << ")"
              << (c.resolved() ? "  [resolved]" : "") << "\n";
  }
  std::cout << "resolve: goalctl conflicts resolve ID --resolution TEXT [--keep-losing]\n";
  return absl::OkStatus();
}

}  // namespace

int RunInitialSync(const CliContext& ctx) {
  absl::Status s = RunSync(ctx, /*full=*/false);
  if (absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s)) {
    std::cout << "goalsyncd at " << ctx.server
              << " does not answer yet: edits work offline; goalctl sync when it does\n";
    return kExitOk;
  }
  return ReportError(ctx, s);
}

void RegisterSyncCommands(CLI::App& app, CliContext& ctx) {
  auto report = [&ctx](absl::Status s) { ctx.exit_code = ReportError(ctx, s); };

  {
    auto full = std::make_shared<bool>(false);
    CLI::App* sync = app.add_subcommand(
        "sync", "Pull the plan from goalsyncd, push this replica's edits, merge");
    sync->add_flag("--full", *full,
                   "Read the whole log even when far behind (an auditor's replica: full "
                   "history, export); otherwise a far-behind replica starts from the server's plan");
    sync->callback([&ctx, report, full] { report(RunSync(ctx, *full)); });
  }
  app.add_subcommand("status",
                     "The local replica: edits waiting, edits refused, last sync, the server")
      ->callback([&ctx, report] { report(RunStatus(ctx)); });

  {
    CLI::App* rejected = app.add_subcommand(
        "rejected", "Edits the server refused, with its reasons (kept until dismissed)");
    auto id = std::make_shared<std::string>();
    CLI::App* dismiss = rejected->add_subcommand("dismiss", "Forget a rejected edit");
    dismiss->add_option("EVENT_ID", *id)->required();
    rejected->require_subcommand(0, 1);
    rejected->callback([&ctx, report, id] { report(RunRejected(ctx, *id)); });
  }

  {
    auto all = std::make_shared<bool>(false);
    CLI::App* conflicts = app.add_subcommand(
        "conflicts", "Concurrent edits that lost, kept until someone resolves them");
    conflicts->add_flag("--all", *all, "Resolved ones too");
    auto res = std::make_shared<v1::ConflictResolved>();
    CLI::App* resolve = conflicts->add_subcommand("resolve", "Resolve a conflict");
    resolve->add_option("ID", *res->mutable_conflict_id(), "c<seq>, from goalctl conflicts")
        ->required();
    resolve->add_option("--resolution", *res->mutable_resolution(), "What was decided")
        ->required();
    resolve->add_flag("--keep-losing", [res](int64_t n) { res->set_keep_losing_value(n > 0); },
                      "Apply the value that lost instead");
    resolve->callback([&ctx, report, res] {
      report(Edit(ctx, "conflict " + res->conflict_id() + " resolved", [res](Replica& r) {
        for (const auto& c : r.Conflicts(true)) {
          if (c.id() != res->conflict_id()) continue;
          res->set_goal_id(c.goal_id());
          res->set_task_id(c.task_id());
          res->set_change_request_id(c.change_request_id());
        }
        return r.ResolveConflict(*res);
      }));
    });
    conflicts->callback([&ctx, report, all, conflicts] {
      if (conflicts->got_subcommand("resolve")) return;
      report(RunConflicts(ctx, *all));
    });
  }

}

}  // namespace goalsync::cli
