#include "cli/commands/log_command.h"

#include <cstdio>
#include <iostream>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "cli/output/event_printer.h"
#include "core/hash_chain.h"
#include "goalsync/log_client.h"
#include "google/protobuf/util/json_util.h"
#include "nlohmann/json.hpp"

namespace goalsync::cli {
namespace {

using goalsync::client::LogClient;
using goalsync::v1::Event;

constexpr const char* kExampleEvent =
    R"({"goalCreated": {"goalId": "sales-2026", "level": "GOAL_LEVEL_TEAM", )"
    R"("statement": "50 signed customers by end of Q4", "owner": "dana"}})";

struct AppendArgs {
  std::string event_json;
  std::string event_id;
  std::string actor;
  int64_t expected_seq = -1;
};

absl::Status RunAppend(const CliContext& ctx, const AppendArgs& args) {
  goalsync::v1::AppendRequest request;
  request.set_workspace(ctx.workspace);
  Event* event = request.add_events();
  auto parsed = google::protobuf::util::JsonStringToMessage(args.event_json,
                                                            event->mutable_payload());
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--event is not a valid payload: ", parsed.message().as_string(),
                     "\n  example: --event '", kExampleEvent, "'"));
  }
  event->set_event_id(args.event_id.empty() ? client::NewEventId() : args.event_id);
  event->set_actor(args.actor);
  if (args.expected_seq >= 0) request.set_expected_seq(args.expected_seq);
  absl::StatusOr<std::unique_ptr<client::LogClient>> connected = ConnectLog(ctx);
  if (!connected.ok()) return connected.status();
  client::LogClient& log_client = **connected;
  absl::StatusOr<goalsync::v1::AppendResponse> response = log_client.Append(request);
  if (!response.ok()) return response.status();
  const auto& result = response->results(0);
  if (ctx.output_format() == Output::kJson) {
    nlohmann::ordered_json j = {{"seq", result.seq()},
                                {"eventId", event->event_id()},
                                {"duplicate", result.duplicate()}};
    std::cout << j.dump() << "\n";
  } else {
    std::cout << result.seq() << "\n";
    if (result.duplicate()) {
      std::cerr << "goalctl: event " << event->event_id()
                << " was already in the log; nothing appended\n";
    }
  }
  return absl::OkStatus();
}

struct ReadArgs {
  uint64_t from = 1;
  uint64_t limit = 0;
  bool follow = false;
};

absl::Status RunRead(const CliContext& ctx, const ReadArgs& args) {
  absl::StatusOr<std::unique_ptr<client::LogClient>> connected = ConnectLog(ctx);
  if (!connected.ok()) return connected.status();
  client::LogClient& log_client = **connected;
  const Output format = ctx.output_format();
  if (format == Output::kTable) std::cout << EventTableHeader();
  uint64_t printed = 0;
  if (!args.follow) {
    return log_client.Read(ctx.workspace, args.from, args.limit, [&](const Event& e) {
      std::cout << FormatEvent(e, format);
      return absl::OkStatus();
    });
  }
  return log_client.Subscribe(ctx.workspace, args.from,
                          [&](const goalsync::v1::SubscribeResponse& msg) {
                            for (const Event& e : msg.events()) {
                              std::cout << FormatEvent(e, format);
                              if (args.limit != 0 && ++printed >= args.limit) return false;
                            }
                            std::cout.flush();
                            return true;
                          });
}

absl::Status RunHead(const CliContext& ctx) {
  absl::StatusOr<std::unique_ptr<client::LogClient>> connected = ConnectLog(ctx);
  if (!connected.ok()) return connected.status();
  client::LogClient& log_client = **connected;
  absl::StatusOr<goalsync::v1::HeadResponse> head = log_client.Head(ctx.workspace);
  if (!head.ok()) return head.status();
  const std::string hash = absl::BytesToHexString(head->hash());
  if (ctx.output_format() == Output::kJson) {
    nlohmann::ordered_json j = {{"seq", head->seq()}, {"hash", hash}};
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "seq " << head->seq() << "\nhash " << (hash.empty() ? "-" : hash) << "\n";
  }
  return absl::OkStatus();
}

// Exit 0 when the whole chain holds, 1 naming the first bad seq.
absl::Status RunVerify(const CliContext& ctx) {
  absl::StatusOr<std::unique_ptr<client::LogClient>> connected = ConnectLog(ctx);
  if (!connected.ok()) return connected.status();
  client::LogClient& log_client = **connected;
  absl::StatusOr<goalsync::v1::HeadResponse> head = log_client.Head(ctx.workspace);
  if (!head.ok()) return head.status();
  core::ChainVerifier verifier;
  absl::Status s = log_client.Read(ctx.workspace, 1, head->seq(),
                               [&](const Event& e) { return verifier.Next(e); });
  if (s.ok() && verifier.last_seq() != head->seq()) {
    s = absl::DataLossError(absl::StrCat("seq ", verifier.last_seq() + 1, ": missing (head is ",
                                         head->seq(), ")"));
  }
  if (s.ok() && verifier.last_seq() > 0 && verifier.last_hash() != head->hash()) {
    s = absl::DataLossError(
        absl::StrCat("seq ", head->seq(), ": head hash differs from the last event's hash"));
  }
  const bool json = ctx.output_format() == Output::kJson;
  if (!s.ok()) {
    if (s.code() != absl::StatusCode::kDataLoss) return s;
    if (json) {
      nlohmann::ordered_json j = {{"ok", false}, {"error", std::string(s.message())}};
      std::cout << j.dump() << "\n";
    } else {
      std::cout << "chain BROKEN at " << s.message() << "\n";
    }
    return absl::DataLossError(absl::StrCat("log of workspace ", ctx.workspace,
                                            " fails verification: ", s.message()));
  }
  const std::string hash = absl::BytesToHexString(verifier.last_hash());
  if (json) {
    nlohmann::ordered_json j = {{"ok", true}, {"events", verifier.last_seq()}, {"hash", hash}};
    std::cout << j.dump() << "\n";
  } else {
    std::cout << "chain OK: " << verifier.last_seq() << " events, head hash "
              << (verifier.last_seq() == 0 ? "-" : hash) << "\n";
  }
  return absl::OkStatus();
}

}  // namespace

void RegisterLogCommands(CLI::App& app, CliContext& ctx) {
  CLI::App* log = app.add_subcommand("log", "The workspace's raw event log");
  log->require_subcommand(1);

  auto append_args = std::make_shared<AppendArgs>();
  CLI::App* append = log->add_subcommand(
      "append", absl::StrCat("Append one event and print the seq it got.\n"
                             "Example:\n  goalctl log append --event '",
                             kExampleEvent, "'"));
  append->add_option("--event", append_args->event_json,
                     "The payload, in protobuf's JSON mapping of goalsync.v1.Payload")
      ->required();
  append->add_option("--event-id", append_args->event_id,
                     "Idempotency key; a new UUID if omitted. Appending the same id again "
                     "appends nothing and prints the first seq.");
  append->add_option("--actor", append_args->actor, "Who makes the change");
  append->add_option("--expected-seq", append_args->expected_seq,
                     "Append only if the head is at this seq (optimistic concurrency)");
  append->callback([&ctx, append_args] {
    ctx.exit_code = ReportError(ctx, RunAppend(ctx, *append_args));
  });

  auto read_args = std::make_shared<ReadArgs>();
  CLI::App* read = log->add_subcommand("read", "Print events in log order");
  read->add_option("--from", read_args->from, "First seq to print")->capture_default_str();
  read->add_option("--limit", read_args->limit, "Most events to print (0: all)")
      ->capture_default_str();
  read->add_flag("--follow,-f", read_args->follow, "Keep printing new events as they come");
  read->callback([&ctx, read_args] { ctx.exit_code = ReportError(ctx, RunRead(ctx, *read_args)); });

  log->add_subcommand("head", "Print the last seq and its hash")->callback([&ctx] {
    ctx.exit_code = ReportError(ctx, RunHead(ctx));
  });
  log->add_subcommand("verify",
                      "Recompute the hash chain over the whole log; exit 1 naming the first "
                      "bad seq")
      ->callback([&ctx] { ctx.exit_code = ReportError(ctx, RunVerify(ctx)); });
}

}  // namespace goalsync::cli
