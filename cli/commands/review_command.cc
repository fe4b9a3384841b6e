#include "cli/commands/review_command.h"

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

}  // namespace

void RegisterReviewCommands(CLI::App& app, CliContext& ctx) {
  auto report = [&ctx](absl::Status s) { ctx.exit_code = ReportError(ctx, s); };

  {  // review add
    CLI::App* review = app.add_subcommand("review", "Reviews: record one, or see the report");
    auto rv = std::make_shared<v1::ReviewRecorded>();
    auto kind = std::make_shared<std::string>();
    auto cause = std::make_shared<std::string>();
    auto decision = std::make_shared<std::string>();
    CLI::App* add = review->add_subcommand("add", "Record a weekly, monthly or quarterly review");
    add->add_option("GOAL", *rv->mutable_goal_id())->required();
    add->add_option("--kind", *kind, "weekly, monthly or quarterly")->required();
    add->add_option("--period", *rv->mutable_period(), "The period reviewed")->required();
    add->add_option("--id", *rv->mutable_review_id(), "Review id (default: made up)");
    add->add_option("--cause", *cause, "Deviation cause: execution, unreasonable-target, resources, external");
    add->add_option("--deviation", *rv->mutable_deviation_note());
    add->add_option("--decision", *decision, "keep, adjust or escalate");
    add->add_option("--cr", [rv](const std::vector<std::string>& v) {
      for (const auto& id : v) rv->add_change_request_ids(id);
      return true;
    }, "Change requests the review led to (repeatable)");
    add->add_option("--notes", *rv->mutable_notes());
    add->callback([&ctx, report, rv, kind, cause, decision] {
      absl::StatusOr<int> k = core::ParseEnum(v1::ReviewKind_descriptor(), *kind);
      if (!k.ok()) return report(k.status());
      rv->set_kind(static_cast<v1::ReviewKind>(*k));
      if (!cause->empty()) {
        absl::StatusOr<int> c = core::ParseEnum(v1::DeviationCause_descriptor(), *cause);
        if (!c.ok()) return report(c.status());
        rv->set_deviation_cause(static_cast<v1::DeviationCause>(*c));
      }
      if (!decision->empty()) {
        absl::StatusOr<int> d = core::ParseEnum(v1::ReviewDecision_descriptor(), *decision);
        if (!d.ok()) return report(d.status());
        rv->set_decision(static_cast<v1::ReviewDecision>(*d));
      }
      if (rv->review_id().empty()) {
        rv->set_review_id(absl::StrCat("rv-", rv->goal_id(), "-", rv->period(), "-", *kind));
      }
      report(Edit(ctx, "review " + rv->review_id() + " recorded",
                  [rv](Replica& r) { return r.Record(*rv); }));
    });
  }
}

}  // namespace goalsync::cli
