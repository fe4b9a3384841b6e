#include "cli/commands/admin_command.h"

#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "cli/commands/admin_backup_command.h"
#include "core/authz.h"
#include "core/enum_names.h"
#include "goalsync/admin_client.h"
#include "google/protobuf/util/json_util.h"

namespace goalsync::cli {
namespace {

// The server's Admin service through client-lib, with ctx's server, TLS and token.
absl::StatusOr<std::unique_ptr<client::AdminClient>> Admin(const CliContext& ctx) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = ConnectChannel(ctx);
  if (!channel.ok()) return channel.status();
  auto admin = std::make_unique<client::AdminClient>(*channel);
  admin->set_token(ctx.token);
  return admin;
}

std::string Grants(const v1::TokenInfo& t) {
  std::string out;
  for (const auto& [ws, role] : t.grants()) {
    absl::StrAppend(&out, out.empty() ? "" : ",", ws, "=", core::EnumWord(v1::Role_descriptor(), role));
  }
  return out;
}

}  // namespace

void RegisterAdminCommands(CLI::App& app, CliContext& ctx) {
  auto report = [&ctx](absl::Status s) { ctx.exit_code = ReportError(ctx, s); };
  CLI::App* admin = app.add_subcommand("admin", "Administer a running goalsyncd (needs an admin token)");
  admin->require_subcommand(1);
  RegisterAdminBackupCommand(*admin, ctx);
  CLI::App* token = admin->add_subcommand("token", "Bearer tokens: create, list, revoke");
  token->require_subcommand(1);

  auto name = std::make_shared<std::string>();
  auto grants = std::make_shared<std::vector<std::string>>();
  CLI::App* create = token->add_subcommand("create", "Create a token; prints it once");
  create->add_option("--name", *name, "The identity: the actor of its events")->required();
  create->add_option("--grant", *grants, "WORKSPACE=ROLE or *=ROLE; ROLE: viewer, editor, "
                                         "manager, auditor, admin (repeatable)")
      ->required();
  create->callback([&ctx, report, name, grants] {
    v1::CreateTokenRequest req;
    req.set_name(*name);
    for (const std::string& g : *grants) {
      absl::StatusOr<std::pair<std::string, v1::Role>> grant = core::ParseGrant(g);
      if (!grant.ok()) return report(grant.status());
      (*req.mutable_grants())[grant->first] = grant->second;
    }
    absl::StatusOr<std::unique_ptr<client::AdminClient>> admin = Admin(ctx);
    if (!admin.ok()) return report(admin.status());
    absl::StatusOr<v1::CreateTokenResponse> created = (*admin)->CreateToken(req);
    if (!created.ok()) return report(created.status());
    const v1::CreateTokenResponse& resp = *created;
    std::cerr << "token " << resp.info().id() << " for " << resp.info().name() << " ("
              << Grants(resp.info()) << ") created; it is shown once:\n";
    std::cout << resp.token() << "\n";
    report(absl::OkStatus());
  });

  token->add_subcommand("list", "Tokens of the workspaces you administer")->callback([&ctx, report] {
    absl::StatusOr<std::unique_ptr<client::AdminClient>> admin = Admin(ctx);
    if (!admin.ok()) return report(admin.status());
    absl::StatusOr<v1::ListTokensResponse> listed = (*admin)->ListTokens();
    if (!listed.ok()) return report(listed.status());
    const v1::ListTokensResponse& resp = *listed;
    if (ctx.output_format() == Output::kJson) {
      std::string json;
      (void)google::protobuf::util::MessageToJsonString(resp, &json);
      std::cout << json << "\n";
    } else {
      for (const auto& t : resp.tokens()) {
        std::cout << t.id() << "  " << t.name() << "  " << Grants(t)
                  << (t.revoked() ? "  (revoked)" : "") << "\n";
      }
    }
    report(absl::OkStatus());
  });

  auto id = std::make_shared<std::string>();
  CLI::App* revoke = token->add_subcommand("revoke", "Revoke a token by id");
  revoke->add_option("ID", *id)->required();
  revoke->callback([&ctx, report, id] {
    absl::StatusOr<std::unique_ptr<client::AdminClient>> admin = Admin(ctx);
    if (!admin.ok()) return report(admin.status());
    absl::Status s = (*admin)->RevokeToken(*id).status();
    if (s.ok()) std::cout << "token " << *id << " revoked\n";
    report(s);
  });
}

}  // namespace goalsync::cli
