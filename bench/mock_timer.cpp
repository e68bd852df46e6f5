#include "bench/mock_timer.hpp"

#include <atomic>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

namespace loong::bench {

namespace {

// Owns its steady_timer (on a strand, so cancel and expiry never race); the
// pending wait keeps it alive until it completes.
class asio_timer : public timer_handle,
                   public std::enable_shared_from_this<asio_timer> {
public:
  explicit asio_timer(boost::asio::io_context& io) : timer_(boost::asio::make_strand(io)) {
  }

  void start(std::chrono::milliseconds delay, std::function<void()> fn) {
    fn_ = std::move(fn);
    timer_.expires_after(delay);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code&) {
      // Aborted or not: the cancelled flag decides, so a cancel() racing the
      // expiry never runs the callback.
      if (!self->cancelled_.exchange(true))
        self->fn_();
      self->fn_ = nullptr;
    });
  }

  void cancel() override {
    if (!cancelled_.exchange(true)) {
      // The wait handler still runs (operation_aborted) and releases fn_.
      boost::asio::post(timer_.get_executor(),
                        [self = shared_from_this()] { self->timer_.cancel(); });
    }
  }

private:
  boost::asio::steady_timer timer_;
  std::function<void()> fn_;
  std::atomic<bool> cancelled_{false};
};

} // namespace

std::shared_ptr<timer_handle> run_after(boost::asio::io_context& io,
                                        std::chrono::milliseconds delay,
                                        std::function<void()> fn) {
  auto t = std::make_shared<asio_timer>(io);
  t->start(delay, std::move(fn));
  return t;
}

} // namespace loong::bench
