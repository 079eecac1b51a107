#include "server/http_app.h"

#include <httplib.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <variant>

#include "server/api_error.h"
#include "server/auth.h"
#include "server/handlers.h"
#include "server/json_body.h"
#include "server/routes.h"
#include "server/writes.h"

namespace attrkit::server {
namespace {

constexpr const char* kJsonType = "application/json; charset=utf-8";
constexpr double kPruneEveryMs = 3600.0 * 1000;

double wall_ms() {
  using namespace std::chrono;
  return static_cast<double>(
      duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count());
}

// What the access log says about the request this thread is answering: its route pattern (never
// the path, which may hold a distinct id) and workspace. Set by the handler, read and reset by the
// logger, which httplib calls on the same thread once the answer is written.
struct LogContext {
  const char* route = nullptr;
  std::string workspace;
};
thread_local LogContext tl_log;

void note_route(const char* route) { tl_log.route = route; }

// The route as people write it: "(.+)" named after what it holds.
const char* route_label(const Route& route) {
  static const std::map<const Route*, std::string> kLabels = [] {
    std::map<const Route*, std::string> out;
    for (const Route& r : api_routes()) {
      std::string label = r.pattern;
      auto at = label.find("(.+)");
      if (at != std::string::npos) {
        label.replace(at, 4,
                      label.rfind("/persons/", at) != std::string::npos ? "{distinctId}" : "{key}");
      }
      out.emplace(&r, label);
    }
    return out;
  }();
  auto it = kLabels.find(&route);
  return it == kLabels.end() ? route.pattern : it->second.c_str();
}

std::string iso_time_now() {
  using namespace std::chrono;
  auto now = system_clock::now();
  std::time_t t = system_clock::to_time_t(now);
  auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

// One JSON line per request: {"time","method","route","status","ms","workspace"}. Never a key, a
// header value, a path or a body.
void write_access_log(const httplib::Request& req, const httplib::Response& res) {
  using namespace std::chrono;
  double ms =
      duration<double, std::milli>(steady_clock::now() - GuardedServer::request_started()).count();
  nlohmann::ordered_json line = {
      {"time", iso_time_now()},
      {"method", req.method},
      {"route", tl_log.route ? Json(tl_log.route) : Json(nullptr)},
      {"status", res.status},
      {"ms", std::round(ms * 100) / 100},
      {"workspace", tl_log.workspace.empty() ? Json(nullptr) : Json(tl_log.workspace)}};
  std::string text = line.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
}

ApiError request_timeout() {
  ApiError e = api_error(Error::server_error, "the request did not arrive in time");
  e.status = 408;
  e.code = "request_timeout";
  return e;
}

void write_reply(const Reply& reply, httplib::Response& res) {
  res.status = reply.status;
  for (const auto& [name, value] : reply.headers) res.set_header(name, value);
  if (!reply.body.is_null()) res.set_content(dump_json(reply.body), kJsonType);
}

// Fills the JSON error body for answers httplib produced itself (404 for an unknown path, 413
// over the body cap, 400 for an unparsable request line) and for static 404s.
httplib::Server::HandlerResponse error_body(const httplib::Request&, httplib::Response& res) {
  if (GuardedServer::request_timed_out()) {
    // The headers or body ran past their deadline; the connection closes after this answer.
    res.status = 408;
    res.set_header("Connection", "close");
    res.set_content(dump_json(request_timeout().body()), kJsonType);
    return httplib::Server::HandlerResponse::Handled;
  }
  if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
  Error e = res.status == 404   ? Error::not_found
            : res.status == 413 ? Error::payload_too_large
            : res.status == 400 ? Error::invalid_request
                                : Error::server_error;
  ApiError err = api_error_for(e);
  err.status = res.status;
  res.set_content(dump_json(err.body()), kJsonType);
  return httplib::Server::HandlerResponse::Handled;
}

// Reads a request body through httplib's content reader rather than into req.body: httplib would
// otherwise parse an application/x-www-form-urlencoded body (what curl -d sends) as a form and cap
// it at 8 KB. The body is JSON whatever its Content-Type says. Returns false when it is over
// kMaxBodyBytes; an unreadable or multipart body comes back empty, so it fails as invalid_request
// after the key checks.
bool read_body(const httplib::Request& req, const httplib::Response& res,
               const httplib::ContentReader& read, std::string* body) {
  if (!req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) {
    return true;  // no body (RFC 9112 §6.3); httplib would wait for EOF until its read timeout
  }
  bool over = false;
  bool complete;
  if (req.is_multipart_form_data()) {
    complete = read([](const httplib::MultipartFormData&) { return true; },
                    [](const char*, std::size_t) { return true; });
  } else {
    complete = read([&](const char* data, std::size_t len) {
      // Keep draining past the cap so the connection stays in step; just stop keeping bytes.
      if (body->size() + len > kMaxBodyBytes) over = true;
      if (!over) body->append(data, len);
      return true;
    });
  }
  if (over || (!complete && res.status == 413)) return false;
  if (!complete || req.is_multipart_form_data()) body->clear();
  return true;
}

}  // namespace

HttpApp::HttpApp(Store& store, AppOptions options)
    : store_(store),
      options_(std::move(options)),
      limiter_(options_.rate_limit > 0
                   ? store.rate_limiter(options_.rate_limit, options_.rate_limit * 2)
                   : nullptr),
      http_(std::make_unique<GuardedServer>(options_.limits)) {
  install();
}

HttpApp::~HttpApp() = default;

int HttpApp::bind(const std::string& host, int port) {
  int bound =
      port == 0 ? http_->bind_to_any_port(host) : (http_->bind_to_port(host, port) ? port : -1);
  if (bound > 0) http_->widen_backlog();
  return bound;
}

bool HttpApp::listen() { return http_->listen_after_bind(); }

void HttpApp::stop() { http_->stop_gracefully(); }

void HttpApp::install() {
  // Workers, deadlines and the connection cap are GuardedServer's (server/guarded_server.h).
  http_->set_keep_alive_max_count(1000);
  http_->set_pre_routing_handler([](const httplib::Request&, httplib::Response&) {
    GuardedServer::headers_done();  // from here on the body's deadline applies
    tl_log = LogContext{};
    return httplib::Server::HandlerResponse::Unhandled;
  });
  // Headers and body go out in separate writes; without this, Nagle + delayed ACK add ~40 ms.
  http_->set_tcp_nodelay(true);
  http_->set_payload_max_length(kMaxBodyBytes);
  // httplib's default sets SO_REUSEPORT, which lets a second server bind the same port and the
  // kernel split connections between the two. SO_REUSEADDR alone still allows a quick restart
  // over TIME_WAIT sockets, and makes "port in use" an error.
  http_->set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  http_->set_error_handler(httplib::Server::HandlerWithResponse(error_body));
  http_->set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
        std::fprintf(stderr, "attrkit-server: unhandled exception on %s %s\n", req.method.c_str(),
                     req.path.c_str());
        write_reply(Reply::error(api_error(Error::server_error, "internal error")), res);
      });
  // Keys are bearer tokens, never cookies, so any origin may call (and load the SDK with SRI).
  http_->set_post_routing_handler([this](const httplib::Request&, httplib::Response& res) {
    res.set_header("Access-Control-Allow-Origin", "*");
    res.set_header("Access-Control-Expose-Headers", "ETag, Retry-After");
    // Answered while stopping: the connection closes after this answer, so say so.
    if (http_->stopping() && !res.has_header("Connection")) res.set_header("Connection", "close");
  });
  http_->set_logger([verbose = options_.verbose, access = options_.access_log](
                        const httplib::Request& req, const httplib::Response& res) {
    if (verbose)
      std::fprintf(stderr, "%s %s %d\n", req.method.c_str(), req.path.c_str(), res.status);
    if (access) write_access_log(req, res);
    tl_log = LogContext{};
  });

  install_health_routes();
  if (!options_.demo_secret_key.empty()) install_demo_routes();
  for (const Route& route : api_routes()) {
    std::string method = route.method;
    if (!route.takes_body) {
      http_->Get(route.pattern,
                 [this, &route](const httplib::Request& req, httplib::Response& res) {
                   handle_api(route, req, std::string(), res);
                 });
      continue;
    }
    auto with_body = [this, &route](const httplib::Request& req, httplib::Response& res,
                                    const httplib::ContentReader& read) {
      std::string body;
      const bool fits = read_body(req, res, read, &body);
      if (GuardedServer::request_timed_out()) {
        note_route(route_label(route));
        write_reply(Reply::error(request_timeout()), res);
        res.set_header("Connection", "close");
        return;
      }
      if (!fits) {
        note_route(route_label(route));
        write_reply(Reply::error(api_error_for(Error::payload_too_large)), res);
        return;
      }
      handle_api(route, req, body, res);
    };
    if (method == "POST") http_->Post(route.pattern, with_body);
    if (method == "PUT") http_->Put(route.pattern, with_body);
    if (method == "DELETE") http_->Delete(route.pattern, with_body);
  }
  http_->Options(".*", [](const httplib::Request&, httplib::Response& res) {
    note_route("OPTIONS *");
    res.status = 204;
    res.set_header("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE, OPTIONS");
    res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, If-None-Match");
    res.set_header("Access-Control-Max-Age", "86400");
  });
  http_->Get(".*", [this](const httplib::Request& req, httplib::Response& res) {
    note_route("static");
    serve_static(options_.mounts, req, res);
  });
}

void HttpApp::install_health_routes() {
  // No key: for load balancers and orchestrators. /healthz: the process answers. /readyz: the
  // database answers a trivial query too (503 not_ready otherwise).
  http_->Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    note_route("/healthz");
    res.set_header("Cache-Control", "no-store");
    write_reply(Reply::ok(Json{{"ok", true}}), res);
  });
  http_->Get("/readyz", [this](const httplib::Request&, httplib::Response& res) {
    note_route("/readyz");
    res.set_header("Cache-Control", "no-store");
    try {
      store_.transact([](Tx& tx) { tx.ping(); });
      write_reply(Reply::ok(Json{{"ok", true}, {"database", "ok"}}), res);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "attrkit-server: readyz: %s\n", e.what());
      ApiError err = api_error(Error::server_error, "the database does not answer");
      err.status = 503;
      err.code = "not_ready";
      write_reply(Reply::error(err), res);
    }
  });
}

void HttpApp::install_demo_routes() {
  http_->Get("/demo/config.json", [this](const httplib::Request& req, httplib::Response& res) {
    note_route("/demo/config.json");
    // The page calls back the host it was served from (localhost or 127.0.0.1 alike).
    Json body{{"publicKey", options_.demo_public_key},
              {"apiHost", "http://" + req.get_header_value("Host")}};
    res.set_header("Cache-Control", "no-cache");
    write_reply(Reply::ok(std::move(body)), res);
  });
  const Route* person_route = nullptr;
  for (const Route& route : api_routes()) {
    if (route.handle == get_person) person_route = &route;
  }
  http_->Get("/demo/person/(.+)",
             [this, person_route](const httplib::Request& req, httplib::Response& res) {
               httplib::Request as_secret = req;
               as_secret.headers.erase("Authorization");
               as_secret.headers.emplace("Authorization", "Bearer " + options_.demo_secret_key);
               handle_api(*person_route, as_secret, std::string(), res);
               note_route("/demo/person/{distinctId}");
               // A person nobody has written to yet is, for the demo console, a person with no
               // attributes.
               if (res.status == 404) {
                 Json empty{{"distinctId", req.matches[1].str()}, {"attributes", Json::object()}};
                 write_reply(Reply::ok(std::move(empty)), res);
               }
             });
}

void HttpApp::handle_api(const Route& route, const httplib::Request& req,
                         const std::string& body_text, httplib::Response& res) {
  note_route(route_label(route));
  // The whole header, NULs included (get_header_value would cut it at the first NUL). Two
  // Authorization headers are refused like a malformed one.
  std::string authorization;
  if (req.headers.count("Authorization") == 1) {
    authorization = req.headers.find("Authorization")->second;
  }
  Reply reply;
  try {
    reply = store_.transact([&](Tx& tx) -> Reply {
      auto auth = authenticate(tx, authorization);
      if (auto* e = std::get_if<ApiError>(&auth)) return Reply::error(*e);
      const Principal& who = std::get<Principal>(auth);
      tl_log.workspace = who.workspace.id;
      // For PostgreSQL the limiter is a one-statement upsert on a connection of its own, so the
      // bucket's row lock is not held for this whole transaction.
      if (int wait = limiter_ ? limiter_->acquire(who.key_id) : 0) {
        Reply r = Reply::error(api_error_for(Error::rate_limited));
        r.headers.emplace_back("Retry-After", std::to_string(wait));
        return r;
      }
      if (auto e = authorize(who, route.access)) return Reply::error(*e);
      Json body;
      if (route.takes_body) {
        auto parsed = parse_json_body(body_text);
        if (!parsed) return Reply::error(api_error(Error::invalid_request, "the body is not JSON"));
        body = std::move(*parsed);
      }
      double now = wall_ms();
      if (now - last_prune_ms_.load() > kPruneEveryMs) {
        last_prune_ms_ = now;
        tx.prune_write_results(now - kWriteIdRetentionMs);
      }
      std::string param = req.matches.size() > 1 ? req.matches[1].str() : std::string();
      std::string if_none_match = req.get_header_value("If-None-Match");
      std::map<std::string, std::string> query;
      for (const auto& [name, value] : req.params) query.emplace(name, value);  // keeps the first
      ApiCall call{tx, who, body, param, if_none_match, now, query};
      return route.handle(call);
    });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "attrkit-server: %s %s: %s\n", req.method.c_str(), req.path.c_str(),
                 e.what());
    reply = Reply::error(api_error(Error::server_error, "internal error"));
  }
  write_reply(reply, res);
}

}  // namespace attrkit::server
