// Who may do what, through real gRPC against a goalsyncd with tokens: the whole
// (role x action) table, workspace isolation, the actor being the token's identity, bad and
// revoked tokens, the rate limit, TLS, and dev mode refusing a non-loopback address.
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "goalsync/log_client.h"
#include "goalsync/replica.h"
#include "goalsync/v1/admin.grpc.pb.h"
#include "goalsync/v1/audit.grpc.pb.h"
#include "goalsync/v1/plan_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/support/goalsyncd_process.h"
#include "tests/support/run_command.h"
#include "tests/support/temp_dir.h"

namespace goalsync {
namespace {

using ::testing::HasSubstr;
using testing::GoalsyncdProcess;
using testing::RunCommand;
using testing::TempDir;
using v1::Event;

// Makes a token offline on `data_dir` (before the server starts) and returns it.
std::string MakeToken(const std::string& data_dir, const std::string& name, const std::string& grant) {
  testing::CommandResult r = RunCommand("(" + std::string(GOALSYNCD_PATH) + " token create --data-dir " +
                                        data_dir + " --name " + name + " --grant '" + grant + "' 2>/dev/null)");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  return std::string(absl::StripAsciiWhitespace(r.out));
}

Event CheckIn(const std::string& goal, const std::string& actor = "") {
  Event e;
  e.set_event_id(client::NewEventId());
  e.set_actor(actor);
  auto* c = e.mutable_payload()->mutable_check_in_recorded();
  c->set_goal_id(goal);
  c->set_value(1);
  return e;
}

Event GoalCreation(const std::string& id, const std::string& owner) {
  Event e;
  e.set_event_id(client::NewEventId());
  auto* g = e.mutable_payload()->mutable_goal_created();
  g->set_goal_id(id);
  g->set_level(v1::GOAL_LEVEL_TEAM);
  g->set_statement("goal " + id);
  g->set_owner(owner);
  return e;
}

Event Targets(const std::string& goal, double base) {
  Event e;
  e.set_event_id(client::NewEventId());
  auto* t = e.mutable_payload()->mutable_targets_set();
  t->set_goal_id(goal);
  t->mutable_targets()->set_base(base);
  return e;
}

Event OpenRequest(const std::string& id, const std::string& goal) {
  Event e;
  e.set_event_id(client::NewEventId());
  auto* c = e.mutable_payload()->mutable_change_request_opened();
  c->set_change_request_id(id);
  c->set_goal_id(goal);
  c->mutable_targets()->set_base(12);
  c->set_reason("more demand");
  return e;
}

Event Approve(const std::string& id, const std::string& goal) {
  Event e;
  e.set_event_id(client::NewEventId());
  auto* a = e.mutable_payload()->mutable_change_request_approved();
  a->set_change_request_id(id);
  a->set_goal_id(goal);
  return e;
}

class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string data = dir_.Sub("data");
    for (const auto& [role, grant] : std::map<std::string, std::string>{
             {"viewer", "acme=viewer"}, {"editor", "acme=editor"}, {"manager", "acme=manager"},
             {"auditor", "acme=auditor"}, {"admin", "acme=admin"}, {"outsider", "globex=admin"}}) {
      // The editor is li; the others are named after their role.
      tokens_[role] = MakeToken(data, role == "editor" ? "li" : role, grant);
    }
    server_ = std::make_unique<GoalsyncdProcess>(data, std::vector<std::string>{}, /*auth=*/true);
    ASSERT_TRUE(server_->Start().ok()) << server_->Log();
    // The plan: li owns li-goal, wang owns wang-goal; both have targets.
    ASSERT_TRUE(Append("admin", {GoalCreation("li-goal", "li"), GoalCreation("wang-goal", "wang"),
                                 Targets("li-goal", 10), Targets("wang-goal", 10)})
                    .ok());
  }

  client::LogClient Client(const std::string& who) {
    client::LogClient c(server_->address());
    c.set_token(who.empty() ? "" : tokens_.count(who) ? tokens_[who] : who);
    return c;
  }

  absl::Status Append(const std::string& who, std::vector<Event> events,
                      const std::string& ws = "acme") {
    v1::AppendRequest req;
    req.set_workspace(ws);
    for (auto& e : events) *req.add_events() = std::move(e);
    return Client(who).Append(req).status();
  }

  absl::Status Read(const std::string& who, const std::string& ws = "acme") {
    return Client(who).Read(ws, 1, 0, [](const Event&) { return absl::OkStatus(); });
  }

  absl::Status Subscribe(const std::string& who, const std::string& ws = "acme") {
    return Client(who).Subscribe(ws, 1, [](const v1::SubscribeResponse& m) { return !m.caught_up(); });
  }

  absl::Status History(const std::string& who, const std::string& ws = "acme") {
    auto stub = v1::PlanService::NewStub(
        grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    client::AddToken(ctx, tokens_.count(who) ? tokens_[who] : who);
    v1::GetHistoryRequest req;
    req.set_workspace(ws);
    v1::GetHistoryResponse resp;
    return client::FromGrpcStatus(stub->GetHistory(&ctx, req, &resp));
  }

  absl::Status ListTokens(const std::string& who) {
    auto stub = v1::Admin::NewStub(
        grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    client::AddToken(ctx, tokens_[who]);
    v1::ListTokensResponse resp;
    return client::FromGrpcStatus(stub->ListTokens(&ctx, v1::ListTokensRequest(), &resp));
  }

  absl::Status Checkpoints(const std::string& who) {
    auto stub = v1::Audit::NewStub(
        grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
    grpc::ClientContext ctx;
    client::AddToken(ctx, tokens_[who]);
    v1::GetCheckpointsRequest req;
    req.set_workspace("acme");
    v1::GetCheckpointsResponse resp;
    return client::FromGrpcStatus(stub->GetCheckpoints(&ctx, req, &resp));
  }

  TempDir dir_;
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<GoalsyncdProcess> server_;
};

// Every (role, action) pair, each against what core/authz.h's table says.
TEST_F(AuthTest, TheRoleTableHoldsForEveryAction) {
  using Code = absl::StatusCode;
  constexpr Code kOk = Code::kOk, kNo = Code::kPermissionDenied;
  struct Row {
    std::string role;
    Code read, subscribe, history, check_in_own, check_in_other, change_target,
        open_request, decide_request, create_own_goal, list_tokens, checkpoints;
  };
  const std::vector<Row> table = {
      // role      read subs hist own  other target open decide create tokens checkpoints
      {"viewer", kOk, kOk, kOk, kNo, kNo, kNo, kNo, kNo, kNo, kNo, kNo},
      {"editor", kOk, kOk, kOk, kOk, kNo, kNo, kOk, kNo, kOk, kNo, kNo},
      {"manager", kOk, kOk, kOk, kOk, kOk, kOk, kOk, kOk, kOk, kNo, kNo},
      {"auditor", kOk, kOk, kOk, kNo, kNo, kNo, kNo, kNo, kNo, kNo, kOk},
      {"admin", kOk, kOk, kOk, kOk, kOk, kOk, kOk, kOk, kOk, kOk, kOk},
  };
  for (const Row& r : table) {
    SCOPED_TRACE(r.role);
    // A request for this role to decide on, opened by the admin.
    const std::string cr = "cr-" + r.role;
    ASSERT_TRUE(Append("admin", {OpenRequest(cr, "wang-goal")}).ok());
    EXPECT_EQ(Read(r.role).code(), r.read);
    EXPECT_EQ(Subscribe(r.role).code(), r.subscribe);
    EXPECT_EQ(History(r.role).code(), r.history);
    EXPECT_EQ(Append(r.role, {CheckIn("li-goal")}).code(), r.check_in_own) << "li's goal";
    EXPECT_EQ(Append(r.role, {CheckIn("wang-goal")}).code(), r.check_in_other) << "wang's goal";
    EXPECT_EQ(Append(r.role, {Targets("li-goal", 11)}).code(), r.change_target);
    EXPECT_EQ(Append(r.role, {OpenRequest(cr + "-own", "li-goal")}).code(), r.open_request);
    EXPECT_EQ(Append(r.role, {Approve(cr, "wang-goal")}).code(), r.decide_request);
    EXPECT_EQ(Append(r.role, {GoalCreation("new-" + r.role, r.role == "editor" ? "li" : r.role)}).code(),
              r.create_own_goal);
    EXPECT_EQ(ListTokens(r.role).code(), r.list_tokens);
    EXPECT_EQ(Checkpoints(r.role).code(), r.checkpoints);
  }
  // The refusal names the rule.
  absl::Status s = Append("editor", {Targets("li-goal", 11)});
  EXPECT_THAT(std::string(s.message()), HasSubstr("events[0]: li (editor) may not change the targets of li-goal: open a change request"));
  s = Append("viewer", {CheckIn("li-goal")});
  EXPECT_THAT(std::string(s.message()), HasSubstr("viewer (viewer) may not write to workspace acme"));
}

TEST_F(AuthTest, NoBadOrRevokedTokenIsUnauthenticated) {
  EXPECT_TRUE(absl::IsUnauthenticated(Read("")));
  EXPECT_THAT(std::string(Read("").message()), HasSubstr("no token"));
  EXPECT_TRUE(absl::IsUnauthenticated(Read("gs_0000000000000000_forged")));
  std::string tampered = tokens_["viewer"];
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  EXPECT_TRUE(absl::IsUnauthenticated(Read(tampered)));
  EXPECT_TRUE(Read("viewer").ok());

  // The admin revokes the viewer's token over gRPC; it stops working at once.
  const std::string id = tokens_["viewer"].substr(3, 16);
  auto stub = v1::Admin::NewStub(grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext ctx;
  client::AddToken(ctx, tokens_["admin"]);
  v1::RevokeTokenRequest req;
  req.set_id(id);
  v1::RevokeTokenResponse resp;
  ASSERT_TRUE(client::FromGrpcStatus(stub->RevokeToken(&ctx, req, &resp)).ok());
  EXPECT_TRUE(absl::IsUnauthenticated(Read("viewer")));
}

TEST_F(AuthTest, AdminsCreateTokensOnlyForTheirWorkspaces) {
  auto stub = v1::Admin::NewStub(grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
  auto create = [&](const std::string& who, const std::string& ws, v1::Role role) {
    grpc::ClientContext ctx;
    client::AddToken(ctx, tokens_[who]);
    v1::CreateTokenRequest req;
    req.set_name("zhao");
    (*req.mutable_grants())[ws] = role;
    v1::CreateTokenResponse resp;
    absl::Status s = client::FromGrpcStatus(stub->CreateToken(&ctx, req, &resp));
    return std::make_pair(s, resp.token());
  };
  auto [ok, token] = create("admin", "acme", v1::ROLE_MANAGER);
  ASSERT_TRUE(ok.ok()) << ok;
  tokens_["zhao"] = token;
  EXPECT_TRUE(Append("zhao", {Targets("wang-goal", 20)}).ok());
  EXPECT_EQ(create("admin", "globex", v1::ROLE_VIEWER).first.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(create("admin", "*", v1::ROLE_VIEWER).first.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(create("manager", "acme", v1::ROLE_VIEWER).first.code(), absl::StatusCode::kPermissionDenied);
}

TEST_F(AuthTest, AWorkspaceTokenSeesNothingOfAnother) {
  ASSERT_TRUE(Append("outsider", {GoalCreation("g", "outsider")}, "globex").ok());
  for (const std::string who : {"viewer", "editor", "manager", "auditor", "admin"}) {
    SCOPED_TRACE(who);
    EXPECT_TRUE(absl::IsPermissionDenied(Read(who, "globex")));
    EXPECT_TRUE(absl::IsPermissionDenied(Subscribe(who, "globex")));
    EXPECT_TRUE(absl::IsPermissionDenied(History(who, "globex")));
    EXPECT_TRUE(absl::IsPermissionDenied(Client(who).Head("globex").status()));
    EXPECT_TRUE(absl::IsPermissionDenied(Append(who, {CheckIn("g")}, "globex")));
  }
  EXPECT_TRUE(absl::IsPermissionDenied(Read("outsider", "acme")));
  EXPECT_TRUE(absl::IsPermissionDenied(Append("outsider", {CheckIn("li-goal")}, "acme")));
  EXPECT_THAT(std::string(Read("outsider", "acme").message()),
              HasSubstr("outsider's token grants nothing in workspace acme"));
}

TEST_F(AuthTest, TheActorIsTheTokensIdentityWhateverTheWriterSays) {
  ASSERT_TRUE(Append("editor", {CheckIn("li-goal", "zhao")}).ok());
  Event last;
  ASSERT_TRUE(Client("admin").Read("acme", 1, 0, [&](const Event& e) {
    last = e;
    return absl::OkStatus();
  }).ok());
  EXPECT_EQ(last.actor(), "li");
  EXPECT_TRUE(last.payload().has_check_in_recorded());
}

TEST_F(AuthTest, AReplicasForbiddenEditIsRejectedWithTheReasonAndTheRestGoes) {
  auto replica = client::Replica::Open({.dir = dir_.Sub("li"), .server = server_->address(),
                                        .workspace = "acme", .actor = "li",
                                        .token = tokens_["editor"]});
  ASSERT_TRUE(replica.ok()) << replica.status();
  ASSERT_TRUE((*replica)->Sync().ok());
  v1::CheckInRecorded mine, theirs;
  mine.set_goal_id("li-goal");
  mine.set_value(2);
  theirs.set_goal_id("wang-goal");
  theirs.set_value(3);
  ASSERT_TRUE((*replica)->CheckIn(theirs).ok());  // offline, the replica cannot know
  ASSERT_TRUE((*replica)->CheckIn(mine).ok());
  absl::StatusOr<client::SyncReport> r = (*replica)->Sync();
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->pushed, 1u);
  EXPECT_EQ(r->rejected, 1u);
  ASSERT_EQ((*replica)->Rejected().size(), 1u);
  EXPECT_THAT((*replica)->Rejected()[0].reason(), HasSubstr("li (editor) may not edit goal wang-goal"));
  EXPECT_EQ((*replica)->Rejected()[0].code(), static_cast<int>(absl::StatusCode::kPermissionDenied));
}

TEST(RateLimitTest, ATokenBeyondItsRateIsToldWhenToRetry) {
  TempDir dir;
  const std::string token = MakeToken(dir.Sub("data"), "busy", "acme=viewer");
  GoalsyncdProcess server(dir.Sub("data"), {"--rate-limit", "5"}, /*auth=*/true);
  ASSERT_TRUE(server.Start().ok());
  client::LogClient c(server.address());
  c.set_token(token);
  int limited = 0;
  std::string message;
  for (int i = 0; i < 30; ++i) {
    absl::Status s = c.Head("acme").status();
    if (absl::IsResourceExhausted(s)) {
      ++limited;
      message = std::string(s.message());
    }
  }
  EXPECT_GE(limited, 20);
  EXPECT_THAT(message, HasSubstr("rate limit of 5 calls/s for this token: retry in"));
  absl::SleepFor(absl::Milliseconds(400));
  EXPECT_TRUE(c.Head("acme").ok());
}

TEST(DevModeTest, IsRefusedOffLoopback) {
  TempDir dir;
  testing::CommandResult r = RunCommand(std::string("timeout 20 ") + GOALSYNCD_PATH + " --data-dir " +
                                        dir.Sub("data") + " --listen 0.0.0.0:0 --insecure-no-auth");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("--insecure-no-auth serves only on a loopback address"));
}

TEST(TlsTest, ClientsWithTheCaConnectAndPlaintextOnesDoNot) {
  TempDir dir;
  const std::string key = dir.Sub("server.key"), cert = dir.Sub("server.crt");
  testing::CommandResult made = RunCommand(
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 "
      "-subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout " + key +
      " -out " + cert);
  ASSERT_EQ(made.exit_code, 0) << made.out;
  GoalsyncdProcess server(dir.Sub("data"), {"--tls-cert", cert, "--tls-key", key});
  ASSERT_TRUE(server.Start().ok()) << server.Log();

  absl::StatusOr<std::shared_ptr<grpc::Channel>> secure =
      client::Connect(server.address(), {.tls_ca_file = cert});
  ASSERT_TRUE(secure.ok());
  client::LogClient tls(*secure);
  v1::AppendRequest req;
  req.set_workspace("acme");
  *req.add_events() = GoalCreation("g", "li");
  EXPECT_TRUE(tls.Append(req).ok());
  EXPECT_EQ(tls.Head("acme")->seq(), 1u);

  client::LogClient plain(server.address());
  EXPECT_FALSE(plain.Head("acme", absl::Seconds(3)).ok());

  // A replica over TLS too.
  auto replica = client::Replica::Open({.dir = dir.Sub("r"), .server = server.address(),
                                        .workspace = "acme", .actor = "li", .tls_ca_file = cert});
  ASSERT_TRUE(replica.ok());
  ASSERT_TRUE((*replica)->Sync().ok());
  EXPECT_EQ((*replica)->Status().confirmed_seq, 1u);
}

}  // namespace
}  // namespace goalsync
