// ServerGroup: the members of a goalsync replica group as a client sees them
// (docs/cluster.md): a list of addresses, one channel each, and the member believed to lead.
// Appends go to the leader; a member that is not the leader refuses with UNAVAILABLE, reason
// NOT_LEADER and the leader's address (errors.proto), which the group follows; a member that
// does not answer is skipped for the next one. Reads may go to any member.
//
// Thread safety: every method may be called from any thread.
#ifndef GOALSYNC_CLIENT_SERVER_GROUP_H_
#define GOALSYNC_CLIENT_SERVER_GROUP_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "goalsync/log_client.h"
#include "grpcpp/grpcpp.h"

namespace goalsync::client {

class ServerGroup {
 public:
  // `servers`: "host:port[,host:port...]". INVALID_ARGUMENT if empty or the CA file cannot be
  // read.
  static absl::StatusOr<std::shared_ptr<ServerGroup>> Make(const std::string& servers,
                                                           const ConnectOptions& options);

  // The channel to the member believed to lead (the first listed until told otherwise).
  std::shared_ptr<grpc::Channel> Leader();
  // After `status` from a call on `tried`: follow the leader a NOT_LEADER refusal names, or
  // move to the next member. True if another attempt may succeed (UNAVAILABLE,
  // DEADLINE_EXCEEDED: appends are idempotent by event_id, so a retry never doubles one).
  bool After(const std::shared_ptr<grpc::Channel>& tried, const absl::Status& status);
  // The address Leader() stands for.
  std::string leader_address();
  size_t size() const { return addresses_.size(); }

 private:
  ServerGroup(std::vector<std::string> addresses, ConnectOptions options)
      : addresses_(std::move(addresses)), options_(std::move(options)), current_(addresses_[0]) {}
  std::shared_ptr<grpc::Channel> ChannelFor(const std::string& address)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const std::vector<std::string> addresses_;
  const ConnectOptions options_;
  absl::Mutex mu_;
  std::string current_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_ ABSL_GUARDED_BY(mu_);
};

// A LogClient for `servers` ("host:port" or a comma-separated group): with one address, as
// LogClient(Connect(...)); with several, one that follows the group's leader for appends.
absl::StatusOr<std::unique_ptr<LogClient>> ConnectLogClient(const std::string& servers,
                                                            const ConnectOptions& options);

}  // namespace goalsync::client

#endif  // GOALSYNC_CLIENT_SERVER_GROUP_H_
