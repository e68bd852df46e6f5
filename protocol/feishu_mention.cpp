// Prompt text and the mention gate (spec §5.2, product contract §5.4).
#include "protocol/feishu_event.hpp"

#include <cctype>

namespace loong::feishu {

namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i]))
        != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

bool is_all(const mention& x) {
  return x.key == "@_all" || x.open_id == "all" || x.user_id == "all";
}

bool is_bot(const mention& x, std::string_view bot_open_id) {
  if (is_all(x))
    return false;
  if (!bot_open_id.empty())
    return x.open_id == bot_open_id || x.user_id == bot_open_id
           || x.union_id == bot_open_id;
  // Bot identity unknown (bot/v3/info failed): trust the platform's type.
  return iequals(x.mentioned_type, "bot")
         && !(x.open_id.empty() && x.user_id.empty() && x.union_id.empty());
}

// A placeholder ends where no further digit follows ("@_user_1" must not
// match the start of "@_user_10").
bool placeholder_at(std::string_view text, size_t i, std::string_view key) {
  if (key.empty() || text.compare(i, key.size(), key) != 0)
    return false;
  auto end = i + key.size();
  return end == text.size()
         || !std::isdigit(static_cast<unsigned char>(text[end]));
}

} // namespace

std::string prompt_text(const inbound_message& m,
                        std::string_view bot_open_id) {
  std::string_view text = m.text;
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text[i] == '@') {
      const mention* best = nullptr;
      for (auto& x : m.mentions)
        if (placeholder_at(text, i, x.key)
            && (best == nullptr || x.key.size() > best->key.size()))
          best = &x;
      if (best != nullptr) {
        i += best->key.size();
        if (is_bot(*best, bot_open_id)) {
          // Drop one adjacent space with the bot's own placeholder.
          if (i < text.size() && text[i] == ' ')
            ++i;
          else if (!out.empty() && out.back() == ' ')
            out.pop_back();
        } else {
          out += best->name.empty() ? best->key : "@" + best->name;
        }
        continue;
      }
      if (placeholder_at(text, i, "@_all")) {
        out += "@all";
        i += 5;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  // Collapse runs of spaces, then trim.
  std::string collapsed;
  collapsed.reserve(out.size());
  for (char c : out)
    if (!(c == ' ' && !collapsed.empty() && collapsed.back() == ' '))
      collapsed.push_back(c);
  auto ws = " \t\r\n";
  auto first = collapsed.find_first_not_of(ws);
  if (first == std::string::npos)
    return {};
  auto last = collapsed.find_last_not_of(ws);
  return collapsed.substr(first, last - first + 1);
}

bool mentions_bot(const inbound_message& m, std::string_view bot_open_id) {
  // p2p (or no chat_type) is always addressed to the bot; unknown chat
  // types are treated like groups (spec §5.1).
  if (m.chat_type.empty() || m.chat_type == "p2p")
    return true;
  for (auto& x : m.mentions)
    if (is_bot(x, bot_open_id))
      return true;
  return false;
}

} // namespace loong::feishu
