#pragma once

// One-shot timers on an io_context, so mocks can answer late without
// blocking a thread (hundreds of delayed answers overlap).

#include <chrono>
#include <functional>
#include <memory>

namespace boost::asio {
class io_context;
} // namespace boost::asio

namespace loong::bench {

/// A scheduled callback; cancel() before it fired means it never runs.
class timer_handle {
public:
  virtual ~timer_handle() = default;
  /// Prevents the callback from running if it has not started yet.
  virtual void cancel() = 0;
};

/// Runs `fn` on an io_context thread after `delay` (0 = as soon as possible).
std::shared_ptr<timer_handle> run_after(boost::asio::io_context& io,
                                        std::chrono::milliseconds delay,
                                        std::function<void()> fn);

} // namespace loong::bench
