#include "cli/ui/ui_command.h"

#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "cli/replica_session.h"
#include "cli/ui/ui_server.h"

extern char** environ;

namespace goalsync::cli {
namespace ui {

absl::StatusOr<ListenAddress> ParseListen(const std::string& listen) {
  ListenAddress a;
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0 || !absl::SimpleAtoi(listen.substr(colon + 1), &a.port) ||
      a.port < 0 || a.port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("--listen ", listen, ": write it as HOST:PORT, e.g. 127.0.0.1:7420"));
  }
  a.host = listen.substr(0, colon);
  if (a.host.size() > 2 && a.host.front() == '[' && a.host.back() == ']') {
    a.host = a.host.substr(1, a.host.size() - 2);
  }
  a.loopback = a.host == "localhost" || a.host == "::1" || absl::StartsWith(a.host, "127.");
  return a;
}

}  // namespace ui

namespace {

struct UiArgs {
  std::string listen = "127.0.0.1:7420";
  bool open = false;
  std::string tls_cert;
  std::string tls_key;
};

// Opens `url` in the desktop's browser; failing to is no error (the URL is printed).
void OpenBrowser(const std::string& url) {
  pid_t pid = 0;
  const char* argv[] = {"xdg-open", url.c_str(), nullptr};
  if (posix_spawnp(&pid, "xdg-open", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) {
    std::cerr << "goalctl ui: could not start xdg-open; open the URL above\n";
  }
}

absl::Status RunUi(const CliContext& ctx, const UiArgs& args) {
  absl::StatusOr<ui::ListenAddress> addr = ui::ParseListen(args.listen);
  if (!addr.ok()) return addr.status();
  const bool tls = !args.tls_cert.empty() && !args.tls_key.empty();
  if (!args.tls_cert.empty() != !args.tls_key.empty()) {
    return absl::InvalidArgumentError("--tls-cert and --tls-key go together");
  }
  if (!addr->loopback && !tls) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--listen ", args.listen, " is not a loopback address: others could reach the plan; "
        "serve it with TLS (--tls-cert and --tls-key) or listen on 127.0.0.1"));
  }
  // SIGINT/SIGTERM are taken by sigwait below; block them before any thread starts.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  absl::StatusOr<std::unique_ptr<client::Replica>> replica = OpenFresh(ctx);
  if (!replica.ok()) return replica.status();
  const bool live = !ctx.offline && !ctx.server.empty();
  const char* user = std::getenv("USER");
  const std::string actor = !ctx.actor.empty() ? ctx.actor : user != nullptr && *user != '\0' ? user : "unknown";
  ui::UiServer server(**replica, {.host = addr->host, .port = addr->port,
                                  .tls_cert = args.tls_cert, .tls_key = args.tls_key,
                                  .workspace = ctx.workspace, .actor = actor,
                                  .server = ctx.offline ? "" : ctx.server, .live = live});
  absl::StatusOr<int> port = server.Bind();
  if (!port.ok()) return port.status();
  if (live) {
    // Remote events (and our own, confirmed) refresh the open pages at once.
    ui::ChangeFeed* feed = &server.feed();
    if (absl::Status s = (*replica)->StartLive([feed](const v1::Event&) { feed->Bump(); }); !s.ok()) {
      return s;
    }
  }
  std::cout << server.Url() << std::endl;
  std::cerr << "goalctl ui: workspace " << ctx.workspace << (live ? ", live with " + ctx.server : ", offline")
            << "; Ctrl-C stops\n";
  if (args.open) OpenBrowser(server.Url());
  std::thread http([&server] { server.Run(); });
  int sig = 0;
  sigwait(&stop_signals, &sig);
  server.Stop();
  http.join();
  (*replica)->StopLive();
  return absl::OkStatus();
}

}  // namespace

void RegisterUiCommand(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<UiArgs>();
  CLI::App* ui = app.add_subcommand(
      "ui", "The plan in a browser, served from the local replica (works offline); prints the URL");
  ui->add_option("--listen", args->listen,
                 "HOST:PORT to serve on (port 0: any free one); off loopback only with TLS")
      ->capture_default_str();
  ui->add_flag("--open", args->open, "Also open the URL in the desktop's browser (xdg-open)");
  ui->add_option("--tls-cert", args->tls_cert, "PEM certificate: serve HTTPS");
  ui->add_option("--tls-key", args->tls_key, "PEM private key of --tls-cert");
  ui->callback([&ctx, args] {
    if (absl::Status s = RunUi(ctx, *args); !s.ok()) ctx.exit_code = ReportError(ctx, s);
  });
}

}  // namespace goalsync::cli
