#pragma once

// Stand-ins for the neighbours of the account subtree, so the supervisor,
// conversation and owner logic is tested without network lanes.

#include <atomic>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "actors/account_supervisor.hpp"
#include "messages/actors.hpp"
#include "messages/errors.hpp"

namespace loong::test {

/// Everything the fakes observed; shared with the test body.
struct fake_world {
  std::mutex mtx;
  std::vector<outbound_message> sent;
  std::vector<std::string> asked;
  /// Ack reactions as "message_id emoji".
  std::vector<std::string> reactions;
  std::atomic<int> transports_started{0};
  std::atomic<int> outbound_started{0};
  /// Provider answers fail for prompts containing this text.
  std::string fail_marker = "PLEASE-FAIL";
  /// The next sends fail with these errors, one each (front first).
  std::deque<ec> send_failures;
  /// The uuid of every send attempt, failed or not.
  std::vector<std::string> attempt_uuids;

  void fail_next_sends(ec code, size_t n) {
    std::lock_guard<std::mutex> g{mtx};
    for (size_t i = 0; i < n; ++i)
      send_failures.push_back(code);
  }
  void clear_send_failures() {
    std::lock_guard<std::mutex> g{mtx};
    send_failures.clear();
  }
  std::vector<std::string> attempts_copy() {
    std::lock_guard<std::mutex> g{mtx};
    return attempt_uuids;
  }
  size_t asked_count() {
    std::lock_guard<std::mutex> g{mtx};
    return asked.size();
  }

  std::vector<outbound_message> sent_copy() {
    std::lock_guard<std::mutex> g{mtx};
    return sent;
  }
  size_t sent_count() {
    std::lock_guard<std::mutex> g{mtx};
    return sent.size();
  }
};

inline provider_session_actor::behavior_type
fake_session(provider_session_actor::pointer, std::shared_ptr<fake_world> w) {
  return {
    [w](ask_atom, std::string& text) -> caf::result<completion_result> {
      {
        std::lock_guard<std::mutex> g{w->mtx};
        w->asked.push_back(text);
      }
      if (text.find(w->fail_marker) != std::string::npos)
        return caf::make_error(ec::server_error, "HTTP 500 InternalServiceError");
      completion_result r;
      r.text = "echo: " + text;
      return r;
    },
    [](reset_atom) {},
  };
}

inline provider_pool_actor::behavior_type
fake_pool(provider_pool_actor::pointer self, std::shared_ptr<fake_world> w) {
  return {
    [](complete_atom, completion_request&) -> completion_result { return {}; },
    [self, w](session_atom, std::string&) -> provider_session_actor {
      return self->spawn<caf::linked>(fake_session, w);
    },
    [](models_atom) { return std::vector<std::string>{"m"}; },
    [](status_atom) { return provider_status{}; },
  };
}

inline sender_actor::behavior_type fake_sender(sender_actor::pointer,
                                               std::shared_ptr<fake_world> w) {
  return {
    [w](send_atom, outbound_message& m) -> caf::result<send_receipt> {
      std::lock_guard<std::mutex> g{w->mtx};
      w->attempt_uuids.push_back(m.uuid);
      if (!w->send_failures.empty()) {
        auto code = w->send_failures.front();
        w->send_failures.pop_front();
        return caf::make_error(code, "fake send failure");
      }
      w->sent.push_back(m);
      return send_receipt{"om_reply_" + std::to_string(w->sent.size()), m.receive_id, 1};
    },
    [w](react_atom, std::string& message_id, std::string& emoji) {
      std::lock_guard<std::mutex> g{w->mtx};
      w->reactions.push_back(message_id + " " + emoji);
    },
  };
}

inline token_keeper_actor::behavior_type fake_keeper(token_keeper_actor::pointer) {
  return {
    [](token_atom) { return std::string{"t-fake"}; },
    [](invalid_atom, std::string&) {},
    [](identity_atom) { return std::string{"ou_bot"}; },
  };
}

inline transport_actor::behavior_type fake_transport(transport_actor::pointer) {
  return {
    [](status_atom) {
      transport_status t;
      t.kind = "websocket";
      t.state = "connected";
      return t;
    },
    [](drain_atom) {},
  };
}

inline void wire_fakes(account_deps& d, std::shared_ptr<fake_world> w) {
  d.make_transport = [w](caf::actor_system& sys, const runtime_ptr&,
                         const config::feishu_account&, account_actor) {
    ++w->transports_started;
    return sys.spawn(fake_transport);
  };
  d.make_outbound = [w](caf::actor_system& sys, const runtime_ptr&,
                        const config::feishu_account&) {
    ++w->outbound_started;
    return std::make_pair(sys.spawn(fake_keeper), sys.spawn(fake_sender, w));
  };
}

/// A text message from `sender` in `chat`.
inline inbound_message text_message(const std::string& id, const std::string& chat,
                                    const std::string& text,
                                    const std::string& chat_type = "p2p",
                                    const std::string& sender = "ou_user") {
  inbound_message m;
  m.account = "work";
  m.event_id = "evt_" + id;
  m.message_id = "om_" + id;
  m.chat_id = chat;
  m.chat_type = chat_type;
  m.sender_open_id = sender;
  m.sender_type = "user";
  m.message_type = "text";
  m.text = text;
  return m;
}

} // namespace loong::test
