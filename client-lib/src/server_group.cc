#include "goalsync/server_group.h"

#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace goalsync::client {

absl::StatusOr<std::shared_ptr<ServerGroup>> ServerGroup::Make(const std::string& servers,
                                                               const ConnectOptions& options) {
  std::vector<std::string> addresses = absl::StrSplit(servers, ',', absl::SkipEmpty());
  if (addresses.empty()) return absl::InvalidArgumentError("no server address given");
  ConnectOptions group_options = options;
  if (group_options.max_reconnect_backoff_ms == 0) group_options.max_reconnect_backoff_ms = 1000;
  std::shared_ptr<ServerGroup> group(new ServerGroup(std::move(addresses), group_options));
  absl::MutexLock lock(&group->mu_);
  for (const std::string& a : group->addresses_) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = Connect(a, group->options_);
    if (!channel.ok()) return channel.status();
    group->channels_[a] = *channel;
  }
  return group;
}

std::shared_ptr<grpc::Channel> ServerGroup::ChannelFor(const std::string& address) {
  auto it = channels_.find(address);
  if (it != channels_.end()) return it->second;
  // A leader not in the list (the group grew): reach it the same way.
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = Connect(address, options_);
  if (!channel.ok()) return channels_[addresses_[0]];
  return channels_[address] = *channel;
}

std::shared_ptr<grpc::Channel> ServerGroup::Leader() {
  absl::MutexLock lock(&mu_);
  return ChannelFor(current_);
}

std::string ServerGroup::leader_address() {
  absl::MutexLock lock(&mu_);
  return current_;
}

bool ServerGroup::After(const std::shared_ptr<grpc::Channel>& tried, const absl::Status& status) {
  if (!absl::IsUnavailable(status) && !absl::IsDeadlineExceeded(status)) return false;
  const goalsync::v1::Refusal refusal = RefusalOf(status);
  absl::MutexLock lock(&mu_);
  if (absl::IsDeadlineExceeded(status)) {
    // A member that does not answer in time may sit behind a connection a partition left
    // half-open (gRPC waits on it until the deadline): the next call gets a new one.
    for (auto it = channels_.begin(); it != channels_.end(); ++it) {
      if (it->second == tried) {
        channels_.erase(it);
        break;
      }
    }
  }
  if (channels_.count(current_) && ChannelFor(current_) != tried) return true;  // moved on
  if (refusal.reason() == goalsync::v1::Refusal::NOT_LEADER && !refusal.leader_address().empty() &&
      refusal.leader_address() != current_) {
    current_ = refusal.leader_address();
    return true;
  }
  auto it = std::find(addresses_.begin(), addresses_.end(), current_);
  current_ = (it == addresses_.end() || it + 1 == addresses_.end()) ? addresses_[0] : *(it + 1);
  return true;
}

absl::StatusOr<std::unique_ptr<LogClient>> ConnectLogClient(const std::string& servers,
                                                            const ConnectOptions& options) {
  std::unique_ptr<LogClient> client;
  if (servers.find(',') == std::string::npos) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = Connect(servers, options);
    if (!channel.ok()) return channel.status();
    client = std::make_unique<LogClient>(*channel);
  } else {
    absl::StatusOr<std::shared_ptr<ServerGroup>> group = ServerGroup::Make(servers, options);
    if (!group.ok()) return group.status();
    client = std::make_unique<LogClient>(*group);
  }
  client->set_token(options.token);
  return client;
}

// LogClient's appends to a group: to the leader, following it through refusals and
// failovers until `timeout`.
absl::StatusOr<goalsync::v1::AppendResponse> LogClient::AppendToGroup(
    const goalsync::v1::AppendRequest& request, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::Duration backoff = absl::Milliseconds(20);
  // Bounded: each round either follows a named leader or waits a growing backoff.
  for (int attempt = 0;; ++attempt) {
    std::shared_ptr<grpc::Channel> channel = group_->Leader();
    auto stub = goalsync::v1::EventLog::NewStub(channel);
    grpc::ClientContext ctx;
    Prepare(ctx);
    // One member that hangs (paused) must not take the whole timeout.
    ctx.set_deadline(absl::ToChronoTime(std::min(deadline, absl::Now() + absl::Seconds(2))));
    goalsync::v1::AppendResponse response;
    absl::Status s = FromGrpcStatus(stub->Append(&ctx, request, &response));
    if (s.ok()) return response;
    if (!group_->After(channel, s) || absl::Now() >= deadline || attempt >= 200) return s;
    const goalsync::v1::Refusal refusal = RefusalOf(s);
    if (refusal.reason() != goalsync::v1::Refusal::NOT_LEADER || refusal.leader_address().empty()) {
      absl::SleepFor(std::min(backoff, deadline - absl::Now()));  // an election is under way
      backoff = std::min(backoff * 2, absl::Milliseconds(500));
    }
  }
}

}  // namespace goalsync::client
