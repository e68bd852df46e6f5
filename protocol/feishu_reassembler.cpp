// Multi-part reassembly of long-connection data frames (spec §6.6).
#include "protocol/feishu_frame.hpp"

#include "protocol/feishu_json.hpp"

namespace loong::feishu {

// A default argument `limits l = {}` cannot use the nested struct's member
// initializers inside the enclosing class, hence two constructors.
reassembler::reassembler() : limits_(limits{}) {
}

reassembler::reassembler(limits l) : limits_(l) {
}

reassembler::result reassembler::feed(const frame& f, int64_t now_ms) {
  auto reject = [](std::string why) {
    return result{outcome::rejected, {}, std::move(why)};
  };
  auto payload_size = f.payload ? f.payload->size() : 0;
  // A frame whose seq/sum headers cannot describe a part of a set is taken
  // as a whole message: it is parsed (or found malformed) and ACKed either
  // way, so the platform does not redeliver it forever.
  auto alone = [&](std::string why) {
    if (payload_size > limits_.max_bytes)
      return reject("message exceeds max_bytes");
    return result{outcome::complete, f.payload.value_or(std::string{}), std::move(why)};
  };
  auto sum_text = f.header("sum");
  int64_t sum = 1;
  if (!sum_text.empty()) {
    auto parsed = json::parse_decimal(sum_text);
    if (!parsed)
      return alone("sum is not a positive integer");
    sum = *parsed;
  }
  // sum <= 1 (or absent): the frame is the whole message.
  if (sum <= 1)
    return alone({});
  if (static_cast<uint64_t>(sum) > limits_.max_parts)
    return alone("sum exceeds max_parts");
  auto id = f.header("message_id");
  if (id.empty())
    return alone("fragment without message_id");
  auto seq = json::parse_decimal(f.header("seq"));
  if (!seq)
    return alone("seq is not a non-negative integer");
  if (*seq >= sum)
    return alone("seq outside [0, sum)");
  auto i = sets_.find(id);
  // A set idle past its ttl is dead even if no sweep ran yet.
  if (i != sets_.end() && now_ms - i->second.touched_ms > limits_.ttl_ms) {
    sets_.erase(i);
    i = sets_.end();
  }
  if (i == sets_.end()) {
    if (sets_.size() >= limits_.max_sets) {
      sweep(now_ms);
      if (sets_.size() >= limits_.max_sets)
        return reject("too many open multi-part messages");
    }
    part_set s;
    s.sum = static_cast<size_t>(sum);
    s.parts.resize(s.sum);
    i = sets_.emplace(id, std::move(s)).first;
  }
  auto& s = i->second;
  if (s.sum != static_cast<size_t>(sum))
    return alone("sum differs from the first fragment");
  auto& slot = s.parts[static_cast<size_t>(*seq)];
  if (slot) {
    // A repeated fragment adds nothing; keep the first copy.
    s.touched_ms = now_ms;
    return result{outcome::pending, {}, {}};
  }
  if (s.bytes + payload_size > limits_.max_bytes) {
    sets_.erase(i);
    return reject("message exceeds max_bytes");
  }
  slot = f.payload.value_or(std::string{});
  s.bytes += payload_size;
  s.touched_ms = now_ms;
  if (++s.filled < s.sum)
    return result{outcome::pending, {}, {}};
  std::string whole;
  whole.reserve(s.bytes);
  for (auto& p : s.parts)
    whole += *p;
  sets_.erase(i);
  return result{outcome::complete, std::move(whole), {}};
}

size_t reassembler::sweep(int64_t now_ms) {
  size_t evicted = 0;
  for (auto i = sets_.begin(); i != sets_.end();) {
    if (now_ms - i->second.touched_ms > limits_.ttl_ms) {
      i = sets_.erase(i);
      ++evicted;
    } else {
      ++i;
    }
  }
  return evicted;
}

size_t reassembler::open_sets() const {
  return sets_.size();
}

} // namespace loong::feishu
