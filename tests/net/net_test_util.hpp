#pragma once

// Waiting helpers for net tests: every wait has a deadline, nothing sleeps
// to synchronise. Declare these objects BEFORE the io_runtime in a test, so
// the I/O threads are joined before the objects die (toolchain.md §8).

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace loong::test {

using namespace std::chrono_literals;

/// Deadline for things that should happen promptly on loopback.
inline constexpr auto wait_limit = std::chrono::seconds(10);

/// A value delivered once from an I/O thread.
template <class T>
class one_shot {
public:
  /// Stores the first value and wakes the waiter; later values are counted.
  void set(T x) {
    std::lock_guard<std::mutex> guard{mtx_};
    ++calls_;
    if (!value_)
      value_ = std::move(x);
    cv_.notify_all();
  }

  /// The value, or nullopt if none arrived within `limit`.
  std::optional<T> wait(std::chrono::milliseconds limit = wait_limit) {
    std::unique_lock<std::mutex> guard{mtx_};
    cv_.wait_for(guard, limit, [this] { return value_.has_value(); });
    return value_;
  }

  /// Drops the value (e.g. a held respond_fn before the runtime dies).
  void reset() {
    std::lock_guard<std::mutex> guard{mtx_};
    value_.reset();
  }

  /// How often set() was called.
  int calls() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return calls_;
  }

private:
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::optional<T> value_;
  int calls_ = 0;
};

/// Values delivered many times from I/O threads, in arrival order.
template <class T>
class collector {
public:
  /// Appends `x` and wakes waiters.
  void add(T x) {
    std::lock_guard<std::mutex> guard{mtx_};
    xs_.push_back(std::move(x));
    cv_.notify_all();
  }

  /// True once at least `n` values arrived within `limit`.
  bool wait_for(size_t n, std::chrono::milliseconds limit = wait_limit) {
    std::unique_lock<std::mutex> guard{mtx_};
    return cv_.wait_for(guard, limit, [&] { return xs_.size() >= n; });
  }

  /// A copy of everything so far.
  std::vector<T> values() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return xs_;
  }

  /// The number of values so far.
  size_t size() const {
    std::lock_guard<std::mutex> guard{mtx_};
    return xs_.size();
  }

  /// Drops every value (e.g. held respond_fns before the runtime dies).
  void clear() {
    std::lock_guard<std::mutex> guard{mtx_};
    xs_.clear();
  }

private:
  mutable std::mutex mtx_;
  std::condition_variable cv_;
  std::vector<T> xs_;
};

/// Runs a function when the scope ends. Declared right after the
/// io_runtime, it runs before the runtime's destructor: the place to drop
/// stored respond_fns or sessions, whose sockets must die before their
/// io_context does.
class scope_exit {
public:
  explicit scope_exit(std::function<void()> f) : f_(std::move(f)) {
  }
  ~scope_exit() {
    if (f_)
      f_();
  }
  scope_exit(const scope_exit&) = delete;
  scope_exit& operator=(const scope_exit&) = delete;

private:
  std::function<void()> f_;
};

/// Polls `pred` until it holds or `limit` passes (for state without an
/// event to wait on, such as pool sizes). Bounded in time and count.
inline bool eventually(const std::function<bool()>& pred,
                       std::chrono::milliseconds limit = wait_limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  for (int i = 0; i < 100000; ++i) {
    if (pred())
      return true;
    if (std::chrono::steady_clock::now() >= until)
      return false;
    std::this_thread::sleep_for(2ms);
  }
  return pred();
}

/// Milliseconds since `t0`.
inline long long elapsed_ms(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
           std::chrono::steady_clock::now() - t0)
    .count();
}

} // namespace loong::test
