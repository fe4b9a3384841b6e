#include "core/plan/goal_fields.h"

#include <cmath>
#include <functional>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/enum_names.h"
#include "core/plan/period.h"

namespace goalsync::core {
namespace {

using goalsync::v1::Goal;
using google::protobuf::EnumDescriptor;

struct FieldSpec {
  // Parses `value` and sets it; returns the error without touching the goal if it is bad.
  std::function<absl::Status(absl::string_view value, Goal* goal)> set;
  std::function<std::string(const Goal& goal)> get;
};

FieldSpec Text(std::function<std::string*(Goal*)> field, size_t max_len = 2000) {
  return {[field, max_len](absl::string_view v, Goal* g) {
            if (v.size() > max_len) {
              return absl::InvalidArgumentError(absl::StrCat("at most ", max_len, " characters"));
            }
            field(g)->assign(v.data(), v.size());
            return absl::OkStatus();
          },
          [field](const Goal& g) { return *field(const_cast<Goal*>(&g)); }};
}

FieldSpec Date(std::function<std::string*(Goal*)> field) {
  return {[field](absl::string_view v, Goal* g) {
            if (!v.empty()) {
              if (absl::StatusOr<absl::CivilDay> d = ParseDate(v); !d.ok()) return d.status();
            }
            field(g)->assign(v.data(), v.size());
            return absl::OkStatus();
          },
          [field](const Goal& g) { return *field(const_cast<Goal*>(&g)); }};
}

FieldSpec Number(std::function<void(Goal*, double)> set, std::function<std::string(const Goal&)> get,
                 bool non_negative) {
  return {[set, non_negative](absl::string_view v, Goal* g) {
            double d = 0;
            if (!absl::SimpleAtod(v, &d) || !std::isfinite(d)) {
              return absl::InvalidArgumentError(absl::StrCat("\"", v, "\" is not a number"));
            }
            if (non_negative && d < 0) return absl::InvalidArgumentError("must not be negative");
            set(g, d);
            return absl::OkStatus();
          },
          get};
}

FieldSpec Enum(const EnumDescriptor* descriptor, std::function<void(Goal*, int)> set,
               std::function<int(const Goal&)> get) {
  return {[descriptor, set](absl::string_view v, Goal* g) {
            absl::StatusOr<int> n = ParseEnum(descriptor, v);
            if (!n.ok()) return n.status();
            set(g, *n);
            return absl::OkStatus();
          },
          [descriptor, get](const Goal& g) {
            const auto* value = descriptor->FindValueByNumber(get(g));
            return value == nullptr ? std::string() : value->name();
          }};
}

const std::map<std::string, FieldSpec, std::less<>>& Specs() {
  using namespace goalsync::v1;  // NOLINT: the enum descriptors
  static const auto* specs = new std::map<std::string, FieldSpec, std::less<>>{
      {"statement", Text([](Goal* g) { return g->mutable_statement(); })},
      {"why", Text([](Goal* g) { return g->mutable_why(); })},
      {"owner", Text([](Goal* g) { return g->mutable_owner(); }, 200)},
      {"level", Enum(GoalLevel_descriptor(),
                     [](Goal* g, int n) { g->set_level(static_cast<GoalLevel>(n)); },
                     [](const Goal& g) { return int(g.level()); })},
      {"kind", Enum(GoalKind_descriptor(),
                    [](Goal* g, int n) { g->mutable_details()->set_kind(static_cast<GoalKind>(n)); },
                    [](const Goal& g) { return int(g.details().kind()); })},
      {"metric_name", Text([](Goal* g) { return g->mutable_details()->mutable_metric()->mutable_name(); }, 200)},
      {"metric_unit", Text([](Goal* g) { return g->mutable_details()->mutable_metric()->mutable_unit(); }, 50)},
      {"metric_definition",
       Text([](Goal* g) { return g->mutable_details()->mutable_metric()->mutable_definition(); })},
      {"baseline", Number([](Goal* g, double d) { g->mutable_details()->set_baseline(d); },
                          [](const Goal& g) {
                            return g.details().has_baseline() ? absl::StrCat(g.details().baseline())
                                                              : std::string();
                          },
                          false)},
      {"reference", Text([](Goal* g) { return g->mutable_details()->mutable_reference(); })},
      {"direction", Enum(Direction_descriptor(),
                         [](Goal* g, int n) { g->mutable_details()->set_direction(static_cast<Direction>(n)); },
                         [](const Goal& g) { return int(g.details().direction()); })},
      {"aggregation",
       Enum(Aggregation_descriptor(),
            [](Goal* g, int n) { g->mutable_details()->set_aggregation(static_cast<Aggregation>(n)); },
            [](const Goal& g) { return int(g.details().aggregation()); })},
      {"certainty",
       Enum(Certainty_descriptor(),
            [](Goal* g, int n) { g->mutable_details()->set_certainty(static_cast<Certainty>(n)); },
            [](const Goal& g) { return int(g.details().certainty()); })},
      {"start_date", Date([](Goal* g) { return g->mutable_details()->mutable_start_date(); })},
      {"due_date", Date([](Goal* g) { return g->mutable_details()->mutable_due_date(); })},
      {"rollup", Enum(RollupRule_descriptor(),
                      [](Goal* g, int n) { g->mutable_details()->set_rollup(static_cast<RollupRule>(n)); },
                      [](const Goal& g) { return int(g.details().rollup()); })},
      {"rollup_reason", Text([](Goal* g) { return g->mutable_details()->mutable_rollup_reason(); })},
      {"weight", Number([](Goal* g, double d) { g->mutable_details()->set_weight(d); },
                        [](const Goal& g) {
                          return g.details().has_weight() ? absl::StrCat(g.details().weight())
                                                          : std::string();
                        },
                        true)},
  };
  return *specs;
}

}  // namespace

const std::vector<std::string>& GoalFieldNames() {
  static const auto* names = [] {
    auto* v = new std::vector<std::string>();
    for (const auto& [name, spec] : Specs()) v->push_back(name);
    return v;
  }();
  return *names;
}

absl::Status SetGoalField(absl::string_view field, absl::string_view value, Goal* goal) {
  auto it = Specs().find(field);
  if (it == Specs().end()) {
    return absl::InvalidArgumentError(absl::StrCat("goal has no settable field \"", field,
                                                   "\"; fields: ",
                                                   absl::StrJoin(GoalFieldNames(), ", ")));
  }
  // Every setter parses before it writes, so an error leaves the goal as it was.
  if (absl::Status s = it->second.set(value, goal); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("goal field ", field, ": ", s.message()));
  }
  return absl::OkStatus();
}

std::string GetGoalField(absl::string_view field, const Goal& goal) {
  auto it = Specs().find(field);
  return it == Specs().end() ? std::string() : it->second.get(goal);
}

}  // namespace goalsync::core
