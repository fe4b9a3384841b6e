#include "cli/ui/ui_edits.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "core/enum_names.h"
#include "core/plan/history.h"
#include "goalsync/log_client.h"
#include "google/protobuf/util/json_util.h"

namespace goalsync::cli::ui {
namespace {

absl::StatusOr<Json> ParseBody(const std::string& body) {
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError("the form sent something that is not a JSON object");
  }
  return j;
}

std::string Text(const Json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : "";
}

// The ids goalctl makes up or looks up for the user.
void FillIds(client::Replica& replica, v1::Payload* p) {
  if (p->has_review_recorded() && p->review_recorded().review_id().empty()) {
    v1::ReviewRecorded* r = p->mutable_review_recorded();
    r->set_review_id(absl::StrCat("rv-", r->goal_id(), "-", r->period(), "-",
                                  core::EnumWord(v1::ReviewKind_descriptor(), r->kind())));
  }
  if (p->has_change_request_opened() && p->change_request_opened().change_request_id().empty()) {
    v1::ChangeRequestOpened* c = p->mutable_change_request_opened();
    c->set_change_request_id(absl::StrCat("cr-", c->goal_id(), "-", client::NewEventId().substr(0, 6)));
  }
  auto goal_of_request = [&](const std::string& id) {
    const v1::PlanState s = replica.State();
    auto it = s.change_requests().find(id);
    return it == s.change_requests().end() ? std::string() : it->second.goal_id();
  };
  if (p->has_change_request_approved() && p->change_request_approved().goal_id().empty()) {
    p->mutable_change_request_approved()->set_goal_id(
        goal_of_request(p->change_request_approved().change_request_id()));
  }
  if (p->has_change_request_rejected() && p->change_request_rejected().goal_id().empty()) {
    p->mutable_change_request_rejected()->set_goal_id(
        goal_of_request(p->change_request_rejected().change_request_id()));
  }
  if (p->has_conflict_resolved() && p->conflict_resolved().goal_id().empty()) {
    for (const v1::Conflict& c : replica.Conflicts(/*include_resolved=*/true)) {
      if (c.id() == p->conflict_resolved().conflict_id()) {
        p->mutable_conflict_resolved()->set_goal_id(c.goal_id());
      }
    }
  }
}

absl::StatusOr<v1::Targets> TargetsOf(const Json& j) {
  v1::Targets t;
  for (const char* key : {"floor", "base", "stretch"}) {
    if (!j.contains(key) || j[key].is_null()) continue;
    if (!j[key].is_number()) return absl::InvalidArgumentError(absl::StrCat(key, " must be a number"));
    const double v = j[key].get<double>();
    if (std::string(key) == "floor") t.set_floor(v);
    if (std::string(key) == "base") t.set_base(v);
    if (std::string(key) == "stretch") t.set_stretch(v);
  }
  return t;
}

absl::StatusOr<std::vector<v1::PeriodTargetChange>> PeriodsOf(const Json& j) {
  std::vector<v1::PeriodTargetChange> out;
  if (!j.contains("periods")) return out;
  if (!j["periods"].is_object()) return absl::InvalidArgumentError("periods: PERIOD -> number");
  for (const auto& [period, value] : j["periods"].items()) {
    if (!value.is_number()) {
      return absl::InvalidArgumentError(absl::StrCat("period ", period, ": the target must be a number"));
    }
    v1::PeriodTargetChange c;
    c.set_period(period);
    c.set_target(value.get<double>());
    out.push_back(c);
  }
  return out;
}

absl::Status OpenRequest(client::Replica& replica, const Json& j, const v1::Targets& targets,
                         bool whole, const std::vector<v1::PeriodTargetChange>& periods) {
  v1::Payload p;
  v1::ChangeRequestOpened* cr = p.mutable_change_request_opened();
  cr->set_goal_id(Text(j, "goal"));
  if (whole) *cr->mutable_targets() = targets;
  for (const auto& c : periods) *cr->add_period_targets() = c;
  cr->set_reason(Text(j, "reason"));
  if (j.contains("evidence") && j["evidence"].is_array()) {
    for (const Json& e : j["evidence"]) {
      if (e.is_string() && !e.get<std::string>().empty()) cr->add_evidence(e.get<std::string>());
    }
  }
  FillIds(replica, &p);
  return replica.Submit(p);
}

}  // namespace

absl::StatusOr<Json> SubmitEdit(client::Replica& replica, const std::string& body) {
  absl::StatusOr<Json> j = ParseBody(body);
  if (!j.ok()) return j.status();
  if (!j->contains("payload") || !(*j)["payload"].is_object()) {
    return absl::InvalidArgumentError("the form sent no payload");
  }
  v1::Payload p;
  google::protobuf::util::JsonParseOptions o;
  if (auto s = google::protobuf::util::JsonStringToMessage((*j)["payload"].dump(), &p, o); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("the form's data: ", s.message().as_string()));
  }
  FillIds(replica, &p);
  if (absl::Status s = replica.Submit(p); !s.ok()) return s;
  return Json{{"recorded", core::PayloadType(p)}};
}

absl::StatusOr<Json> SetTargets(client::Replica& replica, const std::string& body) {
  absl::StatusOr<Json> j = ParseBody(body);
  if (!j.ok()) return j.status();
  const std::string goal_id = Text(*j, "goal");
  absl::StatusOr<v1::Goal> goal = replica.GetGoal(goal_id);
  if (!goal.ok()) return goal.status();
  absl::StatusOr<v1::Targets> targets = TargetsOf(*j);
  if (!targets.ok()) return targets.status();
  absl::StatusOr<std::vector<v1::PeriodTargetChange>> periods = PeriodsOf(*j);
  if (!periods.ok()) return periods.status();
  const bool whole = targets->has_floor() || targets->has_base() || targets->has_stretch();
  if (!whole && periods->empty()) {
    return absl::InvalidArgumentError("nothing to set: give a floor, base, stretch or period target");
  }
  const v1::Targets& now = goal->targets();
  bool changes = whole && (now.has_floor() || now.has_base() || now.has_stretch());
  for (const auto& c : *periods) changes |= goal->period_targets().contains(c.period());
  const bool direct = j->contains("direct") && (*j)["direct"].is_boolean() && (*j)["direct"].get<bool>();
  if (changes && !direct) {
    if (Text(*j, "reason").empty()) {
      return absl::InvalidArgumentError(
          "changing a target that is set needs a reason (it becomes a change request a manager "
          "approves); or set it directly (managers)");
    }
    if (absl::Status s = OpenRequest(replica, *j, *targets, whole, *periods); !s.ok()) return s;
    return Json{{"recorded", "change_request_opened"}};
  }
  if (whole) {
    v1::TargetsSet t;
    t.set_goal_id(goal_id);
    *t.mutable_targets() = *targets;
    if (absl::Status s = replica.SetTargets(t); !s.ok()) return s;
  }
  for (const auto& c : *periods) {
    v1::PeriodTargetSet t;
    t.set_goal_id(goal_id);
    *t.mutable_target() = c;
    if (absl::Status s = replica.Record(t); !s.ok()) return s;
  }
  return Json{{"recorded", "targets"}};
}

absl::StatusOr<Json> DismissRejected(client::Replica& replica, const std::string& body) {
  absl::StatusOr<Json> j = ParseBody(body);
  if (!j.ok()) return j.status();
  if (absl::Status s = replica.DismissRejected(Text(*j, "eventId")); !s.ok()) return s;
  return Json{{"dismissed", Text(*j, "eventId")}};
}

}  // namespace goalsync::cli::ui
