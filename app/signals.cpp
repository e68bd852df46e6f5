#include "app/signals.hpp"

#include <csignal>
#include <pthread.h>
#include <thread>

namespace loong::app {

struct signal_watch::impl {
  sigset_t set;
  std::thread thread;
};

signal_watch::signal_watch() : impl_(std::make_unique<impl>()) {
  sigemptyset(&impl_->set);
  sigaddset(&impl_->set, SIGINT);
  sigaddset(&impl_->set, SIGTERM);
  sigaddset(&impl_->set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &impl_->set, nullptr);
}

void signal_watch::start(handler on_signal) {
  impl_->thread = std::thread([set = impl_->set, on_signal] {
    for (;;) {
      int signo = 0;
      if (sigwait(&set, &signo) != 0)
        continue;
      // SIGUSR1 is our own wake-up call from the destructor.
      if (signo == SIGUSR1)
        return;
      on_signal(signo, signo == SIGINT ? "SIGINT" : "SIGTERM");
    }
  });
}

signal_watch::~signal_watch() {
  if (impl_->thread.joinable()) {
    pthread_kill(impl_->thread.native_handle(), SIGUSR1);
    impl_->thread.join();
  }
}

} // namespace loong::app
