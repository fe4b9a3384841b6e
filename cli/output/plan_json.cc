#include "cli/output/plan_json.h"

#include <string>

#include "absl/time/civil_time.h"
#include "core/enum_names.h"
#include "google/protobuf/util/json_util.h"

namespace goalsync::cli {
namespace {

void AddTargets(const goalsync::v1::Targets& t, OrderedJson* j) {
  if (t.has_floor()) (*j)["floor"] = t.floor();
  if (t.has_base()) (*j)["base"] = t.base();
  if (t.has_stretch()) (*j)["stretch"] = t.stretch();
}

OrderedJson Proto(const google::protobuf::Message& m) {
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(m, &json);
  return OrderedJson::parse(json);
}

OrderedJson RaciJson(const core::RaciRow& r) {
  OrderedJson roles = OrderedJson::object();
  for (const auto& [person, letters] : r.roles) roles[person] = letters;
  return {{"roles", roles}, {"flag", r.flag}};
}

OrderedJson TaskRefs(const std::vector<goalsync::v1::TaskRef>& refs) {
  OrderedJson out = OrderedJson::array();
  for (const auto& r : refs) out.push_back(r.goal_id() + "/" + r.task_id());
  return out;
}

}  // namespace

OrderedJson ProgressJson(const core::Progress& p) {
  OrderedJson j{{"actual", p.has_actual ? OrderedJson(p.actual) : OrderedJson(nullptr)},
                {"hasActual", p.has_actual}};
  if (p.fraction.has_value()) j["fraction"] = *p.fraction;
  j["band"] = p.band;
  j["source"] = p.source;
  AddTargets(p.targets, &j);
  if (!p.target_source.empty()) j["targetSource"] = p.target_source;
  return j;
}

OrderedJson YearToDateJson(const core::YearToDate& y) {
  OrderedJson j{{"asOf", absl::FormatCivilTime(y.as_of)},
                {"plan", y.has_plan ? OrderedJson(y.plan) : OrderedJson(nullptr)},
                {"planSource", y.plan_source},
                {"actual", y.has_actual ? OrderedJson(y.actual) : OrderedJson(nullptr)}};
  if (y.fraction.has_value()) j["fraction"] = *y.fraction;
  j["band"] = y.band;
  AddTargets(y.targets, &j);
  return j;
}

OrderedJson CheckJson(const core::BreakdownCheck& c) {
  return {{"goal", c.goal_id}, {"what", c.what}, {"expected", c.expected}, {"actual", c.actual}, {"ok", c.ok}};
}

OrderedJson GoalDetailJson(const core::GoalDetail& d) {
  OrderedJson j{{"goal", Proto(*d.goal)}, {"path", d.path}, {"children", d.children}};
  j["progress"] = ProgressJson(d.progress);
  j["toDate"] = YearToDateJson(d.to_date);
  j["atRisk"] = d.at_risk;
  j["variance"] = OrderedJson::array();
  for (const auto& v : d.variance) {
    j["variance"].push_back({{"period", v.period}, {"plan", v.plan}, {"actual", v.actual}, {"variance", v.variance}});
  }
  j["checks"] = OrderedJson::array();
  for (const auto& c : d.checks) j["checks"].push_back(CheckJson(c));
  j["raci"] = RaciJson(d.raci);
  j["overallocated"] = OrderedJson::array();
  for (const auto& o : d.overallocated) {
    j["overallocated"].push_back({{"person", o.person}, {"period", o.period}, {"fte", o.fte}});
  }
  return j;
}

OrderedJson TaskDetailJson(const core::TaskDetail& d) {
  OrderedJson j{{"goal", d.goal->id()}, {"task", Proto(*d.task)}, {"wbsPath", d.wbs_path},
                {"subtasks", d.subtasks}, {"dependsOn", TaskRefs(d.depends_on)},
                {"dependents", TaskRefs(d.dependents)}, {"raci", RaciJson(d.raci)}, {"late", d.late}};
  j["allocations"] = OrderedJson::array();
  for (const auto& a : d.allocations) j["allocations"].push_back(Proto(a));
  j["budgets"] = OrderedJson::array();
  for (const auto& b : d.budgets) j["budgets"].push_back(Proto(b));
  j["timeBlocks"] = OrderedJson::array();
  for (const auto& b : d.time_blocks) j["timeBlocks"].push_back(Proto(b));
  return j;
}

OrderedJson AllocationViewJson(const core::AllocationView& v) {
  OrderedJson j{{"people", v.people}, {"periods", v.periods}, {"allocations", OrderedJson::array()},
                {"loads", OrderedJson::array()}};
  for (const auto& c : v.cells) {
    j["allocations"].push_back({{"person", c.person}, {"goal", c.goal_id}, {"task", c.task_id},
                                {"period", c.period}, {"fte", c.fte}, {"skills", c.skills}});
  }
  for (const auto& l : v.loads) {
    j["loads"].push_back({{"person", l.person}, {"period", l.period}, {"fte", l.fte}, {"over", l.over}});
  }
  OrderedJson budgets = OrderedJson::object();
  for (const auto& [goal, list] : v.budgets) {
    for (const auto& b : list) budgets[goal].push_back(Proto(b));
  }
  j["budgets"] = budgets;
  OrderedJson blocks = OrderedJson::object();
  for (const auto& [goal, list] : v.time_blocks) {
    for (const auto& b : list) blocks[goal].push_back(Proto(b));
  }
  j["timeBlocks"] = blocks;
  return j;
}

}  // namespace goalsync::cli
