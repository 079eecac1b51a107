// cpp-httplib's Server with the guards it lacks (docs/operations.md, "Slow clients"): httplib
// 0.11.4 times out each recv() on its own, so a client sending one byte every few seconds holds a
// worker thread forever, and its fixed pool of workers is easy to exhaust. GuardedServer serves
// each connection with its own loop around httplib's request parser (process_request) over a
// DeadlineStream:
//   - the request line and headers must arrive within header_timeout of the request's first
//     byte, and the body within body_timeout after the headers (408 request_timeout otherwise,
//     and the connection is closed);
//   - writing one answer may take at most write_timeout in all;
//   - an idle keep-alive connection is closed after keep_alive_timeout, or at once on stop();
//   - one worker thread per open connection, up to max_connections; a connection beyond that is
//     answered 503 server_busy (Retry-After: 1) at once and closed, by a few spare workers.
// Stopping lets requests in flight finish (their answers say Connection: close) and closes idle
// connections at once.
#pragma once
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstddef>

namespace attrkit::server {

struct ConnectionLimits {
  std::size_t max_connections = 512;
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds body_timeout{10000};
  std::chrono::milliseconds write_timeout{10000};
  std::chrono::milliseconds keep_alive_timeout{5000};
};

class GuardedServer : public httplib::Server {
 public:
  explicit GuardedServer(ConnectionLimits limits);
  ~GuardedServer() override;

  // httplib listens with a backlog of 5: a burst of new connections overflows it and the kernel
  // drops their SYNs, so each waits a 1 s retransmit. Call after binding: listens again with
  // SOMAXCONN (Linux updates the backlog of a listening socket).
  void widen_backlog();

  // Closes idle connections and has answers in flight close theirs; then httplib's stop().
  void stop_gracefully();

  // For handlers running on a connection's thread: the request's headers are in (switch to the
  // body deadline); whether a read of this request ran out of time; when its first byte came.
  static void headers_done();
  static bool request_timed_out();
  static std::chrono::steady_clock::time_point request_started();

  std::size_t open_connections() const { return open_.load(); }
  bool stopping() const { return stopping_.load(); }

 private:
  bool process_and_close_socket(socket_t sock) override;
  void refuse_busy(socket_t sock);

  ConnectionLimits limits_;
  std::atomic<std::size_t> open_{0};
  std::atomic<bool> stopping_{false};
  int stop_pipe_[2] = {-1, -1};  // readable once stopping: wakes idle connections
};

}  // namespace attrkit::server
