// The HTTP server: cpp-httplib configured with the API routes (routes.h), the static folders,
// CORS, body caps and the JSON error shape. Owns the httplib::Server and the rate limiter (the
// store's kind: in memory for SQLite, shared through the database for PostgreSQL); the Store is
// the caller's and must outlive it.
#pragma once
#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "server/guarded_server.h"
#include "server/rate_limit.h"
#include "server/static_files.h"
#include "server/store.h"

namespace attrkit::server {

constexpr std::size_t kMaxBodyBytes = 64 * 1024;

struct AppOptions {
  double rate_limit = 100;  // requests per second per key, burst twice that; <= 0: no limit
  std::vector<StaticMount> mounts;
  bool verbose = false;    // one "METHOD path status" stderr line per request (debugging)
  bool access_log = true;  // one JSON line per request on stderr (docs/operations.md)
  ConnectionLimits limits;
  // The demo workspace's keys, set only by --seed-demo on a loopback address (main refuses it
  // elsewhere; npm start): enables GET /demo/config.json
  // (the demo page's publicKey and apiHost) and GET /demo/person/{distinctId} (what the server
  // stored, read with the secret key on the page's behalf). Local development only.
  std::string demo_public_key;
  std::string demo_secret_key;
};

struct Route;

class HttpApp {
 public:
  HttpApp(Store& store, AppOptions options);
  ~HttpApp();

  // Binds and listens on host:port (0: any free port). Returns the port, or -1.
  int bind(const std::string& host, int port);
  // Accepts connections until stop(); returns when the server has shut down.
  bool listen();
  // Stops accepting, closes idle connections and lets requests in flight finish (listen() returns
  // once they have); safe from any thread.
  void stop();

 private:
  void install();
  void install_demo_routes();
  void install_health_routes();
  void handle_api(const Route& route, const httplib::Request& req, const std::string& body_text,
                  httplib::Response& res);

  Store& store_;
  AppOptions options_;
  std::unique_ptr<RequestLimiter> limiter_;  // null: no limit
  std::atomic<double> last_prune_ms_{0};
  std::unique_ptr<GuardedServer> http_;
};

}  // namespace attrkit::server
