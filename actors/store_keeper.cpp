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

using keeper_ptr = store_actor::stateful_pointer<store_keeper_state>;

// Purging expired keys is cheap but not free; do it now and then.
constexpr int64_t purge_every = 10000;
// A commit is due at the latest after this many writes.
constexpr size_t max_batch = 512;

inbound_verdict verdict_of(const caf::expected<store::admit_result>& r) {
  if (!r)
    return {"refused", describe(r.error())};
  if (*r == store::admit_result::duplicate)
    return {"duplicate", "", false};
  if (*r == store::admit_result::duplicate_unfinished)
    return {"duplicate", "", true};
  return {"accepted", "", false};
}

// The writes other than admit, in whatever transaction is open.
caf::error apply_update(store_keeper_state& st, const store_write& w, int64_t now) {
  auto& j = *st.journal;
  switch (w.what) {
    case store_write::kind::admit:
      return caf::none;
    case store_write::kind::done:
      return j.mark_done(w.key.account, w.key.message_id, now);
    case store_write::kind::attempt:
      return j.mark_attempt(w.key.account, w.key.message_id);
    case store_write::kind::answer:
      // The answer and its history turns land together or not at all.
      if (auto err = j.store_answer(w.key.account, w.key.message_id, w.answer))
        return err;
      [[fallthrough]];
    case store_write::kind::history:
      for (auto& t : w.turns.turns)
        if (auto err = st.history->append_within(w.turns.session_key, t, now))
          return err;
      return caf::none;
    case store_write::kind::progress:
      return j.record_progress(w.key.account, w.key.message_id, w.progress.attempts,
                               w.progress.chunks_done);
    case store_write::kind::close:
      return j.close(w.key.account, w.key.message_id, w.closing.outcome,
                     w.closing.reason, now);
  }
  return caf::none;
}

// Applies one write inside the open transaction; admits record their result.
caf::error apply(store_keeper_state& st, store_write& w, int64_t now,
                 caf::expected<store::admit_result>& admitted) {
  if (w.what == store_write::kind::admit) {
    admitted = st.journal->admit_within(w.message, now, st.dedupe_ttl_ms);
    return admitted ? caf::none : admitted.error();
  }
  return apply_update(st, w, now);
}

// Applies one write in its own transaction (the slow path after a batch
// failed), so an error stays with the write that caused it.
caf::expected<store::admit_result> apply_alone(store_keeper_state& st, store_write& w,
                                               int64_t now) {
  if (w.what == store_write::kind::admit)
    return st.journal->admit(w.message, now, st.dedupe_ttl_ms);
  store::transaction tx{*st.db, "store-keeper write"};
  auto err = tx.begin();
  if (!err)
    err = apply_update(st, w, now);
  if (!err)
    err = tx.commit();
  if (err)
    spdlog::error("store-keeper write failed account={} message={}: {}", w.key.account,
                  w.key.message_id, describe(err));
  return store::admit_result::accepted;
}

// Commits the batch in one transaction, then answers the admits: an event
// is acknowledged only once it is on disk.
void flush(store_keeper_state& st) {
  if (st.batch.empty())
    return;
  auto writes = std::move(st.batch);
  st.batch.clear();
  auto now = wall_clock_ms();
  std::vector<caf::expected<store::admit_result>> results(writes.size(),
                                                          store::admit_result::accepted);
  caf::error failed;
  {
    store::transaction tx{*st.db, "store-keeper batch"};
    failed = tx.begin();
    for (size_t i = 0; i < writes.size() && !failed; ++i)
      failed = apply(st, writes[i], now, results[i]);
    if (!failed)
      failed = tx.commit();
  }  // an uncommitted transaction rolls back here
  if (failed) {
    spdlog::warn("store-keeper batch of {} writes failed ({}); writing one by one",
                 writes.size(), describe(failed));
    for (size_t i = 0; i < writes.size(); ++i)
      results[i] = apply_alone(st, writes[i], now);
  }
  size_t admits = 0;
  for (size_t i = 0; i < writes.size(); ++i) {
    auto& w = writes[i];
    if (w.what != store_write::kind::admit)
      continue;
    ++admits;
    if (!results[i])
      spdlog::error("store-keeper admit failed account={} event={}: {}", w.message.account,
                    w.message.event_id, describe(results[i].error()));
    w.verdict.deliver(verdict_of(results[i]));
  }
  st.admits_since_purge += static_cast<int64_t>(admits);
  if (st.admits_since_purge >= purge_every) {
    st.admits_since_purge = 0;
    if (auto p = st.journal->purge(now, st.dedupe_ttl_ms); !p)
      spdlog::warn("store-keeper purge failed: {}", describe(p.error()));
  }
}

// Queues a write; the flush message goes behind everything already in the
// mailbox, so one commit covers all writes that arrived meanwhile.
void enqueue(keeper_ptr self, store_write w) {
  auto& st = self->state;
  st.batch.push_back(std::move(w));
  if (st.batch.size() >= max_batch) {
    flush(st);
  } else if (!st.flush_queued) {
    st.flush_queued = true;
    self->send(self, flush_atom_v);
  }
}

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
  // Batched writes are committed before the keeper goes, whatever stops it.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    flush(self->state);
    if (msg.reason)
      self->quit(std::move(msg.reason));
  });
  return {
    [self](admit_atom, inbound_message& m) -> caf::result<inbound_verdict> {
      store_write w;
      w.what = store_write::kind::admit;
      w.message = std::move(m);
      w.verdict = self->make_response_promise<inbound_verdict>();
      auto rp = w.verdict;
      enqueue(self, std::move(w));
      return rp;
    },
    [self](done_atom, journal_key& k) {
      store_write w;
      w.what = store_write::kind::done;
      w.key = std::move(k);
      enqueue(self, std::move(w));
    },
    [self](attempt_atom, journal_key& k) {
      store_write w;
      w.what = store_write::kind::attempt;
      w.key = std::move(k);
      enqueue(self, std::move(w));
    },
    [self](answer_atom, journal_answer& x) {
      store_write w;
      w.what = store_write::kind::answer;
      w.key = std::move(x.key);
      w.answer = std::move(x.answer);
      w.turns = std::move(x.history);
      enqueue(self, std::move(w));
    },
    [self](progress_atom, delivery_progress& x) {
      store_write w;
      w.what = store_write::kind::progress;
      w.key = x.key;
      w.progress = std::move(x);
      enqueue(self, std::move(w));
    },
    [self](close_atom, journal_close& x) {
      store_write w;
      w.what = store_write::kind::close;
      w.key = x.key;
      w.closing = std::move(x);
      enqueue(self, std::move(w));
    },
    [self](flush_atom) {
      self->state.flush_queued = false;
      flush(self->state);
    },
    // Reads see every write received before them.
    [self](pending_atom, std::string& account)
      -> caf::result<std::vector<journal_item>> {
      flush(self->state);
      auto xs = self->state.journal->pending(account);
      if (!xs)
        return xs.error();
      std::vector<journal_item> out;
      out.reserve(xs->size());
      for (auto& e : *xs) {
        journal_item x;
        x.message = std::move(e.message);
        x.attempts = e.attempts;
        x.received_ms = e.received_ms;
        x.answered = e.answered;
        x.answer = std::move(e.answer);
        x.delivery_attempts = e.delivery_attempts;
        x.chunks_done = e.chunks_done;
        out.push_back(std::move(x));
      }
      return out;
    },
    [self](history_atom, std::string& key) -> caf::result<std::vector<chat_turn>> {
      flush(self->state);
      auto xs = self->state.history->recent(key, 200, 1u << 20);
      if (!xs)
        return xs.error();
      return std::move(*xs);
    },
    [self](history_atom, history_append& x) {
      store_write w;
      w.what = store_write::kind::history;
      w.turns = std::move(x);
      enqueue(self, std::move(w));
    },
  };
}

} // namespace loong
