#include "config/secret.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace loong::config {

namespace {

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos)
    return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string{s.substr(b, e - b + 1)};
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size())
    return false;
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i])
      return false;
  return true;
}

bool looks_like_uuid(std::string_view s) {
  if (s.size() != 36)
    return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i])))
      return false;
  }
  return true;
}

bool looks_like_secret(std::string_view s) {
  static constexpr std::array<std::string_view, 7> prefixes
    = {"sk-", "rk-", "pk-", "ya29.", "bearer ", "ghp_", "glpat-"};
  for (auto p : prefixes)
    if (starts_with_ci(s, p))
      return true;
  if (looks_like_uuid(s))
    return true;
  auto punct = std::any_of(s.begin(), s.end(), [](char c) {
    return c == '-' || c == '.' || c == '/' || c == '+' || c == '=';
  });
  return s.size() >= 24 && punct;
}

std::string strip_trailing_newlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
    s.pop_back();
  return s;
}

// Runs argv without a shell and returns its stdout (at most 64 KiB, 10 s).
std::optional<std::string> run_command(const std::vector<std::string>& argv) {
  if (argv.empty())
    return std::nullopt;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    return std::nullopt;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  std::vector<char*> args;
  for (auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  auto rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (rc != 0) {
    close(fds[0]);
    return std::nullopt;
  }
  std::string out;
  char buf[4096];
  for (int rounds = 0; rounds < 100 && out.size() < 65536; ++rounds) {
    pollfd p{fds[0], POLLIN, 0};
    if (poll(&p, 1, 100) <= 0)
      continue;
    auto n = read(fds[0], buf, sizeof(buf));
    if (n <= 0)
      break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  // The child closed stdout; give it up to 10 s to exit before killing it.
  int status = 0;
  pid_t done = 0;
  for (int i = 0; i < 1000 && (done = waitpid(pid, &status, WNOHANG)) == 0; ++i)
    usleep(10000);
  if (done != pid) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return std::nullopt;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return std::nullopt;
  return out;
}

} // namespace

env_lookup process_env() {
  return [](const std::string& name) -> std::optional<std::string> {
    if (auto v = std::getenv(name.c_str()))
      return std::string{v};
    return std::nullopt;
  };
}

bool is_env_name(std::string_view v) {
  if (v.empty() || !(std::isalpha(static_cast<unsigned char>(v[0])) || v[0] == '_'))
    return false;
  return std::all_of(v.begin(), v.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

secret_ref classify_secret_string(std::string_view text) {
  auto t = trim(text);
  std::string_view v{t};
  auto env = [](std::string_view name) {
    return secret_ref{secret_ref::kind::env, std::string{name}, {}};
  };
  if (v.size() > 3 && v.substr(0, 2) == "${" && v.back() == '}')
    return env(v.substr(2, v.size() - 3));
  if (v.size() > 1 && v[0] == '$')
    return env(v.substr(1));
  if (v.size() > 4 && starts_with_ci(v, "env:"))
    return env(v.substr(4));
  if (v.size() > 2 && v.front() == '%' && v.back() == '%')
    return env(v.substr(1, v.size() - 2));
  if (t.empty())
    return {};
  return secret_ref{secret_ref::kind::literal, std::string{text}, {}};
}

std::optional<issue> check_env_name(std::string_view value,
                                    const std::string& key) {
  auto v = trim(value);
  auto make = [&](const char* code, std::string why) {
    issue x;
    x.code = code;
    x.key = key;
    x.message = "[" + std::string{code} + "] " + key
                + " expects an environment variable name " + why;
    return x;
  };
  if (looks_like_secret(v))
    return make("config.env_pointer.secret_literal",
                "but the value looks like a secret itself; put the secret in "
                "the environment and name the variable here");
  if (v.find('=') != std::string::npos)
    return make("config.env_pointer.assignment",
                "(like ARK_API_KEY), not an assignment KEY=VALUE");
  if (!v.empty() && v[0] == '$')
    return make("config.env_pointer.dollar_prefix",
                "without a leading '$' (write " + v.substr(v[1] == '{' ? 2 : 1)
                  + ")");
  if (v.size() > 2 && v.front() == '%' && v.back() == '%')
    return make("config.env_pointer.percent_wrapped",
                "without %...% (write " + v.substr(1, v.size() - 2) + ")");
  if (!is_env_name(v))
    return make("config.env_pointer.invalid_name",
                "matching [A-Za-z_][A-Za-z0-9_]*");
  return std::nullopt;
}

secret resolve_secret(const secret_ref& ref, const std::string& pointer_env,
                      const env_lookup& env, const std::string& base_dir) {
  secret out;
  auto from_env = [&](const std::string& name) {
    out.source = "env:" + name;
    auto v = env(name);
    if (v && !trim(*v).empty())
      out.value = trim(*v);
    else
      out.missing_reason = "environment variable " + name + " is not set";
  };
  switch (ref.what) {
    case secret_ref::kind::literal:
      out.source = "literal";
      out.value = ref.text;
      return out;
    case secret_ref::kind::env:
      from_env(ref.text);
      return out;
    case secret_ref::kind::file: {
      auto path = ref.text;
      if (!path.empty() && path[0] != '/' && !base_dir.empty())
        path = base_dir + "/" + path;
      out.source = "file:" + path;
      std::ifstream in{path};
      if (!in) {
        out.missing_reason = "file " + path + " cannot be read";
        return out;
      }
      std::stringstream ss;
      ss << in.rdbuf();
      out.value = strip_trailing_newlines(ss.str());
      if (out.value.empty())
        out.missing_reason = "file " + path + " is empty";
      return out;
    }
    case secret_ref::kind::exec: {
      out.source = "exec:" + (ref.argv.empty() ? "" : ref.argv[0]);
      auto v = run_command(ref.argv);
      if (v)
        out.value = strip_trailing_newlines(*v);
      if (out.value.empty())
        out.missing_reason = "command " + (ref.argv.empty() ? "" : ref.argv[0])
                             + " failed or printed nothing";
      return out;
    }
    case secret_ref::kind::absent:
      break;
  }
  if (!pointer_env.empty()) {
    from_env(pointer_env);
    return out;
  }
  out.missing_reason = "not configured";
  return out;
}

} // namespace loong::config
