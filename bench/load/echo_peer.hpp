#pragma once

// The lower bound of the load benchmark: a trivial in-process client that
// does only what the platform demands per event — ACK the frame, post one
// reply — with no provider, store or actors. What it costs is what the mock
// and loopback cost.

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace loong::bench {

/// Credentials of one bot app on the mock.
struct app_credentials {
  std::string app_id;
  std::string app_secret;
};

/// Echo clients for a set of apps; every callback runs on its own I/O thread.
class echo_peer {
public:
  echo_peer();
  ~echo_peer();
  echo_peer(const echo_peer&) = delete;
  echo_peer& operator=(const echo_peer&) = delete;

  /// Fetches a token and opens a long connection per app (asynchronously;
  /// the mock's connection count says when all are up).
  void start(const std::string& feishu_url, const std::vector<app_credentials>& apps);
  /// Closes every connection and joins the I/O thread.
  void stop();
  /// Replies that failed (transport error or non-200); should stay 0.
  uint64_t failures() const { return failures_.load(); }

  /// Shared with the I/O callbacks (echo_peer.cpp).
  struct state;

private:
  std::shared_ptr<state> st_;
  std::atomic<uint64_t> failures_{0};
};

} // namespace loong::bench
