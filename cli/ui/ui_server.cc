#include "cli/ui/ui_server.h"

#include <functional>
#include <tuple>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "cli/ui/board_pages.h"
#include "cli/ui/plan_pages.h"
#include "cli/ui/ui_assets.h"
#include "cli/ui/ui_edits.h"
#include "core/plan/period.h"
#include "httplib.h"

namespace goalsync::cli::ui {
namespace {

using httplib::Request;
using httplib::Response;
using HandlerResponse = httplib::Server::HandlerResponse;

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "[::1]" || absl::StartsWith(host, "127.");
}

std::vector<std::string> AllowedHosts(const std::string& host, int port) {
  if (!IsLoopback(host)) return {};  // TLS and the secret guard it; the name is the user's
  const std::string p = absl::StrCat(":", port);
  return {host + p, "localhost" + p, "127.0.0.1" + p, "[::1]" + p};
}

void SendJson(Response& res, int status, const Json& j) {
  res.status = status;
  res.set_content(j.dump(), "application/json; charset=utf-8");
}

// One translation of a status into HTTP: a refused edit (the kernel's rules) is 422 with the
// kernel's message, which the page shows next to the field.
void SendError(Response& res, const absl::Status& s) {
  int status = 500;
  switch (s.code()) {
    case absl::StatusCode::kNotFound: status = 404; break;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kAlreadyExists: status = 422; break;
    case absl::StatusCode::kPermissionDenied: status = 403; break;
    case absl::StatusCode::kUnavailable: status = 503; break;
    default: break;
  }
  SendJson(res, status, Json{{"error", std::string(s.message())},
                             {"code", absl::StatusCodeToString(s.code())}});
}

void Forbid(Response& res, const std::string& why) {
  res.status = 403;
  res.set_content(absl::StrCat("goalctl ui: ", why, "\n"), "text/plain; charset=utf-8");
}

absl::StatusOr<absl::CivilDay> TodayOf(const Request& req) {
  const std::string t = req.get_param_value("today");
  if (t.empty()) return absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  return core::ParseDate(t);
}

}  // namespace

UiServer::UiServer(client::Replica& replica, UiServerOptions options)
    : replica_(replica), options_(std::move(options)), secret_(UiAuth::NewSecret()) {}

UiServer::~UiServer() {
  Stop();
  if (watcher_.joinable()) watcher_.join();
}

absl::StatusOr<int> UiServer::Bind() {
  const bool tls = !options_.tls_cert.empty() || !options_.tls_key.empty();
  if (tls) {
    auto ssl = std::make_unique<httplib::SSLServer>(options_.tls_cert.c_str(),
                                                    options_.tls_key.c_str());
    if (!ssl->is_valid()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cannot use --tls-cert ", options_.tls_cert, " and --tls-key ", options_.tls_key,
          ": PEM certificate and its private key expected"));
    }
    http_ = std::move(ssl);
  } else {
    http_ = std::make_unique<httplib::Server>();
  }
  // Each open page holds one thread for its event stream; leave plenty for requests.
  http_->new_task_queue = [] { return new httplib::ThreadPool(32); };
  port_ = options_.port == 0 ? http_->bind_to_any_port(options_.host)
                             : (http_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port_ <= 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options_.host, ":",
                                               options_.port, " (in use? try --listen HOST:0)"));
  }
  auth_ = std::make_unique<UiAuth>(secret_, AllowedHosts(options_.host, port_), tls);
  Routes();
  return port_;
}

std::string UiServer::Url() const {
  const bool tls = !options_.tls_cert.empty();
  const std::string host =
      absl::StrContains(options_.host, ':') && options_.host[0] != '[' ? "[" + options_.host + "]"
                                                                        : options_.host;
  return absl::StrCat(tls ? "https" : "http", "://", host, ":", port_, "/?k=", secret_);
}

void UiServer::Run() {
  watcher_ = std::thread([this] { Watch(); });
  http_->listen_after_bind();
}

void UiServer::Stop() {
  if (stopping_.exchange(true)) return;
  feed_.Close();
  if (http_) http_->stop();
}

// Pushes and refusals happen on the replica's live threads without a callback: notice them
// by the outbox and rejected list moving.
void UiServer::Watch() {
  std::tuple<uint64_t, size_t, size_t, size_t> last{};
  while (!stopping_.load()) {
    const client::ReplicaStatus st = replica_.Status();
    const auto now = std::make_tuple(st.confirmed_seq, st.outbox, st.rejected, st.stale.size());
    if (now != last) {
      last = now;
      feed_.Bump();
    }
    feed_.WaitPast(UINT64_MAX, absl::Milliseconds(250));
  }
}

void UiServer::Routes() {
  http_->set_default_headers({
      {"Cache-Control", "no-store"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Content-Security-Policy",
       "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "connect-src 'self'; frame-ancestors 'none'; form-action 'self'"},
  });
  http_->set_pre_routing_handler([this](const Request& req, Response& res) {
    if (!auth_->HostOk(req.get_header_value("Host"))) {
      Forbid(res, "unexpected Host header");
      return HandlerResponse::Handled;
    }
    if (req.method == "GET" && req.path == "/" && req.has_param("k")) {
      if (!auth_->KeyOk(req.get_param_value("k"))) {
        Forbid(res, "this link is not (or no longer) valid: use the URL goalctl ui printed");
        return HandlerResponse::Handled;
      }
      res.set_header("Set-Cookie", auth_->SetCookie());
      res.set_redirect("/", 303);  // the secret leaves the address bar and history
      return HandlerResponse::Handled;
    }
    if (!auth_->CookieOk(req.get_header_value("Cookie"))) {
      Forbid(res, "open the URL goalctl ui printed (it carries this run's secret)");
      return HandlerResponse::Handled;
    }
    if (req.method == "GET" || req.method == "HEAD") return HandlerResponse::Unhandled;
    const std::string origin = req.get_header_value("Origin");
    const std::string self = absl::StrCat(options_.tls_cert.empty() ? "http://" : "https://",
                                          req.get_header_value("Host"));
    if (req.method != "POST" || !auth_->CsrfOk(req.get_header_value(kCsrfHeader)) ||
        (!origin.empty() && origin != self)) {
      Forbid(res, "edits are POSTs from goalctl ui's own page");
      return HandlerResponse::Handled;
    }
    return HandlerResponse::Unhandled;
  });
  http_->set_exception_handler([](const Request&, Response& res, std::exception_ptr) {
    SendError(res, absl::InternalError("goalctl ui failed on this request"));
  });

  auto asset = [](const Request& req, Response& res) {
    const Asset* a = FindAsset(req.path);
    if (a == nullptr) return SendError(res, absl::NotFoundError("no such page"));
    res.set_content(std::string(a->body), std::string(a->content_type));
  };
  for (const char* path : {"/", "/app.js", "/charts.js", "/forms.js", "/style.css"}) {
    http_->Get(path, asset);
  }

  using PageFn = std::function<absl::StatusOr<Json>(const Request&)>;
  auto page = [this](const std::string& path, PageFn fn) {
    http_->Get(path, [fn](const Request& req, Response& res) {
      absl::StatusOr<Json> j = fn(req);
      if (!j.ok()) return SendError(res, j.status());
      SendJson(res, 200, *j);
    });
  };
  page("/api/session", [this](const Request&) -> absl::StatusOr<Json> {
    return Json{{"csrf", auth_->csrf()}, {"workspace", options_.workspace},
                {"actor", options_.actor}, {"server", options_.server}, {"live", options_.live}};
  });
  page("/api/status", [this](const Request&) -> absl::StatusOr<Json> {
    Json j = StatusJson(replica_);
    j["live"] = options_.live;
    j["version"] = feed_.version();
    return j;
  });
  page("/api/tree", [this](const Request& r) { return TreePage(replica_, r.get_param_value("period")); });
  page("/api/goal", [this](const Request& r) { return GoalPage(replica_, r.get_param_value("id")); });
  page("/api/asof", [this](const Request& r) { return AsOfPage(replica_, r.get_param_value("at")); });
  page("/api/gantt", [this](const Request& r) -> absl::StatusOr<Json> {
    absl::StatusOr<absl::CivilDay> today = TodayOf(r);
    if (!today.ok()) return today.status();
    return GanttPage(replica_, *today);
  });
  page("/api/dashboard", [this](const Request& r) -> absl::StatusOr<Json> {
    absl::StatusOr<absl::CivilDay> today = TodayOf(r);
    if (!today.ok()) return today.status();
    return DashboardPage(replica_, r.get_param_value("goal"), *today);
  });
  page("/api/kanban", [this](const Request&) { return KanbanPage(replica_); });
  page("/api/raci", [this](const Request&) { return RaciPage(replica_); });
  page("/api/reviews", [this](const Request&) { return ReviewsPage(replica_); });
  page("/api/crs", [this](const Request&) { return ChangeRequestsPage(replica_); });
  page("/api/conflicts", [this](const Request&) { return ConflictsPage(replica_); });

  using EditFn = std::function<absl::StatusOr<Json>(client::Replica&, const std::string&)>;
  auto edit = [this](const std::string& path, EditFn fn) {
    http_->Post(path, [this, fn](const Request& req, Response& res) {
      absl::StatusOr<Json> j = fn(replica_, req.body);
      if (!j.ok()) return SendError(res, j.status());
      feed_.Bump();
      SendJson(res, 200, *j);
    });
  };
  edit("/api/edit", SubmitEdit);
  edit("/api/targets", SetTargets);
  edit("/api/dismiss", DismissRejected);

  http_->Get("/api/events", [this](const Request&, Response& res) {
    auto seen = std::make_shared<uint64_t>(0);
    res.set_chunked_content_provider(
        "text/event-stream", [this, seen](size_t, httplib::DataSink& sink) {
          std::string msg;
          if (*seen == 0) {
            *seen = feed_.version();
            msg = absl::StrCat("retry: 1000\nevent: plan\ndata: {\"version\":", *seen, "}\n\n");
          } else {
            const uint64_t v = feed_.WaitPast(*seen, absl::Seconds(10));
            if (feed_.closed()) {
              sink.done();
              return true;
            }
            msg = v > *seen ? absl::StrCat("event: plan\ndata: {\"version\":", v, "}\n\n")
                            : std::string(": keep-alive\n\n");
            *seen = v;
          }
          return sink.write(msg.data(), msg.size());
        });
  });
}

}  // namespace goalsync::cli::ui
