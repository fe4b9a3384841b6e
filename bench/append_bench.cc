// append_bench: durable append throughput and ack latency of goalsyncd, each mode beside a
// baseline measured in the same run (the machines are shared and noisy: ratios are what
// count). See bench/README.md.
//
//   append_bench [--server ADDR] [--workspace WS] [--clients N] [--events M] [--modes ...]
//
// With no --server it starts its own goalsyncd on a temp data dir and a free loopback port.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "goalsync/log_client.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "rocksdb/db.h"
#include "tests/support/goalsyncd_process.h"
#include "tests/support/temp_dir.h"

namespace goalsync::bench {
namespace {

using Clock = std::chrono::steady_clock;
using v1::AppendRequest;
using v1::Event;

struct Result {
  double per_second = 0;  // events (or calls) per second
  double p50_us = 0;
  double p99_us = 0;
};

// Runs `clients` threads; thread i calls `work(i, record)` and records one latency sample per
// operation through `record`. Returns the wall time.
template <typename Work>
Result RunClients(int clients, uint64_t units, Work work) {
  std::vector<std::vector<double>> samples(clients);
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int i = 0; i < clients; ++i) {
    threads.emplace_back([&, i] { work(i, samples[i]); });
  }
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& s : samples) all.insert(all.end(), s.begin(), s.end());
  std::sort(all.begin(), all.end());
  Result r;
  r.per_second = units / seconds;
  if (!all.empty()) {
    r.p50_us = all[all.size() / 2];
    r.p99_us = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  }
  return r;
}

// --token: sent with every call (a server with authentication refuses calls without one).
std::string g_token;

// A step failed: say which and why, and exit non-zero (a bench that fails must not look
// like one that printed nothing).
[[noreturn]] void Die(const std::string& step, const std::string& why) {
  std::fprintf(stderr, "append_bench: %s failed: %s\n", step.c_str(), why.c_str());
  std::fflush(stderr);
  std::exit(1);
}

void AddToken(grpc::ClientContext& ctx) {
  if (!g_token.empty()) ctx.AddMetadata("authorization", "Bearer " + g_token);
}

double MicrosSince(Clock::time_point t) {
  return std::chrono::duration<double, std::micro>(Clock::now() - t).count();
}

constexpr int kGoals = 100;

// A ~200-byte event, as a replica would send it: a check-in on one of kGoals goals.
Event MakeEvent(const std::string& tag, uint64_t i) {
  Event e;
  e.set_event_id(absl::StrCat(tag, "-", i, "-", client::NewEventId()));
  e.set_actor("bench");
  auto* c = e.mutable_payload()->mutable_check_in_recorded();
  c->set_goal_id(absl::StrCat("goal-", i % kGoals));
  c->set_value(static_cast<double>(i % 7));
  c->set_confidence(0.8);
  c->set_note(std::string(90, 'x'));
  return e;
}

// Creates the goals the events check in on (not timed).
void CreateGoals(const std::string& address, const std::string& ws) {
  client::LogClient client(address);
  client.set_token(g_token);
  AppendRequest req;
  req.set_workspace(ws);
  for (int g = 0; g < kGoals; ++g) {
    Event* e = req.add_events();
    e->set_event_id(absl::StrCat("create-", g));
    auto* c = e->mutable_payload()->mutable_goal_created();
    c->set_goal_id(absl::StrCat("goal-", g));
    c->set_level(v1::GOAL_LEVEL_TEAM);
    c->set_statement("benchmark goal");
  }
  if (absl::StatusOr<v1::AppendResponse> r = client.Append(req); !r.ok()) {
    Die("creating the goals", r.status().ToString() +
                                  (absl::IsUnauthenticated(r.status()) ? " (pass --token)" : ""));
  }
}

std::vector<std::shared_ptr<grpc::Channel>> Channels(const std::string& address, int n) {
  // Several channels: one HTTP/2 connection caps its concurrent streams.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < n; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("bench_channel_id", i);  // distinct args: distinct connections
    channels.push_back(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
  }
  return channels;
}

Result GrpcNoop(const std::string& address, int clients, uint64_t calls) {
  auto channels = Channels(address, clients);
  return RunClients(clients, calls, [&](int i, std::vector<double>& lat) {
    auto stub = grpc::health::v1::Health::NewStub(channels[i]);
    for (uint64_t n = i; n < calls; n += clients) {
      grpc::ClientContext ctx;
      grpc::health::v1::HealthCheckResponse resp;
      auto t = Clock::now();
      AddToken(ctx);
      if (grpc::Status st = stub->Check(&ctx, {}, &resp); !st.ok()) Die("the gRPC no-op", st.error_message());
      lat.push_back(MicrosSince(t));
    }
  });
}

// Requests are built before the clock starts: the client's own work is not the server's.
std::vector<AppendRequest> MakeRequests(const std::string& ws, const std::string& tag,
                                        uint64_t count, int per_request) {
  std::vector<AppendRequest> requests(count);
  for (uint64_t n = 0; n < count; ++n) {
    requests[n].set_workspace(ws);
    for (int k = 0; k < per_request; ++k) {
      *requests[n].add_events() = MakeEvent(tag, n * per_request + k);
    }
  }
  return requests;
}

Result Single(const std::string& address, const std::string& ws, int clients, uint64_t events) {
  auto channels = Channels(address, clients);
  const std::vector<AppendRequest> requests = MakeRequests(ws, "single", events, 1);
  return RunClients(clients, events, [&](int i, std::vector<double>& lat) {
    client::LogClient client(channels[i]);
    client.set_token(g_token);
    for (uint64_t n = i; n < events; n += clients) {
      const AppendRequest& req = requests[n];
      auto t = Clock::now();
      auto r = client.Append(req);
      if (!r.ok()) Die("an append", r.status().ToString());
      lat.push_back(MicrosSince(t));
    }
  });
}

Result Batch(const std::string& address, const std::string& ws, int clients, uint64_t events) {
  auto channels = Channels(address, clients);
  const uint64_t batches = events / 100;
  const std::vector<AppendRequest> requests = MakeRequests(ws, "batch", batches, 100);
  return RunClients(clients, batches * 100, [&](int i, std::vector<double>& lat) {
    client::LogClient client(channels[i]);
    client.set_token(g_token);
    for (uint64_t b = i; b < batches; b += clients) {
      auto t = Clock::now();
      if (auto r = client.Append(requests[b]); !r.ok()) Die("a batch append", r.status().ToString());
      lat.push_back(MicrosSince(t));
    }
  });
}

// Each client: one AppendStream, one event per message, up to `window` messages in flight.
Result Stream(const std::string& address, const std::string& ws, int clients, uint64_t events,
              int window) {
  auto channels = Channels(address, clients);
  const std::vector<AppendRequest> requests = MakeRequests(ws, "stream", events, 1);
  return RunClients(clients, events, [&](int i, std::vector<double>& lat) {
    auto stub = v1::EventLog::NewStub(channels[i]);
    grpc::ClientContext ctx;
    AddToken(ctx);
    auto stream = stub->AppendStream(&ctx);
    std::vector<uint64_t> mine;
    for (uint64_t n = i; n < events; n += clients) mine.push_back(n);
    std::vector<Clock::time_point> sent(mine.size());
    std::mutex mu;
    std::condition_variable cv;
    size_t acked = 0;
    std::thread reader([&] {
      v1::AppendStreamResponse resp;
      while (acked < mine.size() && stream->Read(&resp)) {
        std::lock_guard<std::mutex> lock(mu);
        for (const auto& ack : resp.acks()) {
          if (!ack.has_ok()) Die("a streamed append", ack.ShortDebugString());
          lat.push_back(MicrosSince(sent[ack.request_id()]));
          ++acked;
        }
        cv.notify_one();
      }
    });
    for (size_t k = 0; k < mine.size(); ++k) {
      {
        std::unique_lock<std::mutex> lock(mu);
        cv.wait(lock, [&] { return k - acked < size_t(window); });
        sent[k] = Clock::now();
      }
      v1::AppendStreamRequest req;
      req.set_request_id(k);
      *req.mutable_append() = requests[mine[k]];
      if (!stream->Write(req)) Die("writing to the append stream", stream->Finish().error_message());
    }
    stream->WritesDone();
    reader.join();
    stream->Finish();
  });
}

// RocksDB alone: `clients` threads writing `events` ~200-byte records with sync=true, in
// WriteBatches of `per_batch`.
Result RawRocksDb(int clients, uint64_t events, int per_batch) {
  goalsync::testing::TempDir dir;
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* raw = nullptr;
  if (rocksdb::Status st = rocksdb::DB::Open(options, dir.path(), &raw); !st.ok()) {
    Die("opening the baseline RocksDB", st.ToString());
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  const std::string value = MakeEvent("raw", 0).SerializeAsString();
  const uint64_t batches = events / per_batch;
  Result r = RunClients(clients, batches * per_batch, [&](int i, std::vector<double>& lat) {
    rocksdb::WriteOptions wo;
    wo.sync = true;
    for (uint64_t b = i; b < batches; b += clients) {
      rocksdb::WriteBatch batch;
      for (int k = 0; k < per_batch; ++k) {
        batch.Put(absl::StrCat("k", b * per_batch + k), value);
      }
      auto t = Clock::now();
      if (rocksdb::Status st = db->Write(wo, &batch); !st.ok()) Die("a baseline write", st.ToString());
      lat.push_back(MicrosSince(t));
    }
  });
  db->Close();
  return r;
}

// Prints one round and returns its ratio.
double Print(const std::string& mode, int clients, const Result& r, const std::string& base_name,
             const Result& base) {
  const double ratio = r.per_second / base.per_second;
  std::printf(
      "  %s clients=%d events_per_s=%.0f p50_us=%.0f p99_us=%.0f | baseline %s: per_s=%.0f "
      "p50_us=%.0f p99_us=%.0f | ratio %.3f\n",
      mode.c_str(), clients, r.per_second, r.p50_us, r.p99_us, base_name.c_str(),
      base.per_second, base.p50_us, base.p99_us, ratio);
  std::fflush(stdout);
  return ratio;
}

int Main(int argc, char** argv) {
  CLI::App app{"append_bench: goalsyncd durable append throughput against same-run baselines"};
  std::string server, workspace = "bench", modes = "single,stream,batch";
  int clients = 16, window = 32, rounds = 3;
  uint64_t events = 20000;
  app.add_option("--server", server, "goalsyncd to measure; none: start one on a temp dir");
  app.add_option("--token", g_token,
                 "bearer token sent with every call (needed by a server with authentication; "
                 "make one with `goalsyncd token create`)");
  app.add_option("--workspace", workspace, "workspace prefix (a suffix per run is added)")
      ->capture_default_str();
  app.add_option("--clients", clients, "concurrent clients")->capture_default_str();
  app.add_option("--events", events, "events per mode")->capture_default_str();
  app.add_option("--modes", modes, "comma-separated: single, stream, batch")->capture_default_str();
  app.add_option("--window", window, "stream mode: messages in flight per client")
      ->capture_default_str();
  app.add_option("--rounds", rounds, "baseline/mode pairs per mode; the median ratio is printed")
      ->capture_default_str()
      ->check(CLI::Range(1, 50));
  CLI11_PARSE(app, argc, argv);

  goalsync::testing::TempDir dir;
  std::unique_ptr<goalsync::testing::GoalsyncdProcess> own;
  if (server.empty()) {
    own = std::make_unique<goalsync::testing::GoalsyncdProcess>(
        dir.Sub("data"), std::vector<std::string>{"--log-level", "warn"});
    if (absl::Status s = own->Start(); !s.ok()) Die("starting goalsyncd", s.ToString());
    server = own->address();
  }
  const std::string run = absl::StrCat(workspace, "-", getpid(), "-", clients);
  std::printf("append_bench server=%s clients=%d events=%llu\n", server.c_str(), clients,
              static_cast<unsigned long long>(events));
  for (absl::string_view mode : absl::StrSplit(modes, ',')) {
    // Alternate baseline and mode `rounds` times and report medians: a noisy neighbour then
    // hurts both sides of a round, not one side of the ratio.
    std::vector<double> ratios;
    for (int round = 0; round < rounds; ++round) {
      const std::string ws = absl::StrCat(run, "-", mode, "-", round);
      CreateGoals(server, ws);
      if (mode == "single") {
        Result noop = GrpcNoop(server, clients, events);
        Result r = Single(server, ws, clients, events);
        ratios.push_back(Print("single", clients, r, "grpc_noop", noop));
      } else if (mode == "stream") {
        Result base = RawRocksDb(clients, events, 1);
        Result r = Stream(server, ws, clients, events, window);
        ratios.push_back(Print("stream", clients, r, "rocksdb_sync_put", base));
      } else if (mode == "batch") {
        Result base = RawRocksDb(clients, events, 100);
        Result r = Batch(server, ws, clients, events);
        ratios.push_back(Print("batch", clients, r, "rocksdb_batch100", base));
      } else {
        std::fprintf(stderr, "unknown mode %s\n", std::string(mode).c_str());
        return 2;
      }
    }
    std::sort(ratios.begin(), ratios.end());
    const char* name = mode == "single"   ? "single_ratio_vs_grpc_noop"
                       : mode == "stream" ? "stream_ratio_vs_rocksdb_sync_put"
                                          : "batch_ratio_vs_rocksdb";
    std::printf("%s=%.3f\n", name, ratios[ratios.size() / 2]);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace goalsync::bench

int main(int argc, char** argv) { return goalsync::bench::Main(argc, argv); }
