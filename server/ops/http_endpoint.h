// HttpEndpoint: goalsyncd's plain-HTTP side port (--metrics-listen) for Prometheus and
// Kubernetes probes:
//   GET /metrics  Prometheus text format (version 0.0.4) of Metrics
//   GET /healthz  200 "ok" while the process serves; 503 while shutting down (liveness)
//   GET /readyz   200 "ready" while appends are taken; 503 and the reason otherwise
//                 (readiness: appends stopped after a failed write, disk full, shutdown)
// It serves with civetweb, the HTTP server prometheus-cpp's own Exposer is built on; the
// Exposer is not used because it cannot serve the probe paths on the same port.
//
// Thread safety: civetweb's threads call the handlers; Start and the destructor from one
// thread.
#ifndef GOALSYNC_SERVER_OPS_HTTP_ENDPOINT_H_
#define GOALSYNC_SERVER_OPS_HTTP_ENDPOINT_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "server/ops/health.h"
#include "server/ops/metrics.h"

class CivetServer;

namespace goalsync::server {

class HttpEndpoint {
 public:
  // Listens on `listen` (HOST:PORT; port 0 picks a free one). `metrics` and `health` must
  // outlive the endpoint. UNAVAILABLE if the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpEndpoint>> Start(const std::string& listen,
                                                             Metrics& metrics, Health& health);
  // Stops serving (waits for requests in progress).
  ~HttpEndpoint();

  int port() const { return port_; }

 private:
  class Handler;
  HttpEndpoint() = default;

  std::unique_ptr<Handler> metrics_handler_, healthz_handler_, readyz_handler_;
  std::unique_ptr<CivetServer> server_;
  int port_ = 0;
};

}  // namespace goalsync::server

#endif  // GOALSYNC_SERVER_OPS_HTTP_ENDPOINT_H_
