#include "actors/store_keeper.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include "actors/runtime.hpp"
#include "messages/errors.hpp"
#include "store/database.hpp"
#include "store/history.hpp"
#include "store/journal.hpp"

namespace loong {

store_keeper_state::store_keeper_state() = default;
store_keeper_state::~store_keeper_state() = default;

namespace {

// Purging expired keys is cheap but not free; do it now and then.
constexpr int64_t purge_every = 10000;

} // namespace

store_actor::behavior_type
store_keeper(store_actor::stateful_pointer<store_keeper_state> self,
             std::string path, int64_t dedupe_ttl_ms) {
  auto db = store::database::open(path);
  if (!db) {
    spdlog::error("store-keeper cannot open {}: {}", path, describe(db.error()));
    self->quit(db.error());
    return store_actor::behavior_type::make_empty_behavior();
  }
  auto& st = self->state;
  st.db = std::move(*db);
  st.journal = std::make_unique<store::journal>(*st.db);
  st.history = std::make_unique<store::history>(*st.db, 200);
  st.dedupe_ttl_ms = dedupe_ttl_ms;
  if (auto purged = st.journal->purge(wall_clock_ms(), dedupe_ttl_ms); !purged)
    spdlog::warn("store-keeper purge failed: {}", describe(purged.error()));
  spdlog::info("store-keeper opened {}", path);
  return {
    [self](admit_atom, inbound_message& m) -> inbound_verdict {
      auto& st = self->state;
      auto now = wall_clock_ms();
      auto r = st.journal->admit(m, now, st.dedupe_ttl_ms);
      if (!r) {
        spdlog::error("store-keeper admit failed account={} event={}: {}",
                      m.account, m.event_id, describe(r.error()));
        return {"refused", describe(r.error())};
      }
      if (++st.admits_since_purge >= purge_every) {
        st.admits_since_purge = 0;
        if (auto p = st.journal->purge(now, st.dedupe_ttl_ms); !p)
          spdlog::warn("store-keeper purge failed: {}", describe(p.error()));
      }
      if (*r == store::admit_result::duplicate)
        return {"duplicate", ""};
      return {"accepted", ""};
    },
    [self](done_atom, journal_key& k) {
      if (auto err = self->state.journal->mark_done(k.account, k.message_id,
                                                    wall_clock_ms()))
        spdlog::error("store-keeper mark_done failed account={} message={}: {}",
                      k.account, k.message_id, describe(err));
    },
    [self](pending_atom, std::string& account)
      -> caf::result<std::vector<inbound_message>> {
      auto xs = self->state.journal->pending(account);
      if (!xs)
        return xs.error();
      std::vector<inbound_message> out;
      out.reserve(xs->size());
      for (auto& e : *xs)
        out.push_back(std::move(e.message));
      return out;
    },
    [self](history_atom, std::string& key) -> caf::result<std::vector<chat_turn>> {
      auto xs = self->state.history->recent(key, 200, 1u << 20);
      if (!xs)
        return xs.error();
      return std::move(*xs);
    },
    [self](history_atom, history_append& x) {
      auto now = wall_clock_ms();
      for (auto& t : x.turns)
        if (auto err = self->state.history->append(x.session_key, t, now)) {
          spdlog::error("store-keeper history append failed: {}", describe(err));
          return;
        }
    },
  };
}

} // namespace loong
