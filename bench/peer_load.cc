// peer_load: one closed-loop durable-append load, pointed at goalsyncd or at a store a user
// might run instead, so that bench/peers.sh can put them side by side (bench/README.md).
//
//   peer_load --target NAME [--address HOST:PORT | --db DIR] [--clients N] [--seconds S]
//             [--bytes B]
//
// N client threads, each with its own connection (its own TCP connection, as N separate
// processes would have), each appending one ~B-byte record per request, back to back, for S
// seconds. Every request is durable when acknowledged. Prints one line:
//   rate=<records/s> p50_us=.. p99_us=.. ops=.. secs=..
//
// Targets:
//   goalsyncd_append  EventLog.Append, one check-in event per request, into one workspace
//   goalsyncd_stream  EventLog.AppendStream, one stream per client, one event in flight
//   etcd              KV.Put of a new key per record (etcd acks after its WAL fsync)
//   rocksdb_sync_put  embedded RocksDB (--db), one Put with sync=true per record
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "goalsync/v1/log.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "rocksdb/db.h"
#include "etcd/etcdserver/etcdserverpb/rpc.grpc.pb.h"

namespace goalsync::bench {
namespace {

using Clock = std::chrono::steady_clock;

// One durable append of record number `n` (or an error), made by one client.
using Appender = std::function<absl::Status(uint64_t n)>;

struct Options {
  std::string target;
  std::string address;
  std::string db;
  int clients = 1;
  double seconds = 10;
  size_t bytes = 200;
};

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "peer_load: %s\n", what.c_str());
  std::exit(1);
}

absl::Status FromGrpc(const grpc::Status& s) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

std::shared_ptr<grpc::Channel> OwnChannel(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // a connection per client
  return grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
}

void SetDeadline(grpc::ClientContext& ctx) {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
}

// The record for goalsyncd: one check-in of the client's own goal, ~`bytes` on the wire. Record
// kSetUp creates the goal (an untimed first append).
constexpr uint64_t kSetUp = ~uint64_t{0};

v1::AppendRequest CheckIn(int client, size_t bytes, uint64_t n) {
  v1::AppendRequest request;
  request.set_workspace(absl::StrCat("peers-", getpid()));
  v1::Event* e = request.add_events();
  const std::string goal = absl::StrCat("goal-", client);
  e->set_event_id(absl::StrCat("p", getpid(), "-", client, "-", n));
  e->set_actor("peer-load");
  if (n == kSetUp) {
    auto* g = e->mutable_payload()->mutable_goal_created();
    g->set_goal_id(goal);
    g->set_level(v1::GOAL_LEVEL_TEAM);
    g->set_statement("peer load");
  } else {
    auto* c = e->mutable_payload()->mutable_check_in_recorded();
    c->set_goal_id(goal);
    c->set_value(static_cast<double>(n % 7));
    c->set_confidence(0.7);
    c->set_note(std::string(bytes > 120 ? bytes - 120 : 1, 'n'));
  }
  return request;
}

Appender GoalsyncdAppend(const Options& o, int client) {
  std::shared_ptr<v1::EventLog::Stub> stub = v1::EventLog::NewStub(OwnChannel(o.address));
  return [stub, client, bytes = o.bytes](uint64_t n) {
    grpc::ClientContext ctx;
    SetDeadline(ctx);
    v1::AppendResponse response;
    return FromGrpc(stub->Append(&ctx, CheckIn(client, bytes, n), &response));
  };
}

struct Stream {
  std::unique_ptr<v1::EventLog::Stub> stub;
  grpc::ClientContext ctx;
  std::unique_ptr<grpc::ClientReaderWriter<v1::AppendStreamRequest, v1::AppendStreamResponse>> rw;
  uint64_t next_id = 1;
};

Appender GoalsyncdStream(const Options& o, int client) {
  auto stream = std::make_shared<Stream>();
  stream->stub = v1::EventLog::NewStub(OwnChannel(o.address));
  stream->rw = stream->stub->AppendStream(&stream->ctx);
  return [stream, client, bytes = o.bytes](uint64_t n) {
    v1::AppendStreamRequest request;
    request.set_request_id(stream->next_id++);
    *request.mutable_append() = CheckIn(client, bytes, n);
    if (!stream->rw->Write(request)) return absl::UnavailableError("the stream broke (write)");
    v1::AppendStreamResponse response;
    if (!stream->rw->Read(&response)) return absl::UnavailableError("the stream broke (read)");
    for (const v1::AppendAck& ack : response.acks()) {
      if (ack.has_error()) {
        return absl::Status(static_cast<absl::StatusCode>(ack.error().code()),
                            ack.error().message());
      }
    }
    return absl::OkStatus();
  };
}

Appender Etcd(const Options& o, int client) {
  std::shared_ptr<etcdserverpb::KV::Stub> stub = etcdserverpb::KV::NewStub(OwnChannel(o.address));
  auto request = std::make_shared<etcdserverpb::PutRequest>();
  request->set_value(std::string(o.bytes, 'v'));
  // The pid in the key: a second run against the same etcd appends rather than overwrites.
  const std::string prefix = absl::StrCat("peers/", getpid(), "/", client, "/");
  return [stub, request, prefix](uint64_t n) {
    request->set_key(absl::StrCat(prefix, n));
    grpc::ClientContext ctx;
    SetDeadline(ctx);
    etcdserverpb::PutResponse response;
    return FromGrpc(stub->Put(&ctx, *request, &response));
  };
}

// Shared by the clients of target rocksdb_sync_put (one embedded DB, as one server has).
std::unique_ptr<rocksdb::DB> g_db;

Appender RocksdbSyncPut(const Options& o, int client) {
  const std::string value(o.bytes, 'v');
  return [value, client](uint64_t n) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    char key[24];
    std::snprintf(key, sizeof key, "%04d%016llx", client, static_cast<unsigned long long>(n));
    rocksdb::Status s = g_db->Put(sync, key, value);
    return s.ok() ? absl::OkStatus() : absl::InternalError(s.ToString());
  };
}

using Factory = Appender (*)(const Options&, int client);
const std::map<std::string, Factory>& Targets() {
  static const auto* targets = new std::map<std::string, Factory>{
      {"goalsyncd_append", GoalsyncdAppend},
      {"goalsyncd_stream", GoalsyncdStream},
      {"etcd", Etcd},
      {"rocksdb_sync_put", RocksdbSyncPut},
  };
  return *targets;
}

int Run(const Options& o) {
  auto target = Targets().find(o.target);
  if (target == Targets().end()) Die(absl::StrCat("unknown --target ", o.target));
  if (o.target == "rocksdb_sync_put") {
    if (o.db.empty()) Die("--target rocksdb_sync_put needs --db DIR");
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    if (rocksdb::Status s = rocksdb::DB::Open(options, o.db, &db); !s.ok()) {
      Die(absl::StrCat("opening ", o.db, ": ", s.ToString()));
    }
    g_db.reset(db);
  } else if (o.address.empty()) {
    Die(absl::StrCat("--target ", o.target, " needs --address HOST:PORT"));
  }

  std::vector<std::vector<uint32_t>> micros(o.clients);
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::atomic<bool> failed{false};
  Clock::time_point end;  // written before `go` is set
  std::vector<std::thread> threads;
  for (int c = 0; c < o.clients; ++c) {
    threads.emplace_back([&, c] {
      Appender append = target->second(o, c);
      auto fail = [&](const absl::Status& s) {
        std::fprintf(stderr, "peer_load: %s client %d: %s\n", o.target.c_str(), c,
                     s.ToString().c_str());
        failed = true;
      };
      // One untimed append first: connection set-up (and goalsyncd's goal) is not measured.
      if (absl::Status s = append(kSetUp); !s.ok()) fail(s);
      ++ready;
      while (!go.load(std::memory_order_acquire)) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      micros[c].reserve(1 << 16);
      for (uint64_t n = 0; !failed.load(std::memory_order_relaxed); ++n) {
        const Clock::time_point t = Clock::now();
        if (t >= end) break;
        if (absl::Status s = append(n); !s.ok()) {
          fail(s);
          break;
        }
        micros[c].push_back(static_cast<uint32_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t).count()));
      }
    });
  }
  // Every client connected (bounded wait), then one clock for all.
  for (int i = 0; i < 3000 && ready.load() < o.clients; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (ready.load() < o.clients) failed = true;
  const Clock::time_point start = Clock::now();
  end = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  go.store(true, std::memory_order_release);
  for (auto& t : threads) t.join();
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  g_db.reset();
  if (failed) Die("failed (see above)");
  std::vector<uint32_t> all;
  for (const auto& m : micros) all.insert(all.end(), m.begin(), m.end());
  if (all.empty()) Die("no request completed");
  std::sort(all.begin(), all.end());
  auto at = [&](double p) { return all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))]; };
  std::printf("rate=%.0f p50_us=%u p99_us=%u ops=%zu secs=%.2f\n", all.size() / secs, at(0.50),
              at(0.99), all.size(), secs);
  return 0;
}

}  // namespace
}  // namespace goalsync::bench

int main(int argc, char** argv) {
  goalsync::bench::Options o;
  CLI::App app{"peer_load: a closed-loop durable-append load (bench/README.md)"};
  std::vector<std::string> names;
  for (const auto& [name, factory] : goalsync::bench::Targets()) names.push_back(name);
  app.add_option("--target", o.target, "what to load")->required()->check(CLI::IsMember(names));
  app.add_option("--address", o.address, "HOST:PORT of goalsyncd or etcd");
  app.add_option("--db", o.db, "RocksDB directory for rocksdb_sync_put (created)");
  app.add_option("--clients", o.clients, "closed-loop clients, each on its own connection")
      ->check(CLI::Range(1, 4096));
  app.add_option("--seconds", o.seconds, "duration of the measurement")->check(CLI::PositiveNumber);
  app.add_option("--bytes", o.bytes, "record size")->check(CLI::Range(1, 1 << 20));
  CLI11_PARSE(app, argc, argv);
  return goalsync::bench::Run(o);
}
