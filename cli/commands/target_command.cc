#include "cli/commands/target_command.h"

#include <iostream>
#include <map>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cli/commands/number_flag.h"
#include "cli/output/plan_text.h"
#include "cli/replica_session.h"
#include "core/enum_names.h"
#include "nlohmann/json.hpp"

namespace goalsync::cli {
namespace {

using client::Replica;
using Json = nlohmann::ordered_json;

// "cr-<goal>-<6 hex>": short enough to type, random enough not to collide within a goal.
std::string NewRequestId(const std::string& goal) {
  return absl::StrCat("cr-", goal, "-", client::NewEventId().substr(0, 6));
}

struct TargetArgs {
  std::string goal;
  v1::Targets targets;
  std::vector<std::string> periods;  // PERIOD=VALUE
  std::string reason;
  std::vector<std::string> evidence;
  std::string request_id;
  bool direct = false;
};

absl::Status RunTargetSet(const CliContext& ctx, const TargetArgs& a) {
  std::vector<v1::PeriodTargetChange> periods;
  for (const std::string& p : a.periods) {
    std::pair<std::string, std::string> kv = absl::StrSplit(p, absl::MaxSplits('=', 1));
    v1::PeriodTargetChange c;
    double value = 0;
    if (kv.first.empty() || !absl::SimpleAtod(kv.second, &value)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--period ", p, ": write it as PERIOD=VALUE, e.g. 2026-Q4=12"));
    }
    c.set_period(kv.first);
    c.set_target(value);
    periods.push_back(c);
  }
  const bool whole = a.targets.has_floor() || a.targets.has_base() || a.targets.has_stretch();
  if (!whole && periods.empty()) {
    return absl::InvalidArgumentError("nothing to set: give --floor, --base, --stretch or --period");
  }
  std::string what;
  absl::Status s = Edit(ctx, "targets of " + a.goal, [&](Replica& r) -> absl::Status {
    absl::StatusOr<v1::Goal> goal = r.GetGoal(a.goal);
    if (!goal.ok()) return goal.status();
    // Setting a target for the first time is planning; changing one is a controlled change.
    bool changes = (whole && (goal->targets().has_floor() || goal->targets().has_base() ||
                              goal->targets().has_stretch()));
    for (const auto& p : periods) changes |= goal->period_targets().contains(p.period());
    if (changes && !a.direct) {
      if (a.reason.empty()) {
        return absl::InvalidArgumentError(
            "changing a target that is set needs --reason (it becomes a change request a "
            "manager approves); --direct sets it at once");
      }
      v1::ChangeRequestOpened cr;
      cr.set_change_request_id(a.request_id.empty() ? NewRequestId(a.goal) : a.request_id);
      cr.set_goal_id(a.goal);
      if (whole) *cr.mutable_targets() = a.targets;
      for (const auto& p : periods) *cr.add_period_targets() = p;
      cr.set_reason(a.reason);
      for (const auto& e : a.evidence) cr.add_evidence(e);
      std::cout << "change request " << cr.change_request_id() << " opened; approve with: goalctl cr approve "
                << cr.change_request_id() << "\n";
      return r.OpenChangeRequest(cr);
    }
    if (whole) {
      v1::TargetsSet t;
      t.set_goal_id(a.goal);
      *t.mutable_targets() = a.targets;
      if (absl::Status st = r.SetTargets(t); !st.ok()) return st;
    }
    for (const auto& p : periods) {
      v1::PeriodTargetSet t;
      t.set_goal_id(a.goal);
      *t.mutable_target() = p;
      if (absl::Status st = r.Record(t); !st.ok()) return st;
    }
    return absl::OkStatus();
  });
  return s;
}

// --- cr ---------------------------------------------------------------------------------

std::string StatusName(v1::ChangeRequestStatus s) {
  return core::EnumWord(v1::ChangeRequestStatus_descriptor(), s);
}

// What a change request proposes or replaced, "-" for nothing.
std::string RequestTargets(const v1::Targets& t,
                           const google::protobuf::RepeatedPtrField<v1::PeriodTargetChange>& p) {
  const std::string text = TargetsText(t, p);
  return text.empty() ? "-" : text;
}

Json CrJson(const v1::ChangeRequest& cr) {
  Json j{{"id", cr.id()},
         {"goal", cr.goal_id()},
         {"status", StatusName(cr.status())},
         {"proposed", RequestTargets(cr.targets(), cr.period_targets())},
         {"reason", cr.reason()},
         {"evidence", cr.evidence()},
         {"openedBy", cr.opened().actor()}};
  if (cr.has_decided()) {
    j["decidedBy"] = cr.decided().actor();
    j["decisionNote"] = cr.decision_note();
    j["replaced"] = RequestTargets(cr.targets_before(), cr.period_targets_before());
  }
  return j;
}

absl::Status RunCrList(const CliContext& ctx, const std::string& status) {
  absl::StatusOr<std::unique_ptr<Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  const v1::PlanState state = (*replica)->State();
  std::vector<const v1::ChangeRequest*> crs;
  for (const auto& [id, cr] : state.change_requests()) {
    if (status.empty() || StatusName(cr.status()) == status) crs.push_back(&cr);
  }
  std::sort(crs.begin(), crs.end(), [](auto* a, auto* b) { return a->id() < b->id(); });
  if (ctx.output_format() == Output::kJson) {
    Json j = Json::array();
    for (auto* cr : crs) j.push_back(CrJson(*cr));
    std::cout << j.dump() << "\n";
    return absl::OkStatus();
  }
  if (crs.empty()) std::cout << "no change requests" << (status.empty() ? "" : " " + status) << "\n";
  for (auto* cr : crs) {
    std::cout << cr->id() << "  " << StatusName(cr->status()) << "  " << cr->goal_id() << ": "
              << RequestTargets(cr->targets(), cr->period_targets()) << "  (by "
              << cr->opened().actor() << ": " << cr->reason() << ")\n";
  }
  return absl::OkStatus();
}

absl::Status RunCrShow(const CliContext& ctx, const std::string& id) {
  absl::StatusOr<std::unique_ptr<Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  const v1::PlanState state = (*replica)->State();
  auto it = state.change_requests().find(id);
  if (it == state.change_requests().end()) {
    return absl::NotFoundError(absl::StrCat("change request ", id, " does not exist (goalctl cr list)"));
  }
  const Json j = CrJson(it->second);
  if (ctx.output_format() == Output::kJson) {
    std::cout << j.dump() << "\n";
    return absl::OkStatus();
  }
  for (const auto& [k, v] : j.items()) {
    std::cout << k << std::string(k.size() < 14 ? 14 - k.size() : 1, ' ')
              << (v.is_string() ? v.get<std::string>() : v.dump()) << "\n";
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterTargetCommands(CLI::App& app, CliContext& ctx) {
  auto report = [&ctx](absl::Status s) { ctx.exit_code = ReportError(ctx, s); };

  {  // target set
    CLI::App* target = app.add_subcommand("target", "Set a goal's targets");
    target->require_subcommand(1);
    auto a = std::make_shared<TargetArgs>();
    CLI::App* set = target->add_subcommand(
        "set", "Set floor/base/stretch or period targets; changing a target already set opens "
               "a change request (unless --direct)");
    set->add_option("GOAL", a->goal)->required();
    AddNumber(set, "--floor", [a](double d) { a->targets.set_floor(d); }, "The floor");
    AddNumber(set, "--base", [a](double d) { a->targets.set_base(d); }, "The base target");
    AddNumber(set, "--stretch", [a](double d) { a->targets.set_stretch(d); }, "The stretch target");
    set->add_option("--period", a->periods, "PERIOD=VALUE, e.g. 2026-Q4=12 (repeatable)");
    set->add_option("--reason", a->reason, "Why the target changes (for the change request)");
    set->add_option("--evidence", a->evidence, "Evidence for the change (repeatable)");
    set->add_option("--cr", a->request_id, "Id of the change request (default: made up)");
    set->add_flag("--direct", a->direct, "Set it at once, without a change request (managers)");
    set->callback([&ctx, report, a] { report(RunTargetSet(ctx, *a)); });
  }

  {  // cr
    CLI::App* cr = app.add_subcommand("cr", "Change requests: proposed target changes");
    cr->require_subcommand(1);
    auto status = std::make_shared<std::string>();
    CLI::App* list = cr->add_subcommand("list", "Change requests, by id");
    list->add_option("--status", *status, "open, approved or rejected")
        ->check(CLI::IsMember({"open", "approved", "rejected"}));
    list->callback([&ctx, report, status] { report(RunCrList(ctx, *status)); });
    auto id = std::make_shared<std::string>();
    CLI::App* show = cr->add_subcommand("show", "One change request, whole");
    show->add_option("ID", *id)->required();
    show->callback([&ctx, report, id] { report(RunCrShow(ctx, *id)); });
    auto approve = std::make_shared<v1::ChangeRequestApproved>();
    CLI::App* ap = cr->add_subcommand("approve", "Approve: the proposed targets apply now");
    ap->add_option("ID", *approve->mutable_change_request_id())->required();
    ap->add_option("--note", *approve->mutable_note());
    ap->callback([&ctx, report, approve] {
      report(Edit(ctx, "change request " + approve->change_request_id() + " approved",
                  [approve](Replica& r) {
                    const v1::PlanState s = r.State();
                    if (auto it = s.change_requests().find(approve->change_request_id());
                        it != s.change_requests().end()) {
                      approve->set_goal_id(it->second.goal_id());
                    }
                    return r.ApproveChangeRequest(*approve);
                  }));
    });
    auto reject = std::make_shared<v1::ChangeRequestRejected>();
    CLI::App* rj = cr->add_subcommand("reject", "Reject, with the reason");
    rj->add_option("ID", *reject->mutable_change_request_id())->required();
    rj->add_option("--reason", *reject->mutable_reason())->required();
    rj->callback([&ctx, report, reject] {
      report(Edit(ctx, "change request " + reject->change_request_id() + " rejected",
                  [reject](Replica& r) {
                    const v1::PlanState s = r.State();
                    if (auto it = s.change_requests().find(reject->change_request_id());
                        it != s.change_requests().end()) {
                      reject->set_goal_id(it->second.goal_id());
                    }
                    return r.Record(*reject);
                  }));
    });
  }

}

}  // namespace goalsync::cli
