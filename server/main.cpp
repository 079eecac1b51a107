// attrkit-server: the reference API server (DESIGN §7). Parses the command line, opens the
// database, seeds the demo workspace when asked, listens, prints the ready line, and stops
// cleanly on SIGINT / SIGTERM.
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/json.h"
#include "server/admin_cli.h"
#include "server/http_app.h"
#include "server/options.h"
#include "server/seed.h"
#include "server/store.h"

namespace {

using namespace attrkit::server;

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

// Each open connection holds a file descriptor; a soft limit of 1024 (common) would refuse
// connections well below --max-connections. Raise it to the hard limit when that is below need.
void raise_fd_limit(std::size_t connections) {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return;
  const rlim_t want = static_cast<rlim_t>(connections) + 64;
  if (r.rlim_cur >= want) return;
  r.rlim_cur = std::min(want, r.rlim_max);
  setrlimit(RLIMIT_NOFILE, &r);
}

std::string display_host(const std::string& host) {
  if (host == "0.0.0.0" || host == "::") return "127.0.0.1";
  if (host.find(':') != std::string::npos) return "[" + host + "]";
  return host;
}

void print_ready(const std::string& database, const std::string& url,
                 const std::optional<DemoWorkspace>& demo) {
  // ordered_json keeps the documented field order: url, publicKey, secretKey.
  nlohmann::ordered_json ready = {{"url", url}, {"publicKey", nullptr}, {"secretKey", nullptr}};
  std::cout << "attrkit reference server listening on " << url << "\n";
  std::cout << "  demo page:   " << url << "/\n";
  std::cout << "  database:    " << database << "\n";
  if (demo) {
    ready["publicKey"] = demo->public_key;
    ready["secretKey"] = demo->secret_key;
    std::cout << "  public key:  " << demo->public_key << "   (browser: config and writes)\n";
    std::cout << "  secret key:  " << demo->secret_key
              << "   (server side only: reads, definitions)\n";
  } else {
    std::cout << "  no demo workspace in this database (start with --seed-demo)\n";
  }
  std::cout << "attrkit ready " << ready.dump() << std::endl;
}

int run(const Options& o) {
  if (o.seed_demo && !is_loopback_host(o.host)) {
    std::cerr
        << "attrkit-server: --seed-demo refused on --host " << o.host
        << ": the demo routes (/demo/...) read any person's attributes without a key, so\n"
           "they only run on a loopback address (127.0.0.1, ::1, localhost). Bind a loopback\n"
           "address, or drop --seed-demo and create workspaces with `attrkit-server "
           "workspace create`.\n";
    return 2;
  }
  raise_fd_limit(o.max_connections);
  if (!is_postgres_url(o.db)) {
    std::filesystem::path db_path(o.db);
    if (db_path.has_parent_path()) std::filesystem::create_directories(db_path.parent_path());
  }
  std::unique_ptr<Store> opened = open_store(o.db);
  Store& store = *opened;
  // The demo's keys are printed (and its routes served) only with --seed-demo.
  std::optional<DemoWorkspace> demo;
  if (o.seed_demo) demo = ensure_demo_workspace(store);

  AppOptions app_options;
  app_options.rate_limit = o.rate_limit;
  app_options.verbose = o.verbose;
  app_options.access_log = o.access_log;
  app_options.limits.max_connections = o.max_connections;
  app_options.limits.header_timeout = millis(o.header_timeout_s);
  app_options.limits.body_timeout = millis(o.body_timeout_s);
  app_options.limits.write_timeout = millis(o.write_timeout_s);
  app_options.limits.keep_alive_timeout = millis(o.keep_alive_timeout_s);
  app_options.mounts = {{"/", o.web_dir}, {"/sdk/", o.sdk_dir}};
  if (o.seed_demo && demo) {
    app_options.demo_public_key = demo->public_key;
    app_options.demo_secret_key = demo->secret_key;
  }
  HttpApp app(store, app_options);

  int port = app.bind(o.host, o.port);
  if (port < 0) {
    std::cerr << "attrkit-server: cannot listen on " << o.host << ":" << o.port
              << " (in use, or not a local address)\n";
    return 1;
  }
  const std::string url = "http://" + display_host(o.host) + ":" + std::to_string(port);
  if (demo) {
    std::cout << "attrkit-server: demo routes on (--seed-demo, loopback only): " << url
              << "/demo/config.json, " << url << "/demo/person/{distinctId}\n";
  }
  print_ready(store.describe(), url, demo);

  std::mutex mu;
  std::condition_variable cv;
  bool listen_returned = false;
  std::thread signals([&] {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig = 0;
    sigwait(&set, &sig);
    app.stop();
    std::unique_lock<std::mutex> lock(mu);
    if (!cv.wait_for(lock, millis(o.shutdown_grace_s), [&] { return listen_returned; })) {
      // A request is still in flight after the grace period (a client far too slow). Every
      // answered request has committed, and holding the store lock means no transaction is half
      // done, so leaving now loses nothing acknowledged.
      auto quiet = store.hold();
      std::cout << "attrkit-server: stopped" << std::endl;
      std::_Exit(0);
    }
  });

  app.listen();
  {
    std::lock_guard<std::mutex> lock(mu);
    listen_returned = true;
  }
  cv.notify_all();
  // If listen ended on its own (not by a signal), wake the signal thread so it can be joined.
  pthread_kill(signals.native_handle(), SIGTERM);
  signals.join();
  std::cout << "attrkit-server: stopped" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && is_admin_command(argv[1])) {
    return run_admin(std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr);
  }
  std::string error;
  auto options = parse_options(std::vector<std::string>(argv + 1, argv + argc), &error,
                               [](const char* name) -> const char* { return std::getenv(name); });
  if (!options) {
    std::cerr << "attrkit-server: " << error << "\n" << usage_text();
    return 2;
  }
  if (options->help) {
    std::cout << usage_text() << "\n" << admin_usage_text();
    return 0;
  }
  // Block the stop signals in every thread (httplib's workers inherit this mask); only the
  // signal thread in run() receives them, through sigwait.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  try {
    return run(*options);
  } catch (const std::exception& e) {
    std::cerr << "attrkit-server: " << e.what() << "\n";
    return 1;
  }
}
