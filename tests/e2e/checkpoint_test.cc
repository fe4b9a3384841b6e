// Signed checkpoints and `goalctl audit verify`, against a real goalsyncd: a sound log
// verifies; an altered, removed or reordered event in the data dir is found by seq; a
// rewrite that re-seals the whole chain is still caught by a checkpoint the auditor kept.
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "core/hash_chain.h"
#include "gmock/gmock.h"
#include "goalsync/log_client.h"
#include "gtest/gtest.h"
#include "server/store/keys.h"
#include "tests/support/goalsyncd_process.h"
#include "tests/support/raw_store.h"
#include "tests/support/requests.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace goalsync {
namespace {

using ::testing::HasSubstr;
using testing::CommandResult;
using testing::GoalsyncdProcess;
using testing::RawStore;
using testing::RunCommand;
using testing::TempDir;

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = Start(dir_.Sub("data"));
    client::LogClient c(server_->address());
    std::vector<std::string> ids;
    for (int i = 0; i < 25; ++i) ids.push_back(absl::StrCat("e", i));
    ASSERT_TRUE(c.Append(testing::GoalCreations("acme", ids)).ok());
    WaitForCheckpoint(25);
    CommandResult pub = RunCommand(std::string(GOALSYNCD_PATH) + " pubkey --data-dir " +
                                   dir_.Sub("data") + " > " + dir_.Sub("server.pub"));
    ASSERT_EQ(pub.exit_code, 0) << pub.out;
  }

  std::unique_ptr<GoalsyncdProcess> Start(const std::string& data) {
    auto s = std::make_unique<GoalsyncdProcess>(
        data, std::vector<std::string>{"--checkpoint-every", "10", "--checkpoint-interval-s", "0"});
    EXPECT_TRUE(s->Start().ok()) << s->Log();
    return s;
  }

  void WaitForCheckpoint(uint64_t seq) {
    for (int i = 0; i < 100; ++i) {
      CommandResult r = Goalctl("audit checkpoint");
      if (r.exit_code == 0 && r.out.find(absl::StrCat("\"seq\":\"", seq, "\"")) != std::string::npos) return;
      absl::SleepFor(absl::Milliseconds(100));
    }
    FAIL() << "no checkpoint at seq " << seq;
  }

  CommandResult Goalctl(const std::string& args) {
    return RunCommand("GOALSYNC_SERVER=" + server_->address() + " GOALSYNC_WORKSPACE=acme timeout 60 " +
                      GOALCTL_PATH + " " + args);
  }

  // Stops the server, lets `tamper` change a copy of its data dir, and serves the copy.
  void ServeTamperedCopy(const std::function<void(RawStore&)>& tamper) {
    ASSERT_EQ(server_->Stop(), 0);
    const std::string copy = dir_.Sub("copy");
    std::filesystem::copy(dir_.Sub("data"), copy, std::filesystem::copy_options::recursive);
    {
      RawStore raw(copy);
      tamper(raw);
    }
    server_ = Start(copy);
  }

  v1::Event Stored(RawStore& raw, uint64_t seq) {
    v1::Event e;
    e.ParseFromString(raw.Get(RawStore::kLog, server::keys::LogKey(1, seq)));
    return e;
  }

  TempDir dir_;
  std::unique_ptr<GoalsyncdProcess> server_;
};

TEST_F(CheckpointTest, ASoundLogVerifiesAndOnlyGrewSinceAKeptCheckpoint) {
  CommandResult kept = Goalctl("audit checkpoint");
  ASSERT_EQ(kept.exit_code, 0) << kept.out;
  std::ofstream(dir_.Sub("kept.json")) << kept.out;
  client::LogClient c(server_->address());
  ASSERT_TRUE(c.Append(testing::GoalCreations("acme", {"x1", "x2", "x3"})).ok());

  CommandResult r = Goalctl("audit verify --pubkey " + dir_.Sub("server.pub") + " --checkpoint " +
                            dir_.Sub("kept.json"));
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.out, HasSubstr("chain: 28 events of acme recomputed"));
  EXPECT_THAT(r.out, HasSubstr("signed heads verified"));
  EXPECT_THAT(r.out, HasSubstr("your checkpoint: seq 25"));
  EXPECT_THAT(r.out, HasSubstr("still holds: the log only grew since (3 events added)"));

  // Another key does not vouch for these checkpoints.
  CommandResult other_key = RunCommand(std::string(GOALSYNCD_PATH) + " pubkey --data-dir " +
                                       dir_.Sub("other") + " > " + dir_.Sub("other.pub"));
  ASSERT_EQ(other_key.exit_code, 0);
  CommandResult wrong = Goalctl("audit verify --pubkey " + dir_.Sub("other.pub"));
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_THAT(wrong.out, HasSubstr("does not match the key"));

  // Several trusted keys (a replica group's members): each checkpoint is checked with the
  // one its key_id names; a checkpoint signed by none of them is refused.
  CommandResult both = Goalctl("audit verify --pubkey " + dir_.Sub("other.pub") + " --pubkey " +
                               dir_.Sub("server.pub"));
  EXPECT_EQ(both.exit_code, 0) << both.out;
  EXPECT_THAT(both.out, HasSubstr("signed heads verified"));
  CommandResult third = RunCommand(std::string(GOALSYNCD_PATH) + " pubkey --data-dir " +
                                   dir_.Sub("third") + " > " + dir_.Sub("third.pub"));
  ASSERT_EQ(third.exit_code, 0);
  CommandResult neither = Goalctl("audit verify --pubkey " + dir_.Sub("other.pub") + " --pubkey " +
                                  dir_.Sub("third.pub"));
  EXPECT_EQ(neither.exit_code, 1);
  EXPECT_THAT(neither.out, HasSubstr("which is none of the --pubkey keys you trust"));
}

TEST_F(CheckpointTest, AnAlteredEventIsFoundBySeq) {
  ServeTamperedCopy([&](RawStore& raw) {
    v1::Event e = Stored(raw, 5);
    e.mutable_payload()->mutable_goal_created()->set_statement("rewritten");
    raw.Put(RawStore::kLog, server::keys::LogKey(1, 5), e.SerializeAsString());
  });
  CommandResult r = Goalctl("audit verify --pubkey " + dir_.Sub("server.pub"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("seq 5: content does not match its hash (the event was altered)"));
}

TEST_F(CheckpointTest, ARemovedEventIsFoundBySeq) {
  ServeTamperedCopy([&](RawStore& raw) { raw.Delete(RawStore::kLog, server::keys::LogKey(1, 7)); });
  CommandResult r = Goalctl("audit verify --pubkey " + dir_.Sub("server.pub"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("seq 7: expected next, found seq 8"));
}

TEST_F(CheckpointTest, ReorderedEventsAreFoundBySeq) {
  ServeTamperedCopy([&](RawStore& raw) {
    const std::string a = raw.Get(RawStore::kLog, server::keys::LogKey(1, 3));
    const std::string b = raw.Get(RawStore::kLog, server::keys::LogKey(1, 4));
    raw.Put(RawStore::kLog, server::keys::LogKey(1, 3), b);
    raw.Put(RawStore::kLog, server::keys::LogKey(1, 4), a);
  });
  CommandResult r = Goalctl("audit verify --pubkey " + dir_.Sub("server.pub"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("seq 3: expected next, found seq 4"));
}

TEST_F(CheckpointTest, ARewriteThatResealsTheChainIsCaughtByAKeptCheckpoint) {
  CommandResult kept = Goalctl("audit checkpoint");
  ASSERT_EQ(kept.exit_code, 0);
  std::ofstream(dir_.Sub("kept.json")) << kept.out;
  // Someone with the disk rewrites event 5 and re-seals every event after it, so the chain
  // itself is sound again; the server's own checkpoints then no longer match.
  ServeTamperedCopy([&](RawStore& raw) {
    std::string prev = Stored(raw, 4).hash();
    for (uint64_t seq = 5; seq <= 25; ++seq) {
      v1::Event e = Stored(raw, seq);
      if (seq == 5) e.mutable_payload()->mutable_goal_created()->set_statement("rewritten");
      e.set_prev_hash(prev);
      e.clear_hash();
      raw.Put(RawStore::kLog, server::keys::LogKey(1, seq), core::SealEvent(&e));
      prev = e.hash();
    }
    std::string head;
    server::keys::PutBigEndian64(&head, 25);
    raw.Put(RawStore::kMeta, server::keys::HeadKey(1), head + prev);
  });
  CommandResult r = Goalctl("audit verify --pubkey " + dir_.Sub("server.pub") + " --checkpoint " +
                            dir_.Sub("kept.json"));
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_THAT(r.out, HasSubstr("chain: 25 events of acme recomputed"));
  EXPECT_THAT(r.out, HasSubstr("is not the one the server signed: the log up to it was rewritten"));
}

}  // namespace
}  // namespace goalsync
