// Backup and verified restore against a real goalsyncd: an online backup (goalctl admin
// backup, through client-lib's AdminClient) under a 64-client append load restores to a
// data dir that holds every event acknowledged before the backup started, with every chain
// and signed checkpoint verified; an offline backup (goalsyncd backup) adds incrementally;
// a damaged backup is refused.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "goalsync/log_client.h"
#include "gtest/gtest.h"
#include "server/store/log_store.h"
#include "tests/support/goalsyncd_process.h"
#include "tests/support/requests.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace goalsync {
namespace {

using ::testing::HasSubstr;
using testing::CommandResult;
using testing::RunCommand;

constexpr int kClients = 64;

// Appends one event a request from kClients threads until stopped, keeping what was acked.
class Load {
 public:
  explicit Load(const std::string& address) {
    for (int c = 0; c < kClients; ++c) {
      threads_.emplace_back([this, address, c] {
        client::LogClient client(address);
        for (int i = 0; !stop_; ++i) {
          const std::string id = absl::StrCat("c", c, "-", i);
          absl::StatusOr<goalsync::v1::AppendResponse> r =
              client.Append(testing::GoalCreations("acme", {id}));
          if (!r.ok()) continue;
          absl::MutexLock lock(&mu_);
          acked_.emplace_back(id, r->first_seq());
        }
      });
    }
  }
  ~Load() { Stop(); }
  void Stop() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  std::vector<std::pair<std::string, uint64_t>> Acked() {
    absl::MutexLock lock(&mu_);
    return acked_;
  }

 private:
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  std::vector<std::pair<std::string, uint64_t>> acked_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;
};

CommandResult Restore(const std::string& from, const std::string& to) {
  return RunCommand(absl::StrCat("timeout 120 ", GOALSYNCD_PATH, " restore --from ", from,
                                 " --data-dir ", to));
}

// Checks that the restored data dir holds each (event_id, seq) of `acked`.
void ExpectHolds(const std::string& data_dir,
                 const std::vector<std::pair<std::string, uint64_t>>& acked) {
  server::StoreOptions o;
  o.dir = data_dir;
  o.read_only = true;
  absl::StatusOr<std::unique_ptr<server::LogStore>> store = server::LogStore::Open(o);
  ASSERT_TRUE(store.ok()) << store.status();
  absl::StatusOr<server::WorkspaceRecord> ws = (*store)->FindWorkspace("acme");
  ASSERT_TRUE(ws.ok()) << ws.status();
  size_t missing = 0;
  for (const auto& [id, seq] : acked) {
    absl::StatusOr<goalsync::v1::Event> e = (*store)->ReadEvent(ws->id, seq);
    if (!e.ok() || e->event_id() != id) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << acked.size() << " acknowledged events";
}

TEST(BackupTest, OnlineBackupUnderLoadRestoresEveryAckedEventAndVerifies) {
  testing::TempDir dir;
  testing::GoalsyncdProcess server(
      dir.Sub("data"), {"--checkpoint-every", "200", "--checkpoint-interval-s", "1"});
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  Load load(server.address());
  // Bounded wait for some load to have been acknowledged, and for the checkpointer (a round
  // a second) to have signed heads, so that the restore has checkpoints to verify.
  const absl::Time loading = absl::Now();
  for (int i = 0; i < 1000 && (load.Acked().size() < 3000 || absl::Now() - loading < absl::Seconds(2.5));
       ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  const std::vector<std::pair<std::string, uint64_t>> before = load.Acked();
  ASSERT_GT(before.size(), 500u);
  const absl::Time start = absl::Now();
  CommandResult backup = RunCommand(absl::StrCat(
      "timeout 120 ", GOALCTL_PATH, " --server ", server.address(), " admin backup --to ",
      dir.Sub("backup")));
  const absl::Duration took = absl::Now() - start;
  const size_t during = load.Acked().size() - before.size();
  load.Stop();
  ASSERT_EQ(backup.exit_code, 0) << backup.out << server.Log();
  EXPECT_THAT(backup.out, HasSubstr("backup 1 in "));
  std::printf("online backup under %d clients: %s, %zu events acked before, %zu during\n",
              kClients, absl::FormatDuration(took).c_str(), before.size(), during);
  ASSERT_EQ(server.Stop(), 0);

  CommandResult restore = Restore(dir.Sub("backup"), dir.Sub("restored"));
  ASSERT_EQ(restore.exit_code, 0) << restore.out;
  EXPECT_THAT(restore.out, HasSubstr("acme: chain OK"));
  EXPECT_THAT(restore.out, HasSubstr("signed checkpoints verified"));
  EXPECT_THAT(restore.out, HasSubstr("is good"));
  ExpectHolds(dir.Sub("restored"), before);

  // Offline, into the same dir: incremental, and it holds everything (the server stopped).
  CommandResult offline = RunCommand(absl::StrCat(
      "timeout 120 ", GOALSYNCD_PATH, " backup --data-dir ", dir.Sub("data"), " --to ",
      dir.Sub("backup")));
  ASSERT_EQ(offline.exit_code, 0) << offline.out;
  EXPECT_THAT(offline.out, HasSubstr("backup 2 in "));
  CommandResult again = Restore(dir.Sub("backup"), dir.Sub("restored2"));
  ASSERT_EQ(again.exit_code, 0) << again.out;
  ExpectHolds(dir.Sub("restored2"), load.Acked());

  // A restore never overwrites.
  CommandResult over = Restore(dir.Sub("backup"), dir.Sub("restored2"));
  EXPECT_EQ(over.exit_code, 1);
  EXPECT_THAT(over.out, HasSubstr("not empty"));

  // A damaged backup file is found before anything is declared good.
  int damaged_files = 0;
  for (const auto& f : std::filesystem::recursive_directory_iterator(dir.Sub("backup/log"))) {
    if (f.path().extension() != ".sst") continue;
    std::fstream file(f.path(), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(100);
    file.put('\x5a');
    ++damaged_files;
  }
  ASSERT_GT(damaged_files, 0);
  CommandResult damaged = Restore(dir.Sub("backup"), dir.Sub("restored3"));
  EXPECT_EQ(damaged.exit_code, 1) << damaged.out;
}

TEST(BackupTest, OnlineBackupNeedsAnAdminOfTheWholeServer) {
  testing::TempDir dir;
  auto token = [&](const std::string& name, const std::string& grant) {
    CommandResult r = RunCommand(absl::StrCat(GOALSYNCD_PATH, " token create --data-dir ",
                                              dir.Sub("data"), " --name ", name, " --grant ",
                                              grant));
    EXPECT_EQ(r.exit_code, 0) << r.out;
    // The token is the last line (the line before it, on stderr, says it is shown once).
    const std::string out(absl::StripAsciiWhitespace(r.out));
    return out.substr(out.rfind('\n') + 1);
  };
  const std::string ws_admin = token("wsadmin", "acme=admin");
  const std::string root = token("root", "*=admin");
  testing::GoalsyncdProcess server(dir.Sub("data"), {}, /*auth=*/true);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  auto backup = [&](const std::string& tok) {
    return RunCommand(absl::StrCat("timeout 60 ", GOALCTL_PATH, " --server ", server.address(),
                                   " --token ", tok, " admin backup --to ", dir.Sub("backup")));
  };
  CommandResult refused = backup(ws_admin);
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_THAT(refused.out, HasSubstr("not an admin of every workspace"));
  CommandResult ok = backup(root);
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  ASSERT_EQ(server.Stop(), 0);
  CommandResult restore = Restore(dir.Sub("backup"), dir.Sub("restored"));
  EXPECT_EQ(restore.exit_code, 0) << restore.out;
  // The tokens came along.
  CommandResult tokens = RunCommand(absl::StrCat(GOALSYNCD_PATH, " token list --data-dir ",
                                                 dir.Sub("restored")));
  EXPECT_THAT(tokens.out, HasSubstr("wsadmin"));
}

}  // namespace
}  // namespace goalsync
