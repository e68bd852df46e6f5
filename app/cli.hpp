#pragma once

#include <optional>
#include <string>
#include <vector>

namespace loong::app {

/// Which command the command line selected.
enum class command {
  none,
  doctor,
  models_list,
  ask,
  channels,
  channels_send,
  channels_serve,
  gateway_run,
  gateway_status,
  gateway_stop,
  status,
};

/// Everything the command line says, parsed and checked for shape.
struct invocation {
  command what = command::none;
  std::optional<std::string> config;
  std::string log_level;
  bool json = false;
  // doctor
  bool skip_model_probe = false;
  bool fix = false;
  // ask
  std::string message;
  bool no_stream = false;
  std::string session;
  // channels send
  std::string receive_id;
  std::string receive_id_type;
  std::string target_kind = "receive_id";
  std::string text;
  bool card = false;
  std::string uuid;
  std::optional<std::string> account;
  // channels serve
  std::string bind;
  std::string path;
  // gateway run
  std::vector<std::string> channel_accounts;
  std::optional<int64_t> port;
};

/// Result of parsing: an invocation, or an exit code with text to print.
struct parse_result {
  std::optional<invocation> inv;
  int exit_code = 0;
  /// Help or version text for stdout, or an error for stderr.
  std::string out;
  std::string err;
};

/// Parses argv. `--help` anywhere prints that command's help (exit 0);
/// a usage error yields "error: ..." and exit 2.
parse_result parse_command_line(int argc, char** argv);

} // namespace loong::app
