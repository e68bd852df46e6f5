// `loong channels send feishu` and `loong feishu send` (contract §1.5): one
// message through the account's token keeper and sender.

#include "app/commands.hpp"

#include <chrono>
#include <iostream>

#include <caf/all.hpp>

#include "actors/sender.hpp"
#include "actors/token_keeper.hpp"
#include "app/actor_host.hpp"
#include "app/json_writer.hpp"
#include "config/resolve.hpp"
#include "messages/errors.hpp"
#include "protocol/feishu_openapi.hpp"

namespace loong::app {

namespace {

std::string issues_text(const std::vector<config::issue>& xs) {
  std::string out;
  for (auto& x : xs)
    out += (out.empty() ? "" : "; ") + x.message;
  return out;
}

// Sends `msg` and waits for the receipt; the actors stop before returning.
caf::expected<send_receipt> deliver(const config::gateway_config& cfg,
                                    const config::feishu_account& account,
                                    const outbound_message& msg) {
  actor_host host{cfg.host};
  token_keeper_options ko;
  ko.fetch_identity = false;
  token_keeper_actor keeper = host.sys().spawn(token_keeper_with, host.runtime(),
                                               account, ko);
  sender_actor out = host.sys().spawn(sender, host.runtime(), account, keeper);
  caf::expected<send_receipt> result = caf::make_error(ec::timeout, "feishu send: no answer");
  {
    caf::scoped_actor self{host.sys()};
    // Above the sender's own worst case (4 tries of 15 s plus backoff).
    self->request(out, std::chrono::seconds(120), send_atom_v, msg)
      .receive([&](send_receipt& r) { result = std::move(r); },
               [&](caf::error& err) { result = actor_request_error(err, "feishu send"); });
    self->send_exit(out, caf::exit_reason::user_shutdown);
    self->send_exit(keeper, caf::exit_reason::user_shutdown);
  }
  host.shutdown();
  return result;
}

void print_text(const context& ctx, const config::account_selection& sel,
                const outbound_message& msg, const send_receipt& r) {
  bool reply = !msg.reply_to_message_id.empty();
  std::cout << "feishu message sent (config=" << ctx.config_path
            << ", configured_account=" << sel.account.id
            << ", account=" << sel.account.runtime_label
            << ", selected_by_default=" << (sel.selected_by_default ? "true" : "false")
            << ", default_source=" << sel.source
            << ", receive_id_type=" << (reply ? "-" : msg.receive_id_type);
  if (reply)
    std::cout << ", reply_to=" << msg.reply_to_message_id;
  std::cout << ", message_id=" << r.message_id << ")\n";
}

void print_json(const config::account_selection& sel, const outbound_message& msg,
                const send_receipt& r) {
  bool reply = !msg.reply_to_message_id.empty();
  json_writer w;
  w.begin_object()
    .key("account_id").str(sel.account.runtime_id)
    .key("configured_account").str(sel.account.id)
    .key("delivery").begin_object()
    .key("mode").str(reply ? "reply" : "send");
  if (reply)
    w.key("receive_id_type").null()
      .key("receive_id").str(msg.reply_to_message_id)
      .key("reply_to_message_id").str(msg.reply_to_message_id);
  else
    w.key("receive_id_type").str(msg.receive_id_type)
      .key("receive_id").str(msg.receive_id);
  w.key("uuid").str(msg.uuid)
    .key("msg_type").str(msg.msg_type)
    .key("message_id").str(r.message_id)
    .key("chat_id").str(r.chat_id)
    .key("attempts").num(r.attempts)
    .end_object()
    .end_object();
  std::cout << w.text();
}

} // namespace

int run_channels_send(const context& ctx) {
  auto cfg = load_config(ctx);
  if (!cfg)
    return fail(cfg.error());
  auto sel = config::select_account(*cfg, ctx.inv.account);
  if (!sel)
    return fail(sel.error());
  if (!sel->warning.empty())
    std::cerr << sel->warning << std::endl;
  auto& account = sel->account;
  if (!account.enabled)
    return fail("feishu account \"" + account.id + "\" is disabled by configuration ("
                + cfg->path + ")");
  if (!account.send_issues.empty())
    return fail("feishu account \"" + account.id + "\" cannot send: "
                + issues_text(account.send_issues));
  auto& inv = ctx.inv;
  if (inv.receive_id.empty())
    return fail("a target is required: --receive-id ID (or --target ID)");
  if (inv.text.empty())
    return fail("--text must not be empty");
  outbound_message msg;
  msg.account = account.id;
  if (inv.target_kind == "message_reply") {
    // The reply API answers the om_... message; receive_id_type has no say.
    msg.reply_to_message_id = inv.receive_id;
  } else {
    msg.receive_id = inv.receive_id;
    msg.receive_id_type = inv.receive_id_type.empty() ? account.receive_id_type
                                                      : inv.receive_id_type;
  }
  msg.msg_type = inv.card ? "interactive" : "text";
  msg.content = inv.card ? feishu::markdown_card_content(inv.text)
                         : feishu::text_content(inv.text);
  msg.uuid = inv.uuid.empty() ? make_send_uuid() : inv.uuid;
  if (msg.uuid.size() > 50)
    return fail("--uuid must be at most 50 characters");
  auto receipt = deliver(*cfg, account, msg);
  if (!receipt)
    return fail(receipt.error());
  if (inv.json)
    print_json(*sel, msg, *receipt);
  else
    print_text(ctx, *sel, msg, *receipt);
  return 0;
}

} // namespace loong::app
