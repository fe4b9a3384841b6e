#include "server/store/store_verifier.h"

#include <filesystem>
#include <future>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/log/event_log.h"
#include "server/store/keys.h"
#include "tests/support/raw_store.h"
#include "tests/support/requests.h"
#include "tests/support/temp_dir.h"

namespace goalsync::server {
namespace {

using ::testing::HasSubstr;
using goalsync::testing::RawStore;
using goalsync::testing::TempDir;

// A data dir written by the real append path: workspace "acme" (id 1) with 6 events and
// "globex" (id 2) with 2.
void WriteDataDir(const std::string& dir) {
  auto store = std::move(LogStore::Open({.dir = dir})).value();
  EventLog log(*store, {});
  auto append = [&](const std::string& ws, const std::string& id) {
    const v1::AppendRequest req = goalsync::testing::GoalCreations(ws, {id});
    std::promise<bool> done;
    log.Append(req, [&](absl::StatusOr<v1::AppendResponse> r) { done.set_value(r.ok()); });
    ASSERT_TRUE(done.get_future().get());
  };
  for (int i = 1; i <= 6; ++i) append("acme", "a" + std::to_string(i));
  append("globex", "g1");
  append("globex", "g2");
}

// The log family of workspace id 1 ("acme") in a copy, as someone with the disk would see it.
class RawLog {
 public:
  explicit RawLog(const std::string& dir) : raw_(dir) {}
  std::string Get(uint64_t seq) { return raw_.Get(RawStore::kLog, keys::LogKey(1, seq)); }
  void Put(uint64_t seq, const std::string& v) { raw_.Put(RawStore::kLog, keys::LogKey(1, seq), v); }
  void Delete(uint64_t seq) { raw_.Delete(RawStore::kLog, keys::LogKey(1, seq)); }

 private:
  RawStore raw_;
};

class StoreVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override { WriteDataDir(dir_.Sub("orig")); }

  // Copies the data dir, lets `tamper` change the copy, and verifies the copy.
  std::vector<WorkspaceVerdict> VerifyTamperedCopy(void (*tamper)(RawLog&)) {
    const std::string copy = dir_.Sub("copy-" + std::to_string(copies_++));
    std::filesystem::copy(dir_.Sub("orig"), copy, std::filesystem::copy_options::recursive);
    {
      RawLog raw(copy);
      tamper(raw);
    }
    auto store = std::move(LogStore::Open({.dir = copy, .read_only = true})).value();
    return VerifyStore(*store).value();
  }

  TempDir dir_;
  int copies_ = 0;
};

TEST_F(StoreVerifierTest, ASoundDataDirVerifies) {
  auto verdicts = VerifyTamperedCopy([](RawLog&) {});
  ASSERT_EQ(verdicts.size(), 2u);
  EXPECT_EQ(verdicts[0].workspace, "acme");
  EXPECT_TRUE(verdicts[0].status.ok()) << verdicts[0].status;
  EXPECT_EQ(verdicts[0].events, 6u);
  EXPECT_EQ(verdicts[1].events, 2u);
}

TEST_F(StoreVerifierTest, AnAlteredEventIsFoundBySeq) {
  auto verdicts = VerifyTamperedCopy([](RawLog& raw) {
    v1::Event e;
    ASSERT_TRUE(e.ParseFromString(raw.Get(3)));
    e.mutable_payload()->mutable_goal_created()->set_statement("raised target");
    raw.Put(3, e.SerializeAsString());
  });
  EXPECT_EQ(verdicts[0].status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(std::string(verdicts[0].status.message()), HasSubstr("seq 3: content"));
  EXPECT_EQ(verdicts[0].events, 2u);
  EXPECT_TRUE(verdicts[1].status.ok()) << "other workspaces are judged on their own";
}

TEST_F(StoreVerifierTest, ARemovedEventIsFoundBySeq) {
  auto verdicts = VerifyTamperedCopy([](RawLog& raw) { raw.Delete(4); });
  EXPECT_THAT(std::string(verdicts[0].status.message()), HasSubstr("seq 4: expected next"));
}

TEST_F(StoreVerifierTest, ARemovedLastEventIsFoundAgainstTheHead) {
  auto verdicts = VerifyTamperedCopy([](RawLog& raw) { raw.Delete(6); });
  EXPECT_THAT(std::string(verdicts[0].status.message()), HasSubstr("seq 6: missing"));
}

TEST_F(StoreVerifierTest, ReorderedEventsAreFoundBySeq) {
  auto verdicts = VerifyTamperedCopy([](RawLog& raw) {
    const std::string two = raw.Get(2), three = raw.Get(3);
    raw.Put(2, three);
    raw.Put(3, two);
  });
  EXPECT_THAT(std::string(verdicts[0].status.message()), HasSubstr("seq 2: expected next"));
}

TEST_F(StoreVerifierTest, ReadOnlyOpenOfAMissingDirFails) {
  auto store = LogStore::Open({.dir = dir_.Sub("nothing-here"), .read_only = true});
  EXPECT_FALSE(store.ok());
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("nothing-here")));
}

}  // namespace
}  // namespace goalsync::server
