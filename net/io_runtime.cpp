#include "net/io_runtime.hpp"

#include <algorithm>
#include <mutex>
#include <thread>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

namespace loong::net {

namespace asio = boost::asio;

struct io_runtime::impl {
  // Declared first, destroyed last: TLS streams still pending in the
  // io_context when it dies refer to this context.
  asio::ssl::context tls_client{asio::ssl::context::tls_client};
  asio::io_context ioc;
  asio::executor_work_guard<asio::io_context::executor_type> guard;
  std::vector<std::thread> threads;
  size_t count;
  std::mutex stop_mtx;
  bool stopped = false;

  explicit impl(size_t n)
    : ioc(static_cast<int>(n)), guard(asio::make_work_guard(ioc)), count(n) {
    boost::system::error_code ec;
    tls_client.set_verify_mode(asio::ssl::verify_peer, ec);
    // A missing system trust store only means that nothing is trusted yet;
    // connections then fail verification with tls_failed.
    tls_client.set_default_verify_paths(ec);
    tls_client.set_options(asio::ssl::context::default_workarounds
                             | asio::ssl::context::no_sslv2
                             | asio::ssl::context::no_sslv3
                             | asio::ssl::context::no_tlsv1
                             | asio::ssl::context::no_tlsv1_1,
                           ec);
  }
};

io_runtime::io_runtime(size_t threads)
  : impl_(std::make_unique<impl>(std::max<size_t>(threads, 1))) {
  impl_->threads.reserve(impl_->count);
  for (size_t i = 0; i < impl_->count; ++i)
    impl_->threads.emplace_back([this] {
      // Handlers do not throw by design; if one does anyway, keep the
      // thread serving the others instead of terminating the process.
      for (;;) {
        try {
          impl_->ioc.run();
          return;
        } catch (...) {
        }
      }
    });
}

io_runtime::~io_runtime() {
  stop_and_join();
}

asio::io_context& io_runtime::context() {
  return impl_->ioc;
}

asio::ssl::context& io_runtime::tls_client_context() {
  return impl_->tls_client;
}

void io_runtime::trust_pem(const std::string& ca_pem) {
  boost::system::error_code ec;
  impl_->tls_client.add_certificate_authority(
    asio::buffer(ca_pem.data(), ca_pem.size()), ec);
}

void io_runtime::stop_and_join() {
  std::vector<std::thread> threads;
  {
    std::lock_guard<std::mutex> guard{impl_->stop_mtx};
    if (impl_->stopped)
      return;
    impl_->stopped = true;
    threads.swap(impl_->threads);
  }
  impl_->guard.reset();
  impl_->ioc.stop();
  for (auto& t : threads) {
    // Called from an I/O thread (e.g. inside a callback): that thread
    // cannot join itself; it returns from run() right after.
    if (t.get_id() == std::this_thread::get_id())
      t.detach();
    else
      t.join();
  }
}

size_t io_runtime::thread_count() const {
  return impl_->count;
}

bool io_runtime::running_in_this_thread() const {
  return impl_->ioc.get_executor().running_in_this_thread();
}

} // namespace loong::net
