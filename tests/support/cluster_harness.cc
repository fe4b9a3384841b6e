#include "tests/support/cluster_harness.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "core/hash_chain.h"
#include "core/signing.h"
#include "goalsync/audit_client.h"
#include "goalsync/cluster_client.h"
#include "goalsync/log_client.h"
#include "goalsync/server_group.h"
#include "tests/support/requests.h"

namespace goalsync::testing {
namespace {

bool Accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  const bool up = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return up;
}

}  // namespace

ClusterHarness::ClusterHarness(std::string dir, int nodes, std::vector<std::string> extra_args)
    : dir_(std::move(dir)), extra_args_(std::move(extra_args)), etcd_(dir_) {
  nodes_.resize(nodes);
  for (int i = 0; i < nodes; ++i) {
    nodes_[i].id = absl::StrCat("n", i + 1);
    nodes_[i].data_dir = absl::StrCat(dir_, "/", nodes_[i].id);
    nodes_[i].port = FreePort();
  }
}

ClusterHarness::~ClusterHarness() {
  for (int i = 0; i < size(); ++i) KillNode(i);
  etcd_.Kill();
  // Keep the nodes' logs past the temp dir, for a failure's post-mortem, named after the
  // temp dir so that the next group of the same run (another test case) does not overwrite
  // them: <keep>/<temp dir name>-n1.log ...
  if (const char* keep = std::getenv("GOALSYNC_CLUSTER_LOG_DIR"); keep != nullptr) {
    const std::string run = std::filesystem::path(dir_).filename().string();
    for (const Node& n : nodes_) {
      std::error_code ec;
      const std::string to = absl::StrCat(keep, "/", run, "-", n.id, ".log");
      std::filesystem::copy_file(n.data_dir + ".log", to,
                                 std::filesystem::copy_options::overwrite_existing, ec);
      std::fprintf(stderr, "cluster harness: %s's log %s %s\n", n.id.c_str(),
                   ec ? "could not be kept:" : "kept in", ec ? ec.message().c_str() : to.c_str());
    }
  }
}

absl::Status ClusterHarness::Start() {
  if (absl::Status s = etcd_.Start(); !s.ok()) return s;
  const int etcd_port = std::stoi(etcd_.endpoint().substr(etcd_.endpoint().rfind(':') + 1));
  for (Node& n : nodes_) {
    n.front = std::make_unique<TcpProxy>(n.port);
    n.etcd = std::make_unique<TcpProxy>(etcd_port);
  }
  for (int i = 0; i < size(); ++i) {
    if (absl::Status s = StartNode(i); !s.ok()) return s;
  }
  absl::StatusOr<int> leader = Leader();
  return leader.ok() ? absl::OkStatus() : leader.status();
}

absl::Status ClusterHarness::StartNode(int i) {
  Node& n = nodes_[i];
  KillNode(i);
  // GOALSYNC_CLUSTER_GOALSYNCD: another binary, e.g. a copy taken before a long soak, so that
  // a rebuild of the shared build dir meanwhile does not mix versions in one run.
  const char* binary = std::getenv("GOALSYNC_CLUSTER_GOALSYNCD");
  std::vector<std::string> args = {
      binary != nullptr && *binary != '\0' ? binary : GOALSYNCD_PATH, "--data-dir", n.data_dir, "--listen", absl::StrCat("127.0.0.1:", n.port),
      "--insecure-no-auth", "--cluster-etcd", n.etcd->address(), "--node-id", n.id,
      "--advertise", n.front->address(), "--cluster-size", std::to_string(size())};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  const std::string log_path = n.data_dir + ".log";
  n.pid = fork();
  if (n.pid == 0) {
    int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    if (log >= 0) dup2(log, STDERR_FILENO);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    if (Accepts(n.port)) return absl::OkStatus();
    int status;
    if (waitpid(n.pid, &status, WNOHANG) == n.pid) {
      n.pid = -1;
      return absl::UnavailableError(absl::StrCat(n.id, " exited at start: ", Log(i)));
    }
    absl::SleepFor(absl::Milliseconds(20));  // polling a port: bounded by the deadline
  }
  return absl::UnavailableError(absl::StrCat(n.id, " did not listen within 20 s"));
}

void ClusterHarness::KillNode(int i) {
  Node& n = nodes_[i];
  if (n.pid <= 0) return;
  kill(n.pid, SIGKILL);
  waitpid(n.pid, nullptr, 0);
  n.pid = -1;
}

void ClusterHarness::PauseNode(int i) {
  if (nodes_[i].pid > 0) kill(nodes_[i].pid, SIGSTOP);
}

void ClusterHarness::ResumeNode(int i) {
  if (nodes_[i].pid > 0) kill(nodes_[i].pid, SIGCONT);
}

std::string ClusterHarness::ClientAddress(int i) const {
  return absl::StrCat("127.0.0.1:", nodes_[i].port);
}

std::string ClusterHarness::ClientAddresses() const {
  std::vector<std::string> all;
  for (int i = 0; i < size(); ++i) all.push_back(ClientAddress(i));
  return absl::StrJoin(all, ",");
}

absl::StatusOr<int> ClusterHarness::Leader(absl::Duration timeout, int other_than) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::Status last = absl::DeadlineExceededError("no leader");
  while (absl::Now() < deadline) {
    absl::StatusOr<goalsync::v1::ClusterStatusResponse> st =
        client::ClusterStatus(ClientAddresses(), {}, absl::Seconds(2));
    if (st.ok()) {
      for (const auto& m : st->members()) {
        if (m.node_id() != st->leader() || m.role() != "leader") continue;
        for (int i = 0; i < size(); ++i) {
          if (nodes_[i].id == m.node_id() && i != other_than) return i;
        }
      }
    } else {
      last = st.status();
    }
    absl::SleepFor(absl::Milliseconds(100));  // polling etcd's view: bounded by the deadline
  }
  return absl::DeadlineExceededError(absl::StrCat("no serving leader within ",
                                                  absl::FormatDuration(timeout), ": ",
                                                  last.ToString(), LogTails()));
}

absl::Status ClusterHarness::WaitInSync(absl::Duration timeout, bool exact) {
  const absl::Time deadline = absl::Now() + timeout;
  std::string last;
  while (absl::Now() < deadline) {
    absl::StatusOr<goalsync::v1::ClusterStatusResponse> st =
        client::ClusterStatus(ClientAddresses(), {}, absl::Seconds(2));
    if (st.ok() && !st->leader().empty()) {
      bool in_sync = st->members_size() == size();
      uint64_t total = 0;
      for (const auto& m : st->members()) {
        if (m.node_id() == st->leader() && m.role() == "leader") total = m.committed_seq();
      }
      for (const auto& m : st->members()) {
        // Exact: the same committed total everywhere (no load running). Otherwise every
        // member up and holding the current leader's epoch mark.
        in_sync &= m.role() != "down" && m.role() != "candidate" && total > 0 &&
                   (exact ? m.committed_seq() == total : m.last_epoch() == st->epoch());
      }
      if (in_sync) return absl::OkStatus();
      last = st->DebugString();
    }
    absl::SleepFor(absl::Milliseconds(100));  // polling the group's status: bounded
  }
  return absl::DeadlineExceededError(absl::StrCat("members not in sync: ", last, LogTails()));
}

std::string ClusterHarness::Log(int i) const {
  std::ifstream in(nodes_[i].data_dir + ".log");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int ClusterHarness::RestartsInPlace(int i) const {
  const std::string log = Log(i);
  int n = 0;
  for (size_t at = log.find("restarts in place"); at != std::string::npos;
       at = log.find("restarts in place", at + 1)) {
    ++n;
  }
  return n;
}

std::string ClusterHarness::LogTails() const {
  std::string out;
  for (int i = 0; i < size(); ++i) {
    std::string log = Log(i);
    if (log.size() > 3000) log = log.substr(log.size() - 3000);
    absl::StrAppend(&out, "\n--- ", nodes_[i].id, " log tail:\n", log);
  }
  return out;
}

AppendLoad::AppendLoad(std::string servers, std::string workspace, int clients)
    : servers_(std::move(servers)), workspace_(std::move(workspace)), clients_(clients) {}

AppendLoad::~AppendLoad() { Stop(); }

namespace {

std::string LoadGoal(int client) { return absl::StrCat("goal-load-", client); }

// Check-in `id` on the goal of `client` (no period: one aggregate per goal).
goalsync::v1::AppendRequest CheckIn(const std::string& ws, int client, const std::string& id,
                                    uint64_t n) {
  goalsync::v1::AppendRequest req;
  req.set_workspace(ws);
  goalsync::v1::Event* e = req.add_events();
  e->set_event_id(id);
  auto* c = e->mutable_payload()->mutable_check_in_recorded();
  c->set_goal_id(LoadGoal(client));
  c->set_value(static_cast<double>(n % 7));
  c->set_confidence(0.7);
  return req;
}

}  // namespace

absl::Status AppendLoad::Start(absl::Duration timeout) {
  absl::StatusOr<std::unique_ptr<client::LogClient>> log = client::ConnectLogClient(servers_, {});
  if (!log.ok()) return log.status();
  goalsync::v1::AppendRequest goals;
  goals.set_workspace(workspace_);
  for (int c = 0; c < clients_; ++c) {
    goalsync::v1::Event* e = goals.add_events();
    e->set_event_id(absl::StrCat("create-", LoadGoal(c)));
    auto* g = e->mutable_payload()->mutable_goal_created();
    g->set_goal_id(LoadGoal(c));
    g->set_level(goalsync::v1::GOAL_LEVEL_TEAM);
    g->set_statement(absl::StrCat("the goal client ", c, " checks in on"));
  }
  const absl::Time deadline = absl::Now() + timeout;
  absl::Status last = absl::DeadlineExceededError("no attempt");
  while (absl::Now() < deadline) {  // the same event ids until acked: retries are deduplicated
    absl::StatusOr<goalsync::v1::AppendResponse> r = (*log)->Append(goals, absl::Seconds(10));
    if (r.ok()) {
      absl::MutexLock lock(&mu_);
      for (int i = 0; i < r->results_size(); ++i) {
        acks_.push_back({goals.events(i).event_id(), r->results(i).seq(), absl::Now()});
      }
      for (int c = 0; c < clients_; ++c) threads_.emplace_back([this, c] { Run(c); });
      return absl::OkStatus();
    }
    last = r.status();
  }
  return absl::Status(last.code(), absl::StrCat("creating the load's ", clients_, " goals in ",
                                                workspace_, ": ", last.message()));
}

void AppendLoad::Stop() {
  stop_ = true;
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void AppendLoad::Run(int client) {
  absl::StatusOr<std::unique_ptr<client::LogClient>> log = client::ConnectLogClient(servers_, {});
  if (!log.ok()) return;
  for (uint64_t n = 0; !stop_; ++n) {
    const std::string id = absl::StrCat("c", client, "-", n);
    goalsync::v1::AppendRequest req = CheckIn(workspace_, client, id, n);
    // The same event id until acked: a retry after a failover is deduplicated.
    while (!stop_) {
      absl::StatusOr<goalsync::v1::AppendResponse> r = (*log)->Append(req, absl::Seconds(10));
      if (r.ok()) {
        absl::MutexLock lock(&mu_);
        acks_.push_back({id, r->results(0).seq(), absl::Now()});
        break;
      }
      absl::MutexLock lock(&mu_);
      if (errors_.size() > 50) errors_.clear();  // keep the recent ones
      ++errors_[r.status().ToString().substr(0, 160)];
    }
  }
}

std::vector<AppendLoad::Ack> AppendLoad::Acks() {
  absl::MutexLock lock(&mu_);
  return acks_;
}

size_t AppendLoad::AckCount() {
  absl::MutexLock lock(&mu_);
  return acks_.size();
}

std::string AppendLoad::RecentErrors() {
  absl::MutexLock lock(&mu_);
  std::string out;
  for (const auto& [message, count] : errors_) absl::StrAppend(&out, "\n  ", count, "x ", message);
  return out;
}

absl::Time AppendLoad::FirstAckAfter(absl::Time t) {
  absl::MutexLock lock(&mu_);
  absl::Time first = absl::InfiniteFuture();
  for (const Ack& a : acks_) {
    if (a.at >= t) first = std::min(first, a.at);
  }
  return first;
}

bool AppendLoad::WaitAcksAfter(absl::Time t, size_t n, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    size_t k = 0;
    for (auto it = acks_.rbegin(); it != acks_.rend() && k < n; ++it) k += it->at >= t ? 1 : 0;
    return k >= n;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

namespace {

absl::Status CheckCheckpoints(ClusterHarness& cluster, const std::string& workspace,
                              const std::vector<goalsync::v1::Event>& log, CheckpointFacts* facts) {
  absl::StatusOr<goalsync::v1::ClusterStatusResponse> st =
      client::ClusterStatus(cluster.ClientAddresses(), {}, absl::Seconds(5));
  if (!st.ok()) return st.status();
  std::map<std::string, std::string> key_of;  // node id -> registered public key
  std::set<std::string> keys;
  for (const auto& m : st->members()) {
    if (m.public_key().empty()) {
      return absl::NotFoundError(absl::StrCat("member ", m.node_id(), " registered no public key"));
    }
    if (!keys.insert(m.public_key()).second) {
      return absl::FailedPreconditionError(absl::StrCat(m.node_id(), "'s key is another member's"));
    }
    key_of[m.node_id()] = m.public_key();
  }
  std::map<uint64_t, std::pair<std::string, std::string>> signed_at_seq;  // seq -> (hash, node)
  std::map<uint64_t, std::string> signer_of_epoch;
  facts->per_node.assign(cluster.size(), 0);
  for (int i = 0; i < cluster.size(); ++i) {
    const std::string id = absl::StrCat("n", i + 1);
    client::AuditClient audit(
        grpc::CreateChannel(cluster.ClientAddress(i), grpc::InsecureChannelCredentials()));
    absl::StatusOr<goalsync::v1::GetCheckpointsResponse> cps = audit.GetCheckpoints(workspace);
    if (!cps.ok()) return absl::Status(cps.status().code(), absl::StrCat(id, "'s checkpoints: ", cps.status().message()));
    if (cps->public_key_pem() != key_of[id]) {
      return absl::FailedPreconditionError(absl::StrCat(id, " serves a key that is not the one it registered"));
    }
    facts->per_node[i] = cps->checkpoints_size();
    for (const goalsync::v1::Checkpoint& cp : cps->checkpoints()) {
      const std::string where = absl::StrCat(id, "'s checkpoint at seq ", cp.seq(), " (epoch ", cp.epoch(), ")");
      if (cp.node_id() != id || cp.epoch() == 0) {
        return absl::FailedPreconditionError(absl::StrCat(where, " names node '", cp.node_id(), "' epoch ", cp.epoch()));
      }
      if (absl::Status s = core::VerifyCheckpoint(key_of[id], cp); !s.ok()) {
        return absl::Status(s.code(), absl::StrCat(where, ": ", s.message()));
      }
      if (cp.seq() == 0 || cp.seq() > log.size() || log[cp.seq() - 1].hash() != cp.hash()) {
        return absl::DataLossError(absl::StrCat(where, " signs a head that is not in the group's log"));
      }
      auto [seen, fresh] = signed_at_seq.try_emplace(cp.seq(), cp.hash(), id);
      if (!fresh && seen->second.second != id) {
        if (seen->second.first != cp.hash()) {
          return absl::DataLossError(absl::StrCat(where, " and ", seen->second.second,
                                                  "'s sign different hashes"));
        }
        ++facts->same_seq;
      }
      auto [signer, first] = signer_of_epoch.try_emplace(cp.epoch(), id);
      if (!first && signer->second != id) {
        return absl::FailedPreconditionError(absl::StrCat(where, ": ", signer->second,
                                                          " signed in the same epoch"));
      }
    }
  }
  facts->epochs = signer_of_epoch.size();
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckGroup(ClusterHarness& cluster, const std::string& workspace,
                        const std::vector<AppendLoad::Ack>& acks, uint64_t* events,
                        CheckpointFacts* checkpoints) {
  std::vector<std::vector<goalsync::v1::Event>> logs(cluster.size());
  for (int i = 0; i < cluster.size(); ++i) {
    client::LogClient log(cluster.ClientAddress(i));
    absl::Status s = log.Read(workspace, 1, 0, [&](const goalsync::v1::Event& e) {
      logs[i].push_back(e);
      return absl::OkStatus();
    });
    if (!s.ok()) return absl::Status(s.code(), absl::StrCat("reading node ", i + 1, ": ", s.message()));
  }
  const auto& first = logs[0];
  *events = first.size();
  std::set<std::string> ids;
  std::string prev = core::GenesisHash();
  for (size_t k = 0; k < first.size(); ++k) {
    const auto& e = first[k];
    if (e.seq() != k + 1 || e.prev_hash() != prev || core::ComputeEventHash(e) != e.hash()) {
      return absl::DataLossError(absl::StrCat("node 1's chain breaks at seq ", k + 1));
    }
    prev = e.hash();
    if (!ids.insert(e.event_id()).second) {
      return absl::DataLossError(absl::StrCat("event_id ", e.event_id(), " twice (seq ", e.seq(), ")"));
    }
  }
  for (int i = 1; i < cluster.size(); ++i) {
    if (logs[i].size() != first.size()) {
      return absl::DataLossError(absl::StrCat("node ", i + 1, " holds ", logs[i].size(),
                                              " events, node 1 ", first.size()));
    }
    for (size_t k = 0; k < first.size(); ++k) {
      if (logs[i][k].SerializeAsString() != first[k].SerializeAsString()) {
        return absl::DataLossError(absl::StrCat("node ", i + 1, " differs at seq ", k + 1));
      }
    }
  }
  for (const AppendLoad::Ack& a : acks) {
    if (a.seq == 0 || a.seq > first.size() || first[a.seq - 1].event_id() != a.event_id) {
      return absl::DataLossError(absl::StrCat("acked event ", a.event_id, " (seq ", a.seq,
                                              ") is not in the group's log there"));
    }
  }
  CheckpointFacts facts;
  if (absl::Status s = CheckCheckpoints(cluster, workspace, first, &facts); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("signed checkpoints: ", s.message()));
  }
  if (checkpoints != nullptr) *checkpoints = std::move(facts);
  return absl::OkStatus();
}

}  // namespace goalsync::testing
