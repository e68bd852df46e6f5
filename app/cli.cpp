#include "app/cli.hpp"

#include <CLI/CLI.hpp>

#include "app/version.hpp"

namespace loong::app {

namespace {

void add_json(CLI::App* cmd, invocation& inv) {
  cmd->add_flag("--json", inv.json, "Print one pretty JSON document on stdout");
}

void add_account(CLI::App* cmd, invocation& inv) {
  cmd->add_option("--account", inv.account,
                  "Configured account id (default: feishu.default_account)");
}

void add_send(CLI::App* cmd, invocation& inv) {
  auto target = cmd->add_option("--receive-id", inv.receive_id,
                                "Recipient id (chat_id oc_..., open_id ou_..., ...)"
                                " or, with --target-kind message_reply, the om_... to answer");
  cmd->add_option("--target", inv.receive_id, "Alias of --receive-id")
    ->excludes(target);
  cmd->add_option("--receive-id-type", inv.receive_id_type,
                  "open_id, user_id, union_id, email or chat_id (default: the "
                  "account's receive_id_type)")
    ->check(CLI::IsMember({"open_id", "user_id", "union_id", "email", "chat_id"}));
  cmd->add_option("--target-kind", inv.target_kind,
                  "receive_id (send to the recipient) or message_reply (reply to a message)")
    ->check(CLI::IsMember({"receive_id", "message_reply"}));
  cmd->add_option("--text", inv.text, "Message text")->required();
  cmd->add_flag("--card", inv.card, "Send the text as a markdown card");
  cmd->add_option("--uuid", inv.uuid, "Idempotency key (default: random)");
  add_account(cmd, inv);
  add_json(cmd, inv);
}

void add_serve(CLI::App* cmd, invocation& inv) {
  add_account(cmd, inv);
  cmd->add_option("--bind", inv.bind, "Webhook mode: HOST:PORT to listen on");
  cmd->add_option("--path", inv.path, "Webhook mode: URL path to serve");
}

} // namespace

parse_result parse_command_line(int argc, char** argv) {
  invocation inv;
  CLI::App app{"loong: Feishu/Lark bot gateway for the Volcengine Ark provider",
               "loong"};
  app.fallthrough();
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string{"loong "} + version());
  app.add_option("--config", inv.config,
                 "Config file (default: $LOONG_CONFIG, else $LOONG_HOME/config.toml)");
  app.add_option("--log-level", inv.log_level,
                 "trace, debug, info, warn, error or off (default: $LOONG_LOG, else warn)")
    ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));

  auto doctor = app.add_subcommand("doctor", "Check provider and channel prerequisites");
  doctor->add_flag("--skip-model-probe", inv.skip_model_probe,
                   "Do not call the provider's models endpoint");
  doctor->add_flag("--fix", inv.fix, "Accepted for compatibility; loong never rewrites your config");
  add_json(doctor, inv);

  auto runtime = app.add_subcommand("runtime", "Provider runtime commands");
  runtime->require_subcommand(1);
  auto models = runtime->add_subcommand("models", "Provider models");
  models->require_subcommand(1);
  auto models_list = models->add_subcommand("list", "List the provider's models");
  add_json(models_list, inv);

  auto ask = app.add_subcommand("ask", "One provider round trip");
  ask->add_option("--message,-m", inv.message, "The user message")->required();
  ask->add_flag("--no-stream", inv.no_stream, "Print the answer at the end, not as it streams");
  ask->add_option("--session", inv.session, "Accepted; one-shot asks keep no history");
  add_json(ask, inv);

  auto channels = app.add_subcommand("channels", "Channel inventory, send and serve");
  add_json(channels, inv);
  auto channels_list = channels->add_subcommand("list", "Channel inventory (same as `channels`)");
  add_json(channels_list, inv);
  auto channels_send = channels->add_subcommand("send", "Send a message");
  channels_send->require_subcommand(1);
  auto send_feishu = channels_send->add_subcommand("feishu", "Send through Feishu/Lark");
  send_feishu->alias("lark");
  add_send(send_feishu, inv);
  auto channels_serve = channels->add_subcommand("serve", "Serve one channel in the foreground");
  channels_serve->require_subcommand(1);
  auto serve_feishu = channels_serve->add_subcommand("feishu", "Serve one Feishu/Lark account");
  serve_feishu->alias("lark");
  add_serve(serve_feishu, inv);

  auto feishu = app.add_subcommand("feishu", "Feishu/Lark shortcuts");
  feishu->alias("lark");
  feishu->require_subcommand(1);
  auto fs_send = feishu->add_subcommand("send", "Same as `channels send feishu`");
  add_send(fs_send, inv);
  auto fs_serve = feishu->add_subcommand("serve", "Same as `channels serve feishu`");
  add_serve(fs_serve, inv);

  auto gateway = app.add_subcommand("gateway", "The gateway owner");
  gateway->require_subcommand(1);
  auto run = gateway->add_subcommand("run", "Own every selected account in this process");
  run->add_option("--session", inv.session, "Attached session name (mode gateway_attached_cli)");
  run->add_option("--port", inv.port, "Control endpoint port (0 = ephemeral)")
    ->check(CLI::Range(0, 65535));
  run->add_option("--channel-account", inv.channel_accounts,
                  "CHANNEL=ACCOUNT, e.g. lark=work (one per channel family)");
  auto gw_status = gateway->add_subcommand("status", "Show the gateway owner");
  add_json(gw_status, inv);
  gateway->add_subcommand("stop", "Ask the gateway owner to drain and stop");

  auto status = app.add_subcommand("status", "Operator summary: owner, accounts, provider");
  add_json(status, inv);

  parse_result out;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out.out = app.help();
    return out;
  } catch (const CLI::CallForAllHelp&) {
    out.out = app.help("", CLI::AppFormatMode::All);
    return out;
  } catch (const CLI::CallForVersion&) {
    out.out = std::string{"loong "} + version() + "\n";
    return out;
  } catch (const CLI::ParseError& e) {
    out.exit_code = 2;
    out.err = std::string{"error: "} + e.what() + "\nRun with --help for usage.\n";
    return out;
  }
  if (doctor->parsed())
    inv.what = command::doctor;
  else if (models_list->parsed())
    inv.what = command::models_list;
  else if (ask->parsed())
    inv.what = command::ask;
  else if (send_feishu->parsed() || fs_send->parsed())
    inv.what = command::channels_send;
  else if (serve_feishu->parsed() || fs_serve->parsed())
    inv.what = command::channels_serve;
  else if (channels->parsed())
    inv.what = command::channels;
  else if (run->parsed())
    inv.what = command::gateway_run;
  else if (gw_status->parsed())
    inv.what = command::gateway_status;
  else if (gateway->got_subcommand("stop"))
    inv.what = command::gateway_stop;
  else if (status->parsed())
    inv.what = command::status;
  out.inv = inv;
  return out;
}

} // namespace loong::app
