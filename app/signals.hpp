#pragma once

#include <functional>
#include <memory>

namespace loong::app {

/// Turns SIGINT/SIGTERM into a callback on a dedicated thread. Construct it
/// before any other thread starts: it blocks the signals process-wide so
/// that only its own thread receives them.
class signal_watch {
public:
  using handler = std::function<void(int signo, const char* name)>;
  signal_watch();
  ~signal_watch();
  signal_watch(const signal_watch&) = delete;
  signal_watch& operator=(const signal_watch&) = delete;

  /// Starts listening; `on_signal` runs on the watch thread.
  void start(handler on_signal);

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace loong::app
