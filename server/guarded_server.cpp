#include "server/guarded_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace attrkit::server {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Workers beyond max_connections, so that refusing a connection over the cap never waits for a
// busy worker.
constexpr std::size_t kSpareWorkers = 16;

int millis_until(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 60000));
}

// Waits until `fd` is ready for `events` or the deadline passes; retries on EINTR.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, millis_until(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

// One thread per task, created on demand up to a ceiling, kept for later tasks. httplib's own
// ThreadPool has a fixed size, which is what let a few dozen slow clients starve everyone.
class GrowingPool : public httplib::TaskQueue {
 public:
  explicit GrowingPool(std::size_t max_threads) : max_threads_(max_threads) {}
  ~GrowingPool() override = default;

  void enqueue(std::function<void()> fn) override {
    std::lock_guard<std::mutex> lock(mutex_);
    jobs_.push_back(std::move(fn));
    if (jobs_.size() > idle_ && threads_.size() < max_threads_) {
      threads_.emplace_back([this] { work(); });
    } else {
      cv_.notify_one();
    }
  }

  // Runs every queued task, then joins the workers.
  void shutdown() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      shutdown_ = true;
    }
    cv_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ++idle_;
        cv_.wait(lock, [&] { return !jobs_.empty() || shutdown_; });
        --idle_;
        if (jobs_.empty()) return;  // shutting down
        fn = std::move(jobs_.front());
        jobs_.pop_front();
      }
      fn();
    }
  }

  const std::size_t max_threads_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::size_t idle_ = 0;
  bool shutdown_ = false;
};

// httplib's Stream over one connection, with whole-request deadlines instead of per-recv ones.
// Reads are buffered: httplib reads the request line and headers one byte at a time.
class DeadlineStream : public httplib::Stream {
 public:
  DeadlineStream(socket_t sock, const ConnectionLimits& limits) : sock_(sock), limits_(limits) {}

  // Waits for the first byte of the next request: false on idle timeout or when `stop_fd` fires.
  bool wait_next_request(int stop_fd) {
    if (off_ < len_) return true;  // a pipelined request is already here
    pollfd p[2] = {{sock_, POLLIN, 0}, {stop_fd, POLLIN, 0}};
    auto deadline = Clock::now() + limits_.keep_alive_timeout;
    for (;;) {
      int n = ::poll(p, 2, millis_until(deadline));
      if (n > 0) return (p[0].revents != 0) && p[1].revents == 0;
      if (n == 0 || errno != EINTR) return false;
    }
  }

  void start_request() {
    started_ = Clock::now();
    read_deadline_ = started_ + limits_.header_timeout;
    write_deadline_ = Clock::time_point::max();
    timed_out_ = false;
  }
  void headers_done() { read_deadline_ = Clock::now() + limits_.body_timeout; }
  bool timed_out() const { return timed_out_; }
  Clock::time_point started() const { return started_; }

  bool is_readable() const override {
    if (off_ < len_) return true;
    if (wait_for(sock_, POLLIN, read_deadline_)) return true;
    timed_out_ = true;
    return false;
  }

  bool is_writable() const override {
    if (write_deadline_ == Clock::time_point::max()) {
      write_deadline_ = Clock::now() + limits_.write_timeout;  // the answer's first write
    }
    return wait_for(sock_, POLLOUT, write_deadline_);
  }

  ssize_t read(char* ptr, std::size_t size) override {
    if (off_ >= len_) {
      if (!is_readable()) return -1;
      ssize_t n;
      do {
        n = ::recv(sock_, buf_, sizeof buf_, 0);
      } while (n < 0 && errno == EINTR);
      if (n <= 0) return n;
      off_ = 0;
      len_ = static_cast<std::size_t>(n);
    }
    std::size_t n = std::min(size, len_ - off_);
    std::memcpy(ptr, buf_ + off_, n);
    off_ += n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, std::size_t size) override {
    if (!is_writable()) return -1;
    ssize_t n;
    do {
      n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      describe(addr, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      describe(addr, ip, port);
  }
  socket_t socket() const override { return sock_; }

 private:
  static void describe(const sockaddr_storage& addr, std::string& ip, int& port) {
    char text[INET6_ADDRSTRLEN] = {};
    if (addr.ss_family == AF_INET) {
      const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
      ::inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
      port = ntohs(a->sin_port);
    } else if (addr.ss_family == AF_INET6) {
      const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
      ::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
      port = ntohs(a->sin6_port);
    }
    ip = text;
  }

  socket_t sock_;
  const ConnectionLimits& limits_;
  char buf_[4096];
  std::size_t off_ = 0, len_ = 0;
  Clock::time_point started_{};
  Clock::time_point read_deadline_{};
  mutable Clock::time_point write_deadline_ = Clock::time_point::max();
  mutable bool timed_out_ = false;
};

// The stream of the request this thread is serving, for the static hooks.
thread_local DeadlineStream* tl_stream = nullptr;

const std::string& busy_answer() {
  static const std::string kBody =
      "{\"error\":{\"code\":\"server_busy\",\"message\":\"too many open connections, retry\","
      "\"status\":503}}";
  static const std::string kAnswer =
      "HTTP/1.1 503 Service Unavailable\r\n"
      "Content-Type: application/json; charset=utf-8\r\n"
      "Retry-After: 1\r\n"
      "Access-Control-Allow-Origin: *\r\n"
      "Connection: close\r\n"
      "Content-Length: " +
      std::to_string(kBody.size()) + "\r\n\r\n" + kBody;
  return kAnswer;
}

}  // namespace

GuardedServer::GuardedServer(ConnectionLimits limits) : limits_(limits) {
  if (::pipe2(stop_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) stop_pipe_[0] = stop_pipe_[1] = -1;
  const std::size_t threads = limits_.max_connections + kSpareWorkers;
  new_task_queue = [threads] { return new GrowingPool(threads); };
}

GuardedServer::~GuardedServer() {
  for (int fd : stop_pipe_) {
    if (fd >= 0) ::close(fd);
  }
}

void GuardedServer::stop_gracefully() {
  if (!stopping_.exchange(true) && stop_pipe_[1] >= 0) {
    [[maybe_unused]] auto n = ::write(stop_pipe_[1], "x", 1);
  }
  stop();
}

void GuardedServer::widen_backlog() {
  socket_t sock = svr_sock_;
  if (sock != INVALID_SOCKET) ::listen(sock, SOMAXCONN);
}

void GuardedServer::headers_done() {
  if (tl_stream) tl_stream->headers_done();
}

bool GuardedServer::request_timed_out() { return tl_stream && tl_stream->timed_out(); }

std::chrono::steady_clock::time_point GuardedServer::request_started() {
  return tl_stream ? tl_stream->started() : Clock::now();
}

void GuardedServer::refuse_busy(socket_t sock) {
  // Read what the client already sent (briefly), so closing does not reset the connection before
  // it reads the answer.
  char scratch[4096];
  auto until = Clock::now() + milliseconds(50);
  while (wait_for(sock, POLLIN, until) && ::recv(sock, scratch, sizeof scratch, MSG_DONTWAIT) > 0) {
  }
  const std::string& answer = busy_answer();
  [[maybe_unused]] auto n = ::send(sock, answer.data(), answer.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::shutdown(sock, SHUT_WR);
}

bool GuardedServer::process_and_close_socket(socket_t sock) {
  struct Slot {
    std::atomic<std::size_t>& open;
    std::size_t count;
    explicit Slot(std::atomic<std::size_t>& o) : open(o), count(++o) {}
    ~Slot() { --open; }
  } slot(open_);

  bool ret = false;
  if (slot.count > limits_.max_connections) {
    refuse_busy(sock);
  } else {
    DeadlineStream strm(sock, limits_);
    for (std::size_t left = keep_alive_max_count_; left > 0; --left) {
      if (stopping_ || svr_sock_ == INVALID_SOCKET) break;
      if (!strm.wait_next_request(stop_pipe_[0])) break;
      strm.start_request();
      tl_stream = &strm;
      bool connection_closed = false;
      const bool close_connection = left == 1 || stopping_;
      ret = process_request(strm, close_connection, connection_closed, nullptr);
      tl_stream = nullptr;
      // A request that ran out of time leaves the stream mid-message: never read on from there.
      if (!ret || connection_closed || strm.timed_out()) break;
    }
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ret;
}

}  // namespace attrkit::server
