// UiServer: goalctl ui's HTTP server (cpp-httplib) over one open replica. Serves the page and
// its assets (compiled into goalctl), the pages' JSON (GET /api/...), the forms (POST
// /api/edit, /api/targets, /api/dismiss) and a server-sent-event stream (/api/events) that
// tells open pages to refresh when the replica changes. Every request is checked by UiAuth.
//
// Thread safety: Run blocks the calling thread; Stop may be called from any other.
#ifndef GOALSYNC_CLI_UI_UI_SERVER_H_
#define GOALSYNC_CLI_UI_UI_SERVER_H_

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "cli/ui/change_feed.h"
#include "cli/ui/ui_auth.h"
#include "goalsync/replica.h"

namespace httplib {
class Server;
}

namespace goalsync::cli::ui {

struct UiServerOptions {
  std::string host = "127.0.0.1";
  int port = 7420;  // 0: any free port
  // Both set: HTTPS with this certificate and key (PEM files).
  std::string tls_cert;
  std::string tls_key;
  // What the session page says about where the plan comes from.
  std::string workspace;
  std::string actor;
  std::string server;
  // Whether the replica's live mode runs (a server is configured and --offline is not set).
  bool live = false;
};

class UiServer {
 public:
  UiServer(client::Replica& replica, UiServerOptions options);
  ~UiServer();

  // Binds the listening socket; returns the port bound. INVALID_ARGUMENT for bad TLS files,
  // UNAVAILABLE when the address cannot be bound.
  absl::StatusOr<int> Bind();
  // The URL to open, with the secret: "http://127.0.0.1:7420/?k=...". After Bind.
  std::string Url() const;
  // Serves until Stop.
  void Run();
  void Stop();
  // Where the pages learn that the replica changed.
  ChangeFeed& feed() { return feed_; }

 private:
  void Routes();
  void Watch();

  client::Replica& replica_;
  const UiServerOptions options_;
  const std::string secret_;
  std::unique_ptr<UiAuth> auth_;
  std::unique_ptr<httplib::Server> http_;
  ChangeFeed feed_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread watcher_;
};

}  // namespace goalsync::cli::ui

#endif  // GOALSYNC_CLI_UI_UI_SERVER_H_
