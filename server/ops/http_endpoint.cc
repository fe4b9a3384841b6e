#include "server/ops/http_endpoint.h"

#include <functional>

#include "CivetServer.h"
#include "absl/strings/str_cat.h"

namespace goalsync::server {

// Answers GET with what `respond` returns: (HTTP status, content type, body).
class HttpEndpoint::Handler : public CivetHandler {
 public:
  struct Reply {
    int status;
    const char* content_type;
    std::string body;
  };
  explicit Handler(std::function<Reply()> respond) : respond_(std::move(respond)) {}

  bool handleGet(CivetServer* /*server*/, mg_connection* conn) override {
    const Reply reply = respond_();
    mg_printf(conn,
              "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
              "Connection: close\r\n\r\n",
              reply.status, reply.status == 200 ? "OK" : "Service Unavailable",
              reply.content_type, reply.body.size());
    mg_write(conn, reply.body.data(), reply.body.size());
    return true;
  }

 private:
  std::function<Reply()> respond_;
};

absl::StatusOr<std::unique_ptr<HttpEndpoint>> HttpEndpoint::Start(const std::string& listen,
                                                                   Metrics& metrics,
                                                                   Health& health) {
  std::unique_ptr<HttpEndpoint> e(new HttpEndpoint());
  e->metrics_handler_ = std::make_unique<Handler>([&metrics] {
    return Handler::Reply{200, "text/plain; version=0.0.4; charset=utf-8", metrics.Text()};
  });
  e->healthz_handler_ = std::make_unique<Handler>([&health] {
    return health.Live() ? Handler::Reply{200, "text/plain", "ok\n"}
                         : Handler::Reply{503, "text/plain", "shutting down\n"};
  });
  e->readyz_handler_ = std::make_unique<Handler>([&health] {
    absl::Status ready = health.Ready();
    return ready.ok() ? Handler::Reply{200, "text/plain", "ready\n"}
                      : Handler::Reply{503, "text/plain", absl::StrCat(ready.message(), "\n")};
  });
  try {
    e->server_ = std::make_unique<CivetServer>(
        std::vector<std::string>{"listening_ports", listen, "num_threads", "2"});
  } catch (const std::exception& ex) {  // CivetException: the port is taken or not ours
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", listen, " (", ex.what(),
                                               "): the address is in use or not local "
                                               "(see --metrics-listen)"));
  }
  e->server_->addHandler("/metrics$", e->metrics_handler_.get());
  e->server_->addHandler("/healthz$", e->healthz_handler_.get());
  e->server_->addHandler("/readyz$", e->readyz_handler_.get());
  const std::vector<int> ports = e->server_->getListeningPorts();
  e->port_ = ports.empty() ? 0 : ports.front();
  return e;
}

HttpEndpoint::~HttpEndpoint() {
  if (server_ != nullptr) server_->close();
}

}  // namespace goalsync::server
