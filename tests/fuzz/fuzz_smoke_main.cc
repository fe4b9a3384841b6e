// event_fuzz_smoke: runs the fuzz target (event_fuzz_target.cc) without libFuzzer, for ctest:
// every saved regression input, each event of the example plan as a seed, then random
// mutations of the seeds (bit flips, byte changes, cuts, splices) for --seconds with a fixed
// seed. scripts/fuzz.sh runs the real thing (clang, libFuzzer, sanitizers) and seeds it with
// `event_fuzz_smoke --write-corpus DIR`.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "goalsync/plan_file.h"
#include "goalsync/v1/log.pb.h"
#include "tests/fuzz/strict_schema.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void RunOne(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

bool Fail(const char* what) {
  std::fprintf(stderr, "event_fuzz_smoke: the strict-schema oracle is wrong about %s\n", what);
  return false;
}

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds;
  absl::StatusOr<goalsync::client::PlanFile> plan = goalsync::client::ReadPlanFile(EXAMPLE_PLAN_PATH);
  if (!plan.ok()) return seeds;
  for (const goalsync::v1::Event& e : plan->events) {
    goalsync::v1::AppendRequest r;
    r.set_workspace(plan->workspace);
    *r.add_events() = e;
    seeds.push_back(r.SerializeAsString());
  }
  return seeds;
}

// The strict-schema oracle itself must see what it is for, or the target's assertion could
// never fire.
bool OracleCatches() {
  goalsync::v1::Event e;
  auto* g = e.mutable_payload()->mutable_goal_created();
  g->set_goal_id("g");
  g->set_level(goalsync::v1::GOAL_LEVEL_TEAM);
  if (!goalsync::testing::StrictSchemaViolation(e).empty()) return Fail("a valid event");
  g->set_level(static_cast<goalsync::v1::GoalLevel>(-3));
  if (goalsync::testing::StrictSchemaViolation(e).empty()) return Fail("level -3");
  g->set_level(goalsync::v1::GOAL_LEVEL_TEAM);
  g->mutable_details()->set_weight(NAN);
  if (goalsync::testing::StrictSchemaViolation(e).empty()) return Fail("a NaN weight");
  g->mutable_details()->clear_weight();
  g->set_statement("\xc0\xaf");
  if (goalsync::testing::StrictSchemaViolation(e).empty()) return Fail("an overlong UTF-8 form");
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3;
  std::string write_corpus, regressions = REGRESSIONS_DIR;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--seconds") seconds = std::stod(argv[i + 1]);
    if (flag == "--write-corpus") write_corpus = argv[i + 1];
    if (flag == "--regressions") regressions = argv[i + 1];
  }
  const std::vector<std::string> seeds = Seeds();
  if (seeds.empty()) {
    std::fprintf(stderr, "event_fuzz_smoke: cannot read the example plan %s\n", EXAMPLE_PLAN_PATH);
    return 1;
  }
  if (!write_corpus.empty()) {
    std::filesystem::create_directories(write_corpus);
    for (size_t i = 0; i < seeds.size(); ++i) {
      std::ofstream(write_corpus + "/seed-" + std::to_string(i)) << seeds[i];
    }
    std::printf("%zu seeds written to %s\n", seeds.size(), write_corpus.c_str());
    return 0;
  }
  if (!OracleCatches()) return 1;
  RunOne("");  // builds the example plan (and quiets protobuf's parse warnings) first
  size_t saved = 0;
  if (std::filesystem::is_directory(regressions)) {
    for (const auto& f : std::filesystem::directory_iterator(regressions)) {
      if (!f.is_regular_file() || f.path().filename() == "README.md") continue;
      std::ifstream in(f.path(), std::ios::binary);
      std::stringstream s;
      s << in.rdbuf();
      RunOne(s.str());
      ++saved;
    }
  }
  for (const std::string& s : seeds) RunOne(s);
  std::mt19937_64 rng(20261129);
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  size_t runs = 0;
  while (std::chrono::steady_clock::now() < until) {
    std::string input = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < edits && !input.empty(); ++k) {
      const size_t at = rng() % input.size();
      switch (rng() % 5) {
        case 0: input[at] = static_cast<char>(input[at] ^ (1 << (rng() % 8))); break;
        case 1: input[at] = static_cast<char>(rng()); break;
        case 2: input.resize(at); break;
        case 3: input.insert(at, 1, static_cast<char>(rng())); break;
        default: input += seeds[rng() % seeds.size()].substr(rng() % 8); break;  // splice
      }
    }
    RunOne(input);
    ++runs;
  }
  std::printf("event_fuzz_smoke: %zu regression inputs, %zu seeds, %zu mutated inputs in %.0f s: no crash\n",
              saved, seeds.size(), runs, seconds);
  return 0;
}
