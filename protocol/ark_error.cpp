#include "protocol/ark_error.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>

#include <rapidjson/document.h>

#include "messages/errors.hpp"
#include "protocol/ark_json.hpp"

namespace loong::ark {

namespace {

bool starts_with(std::string_view x, std::string_view prefix) {
  return x.substr(0, prefix.size()) == prefix;
}

bool contains(std::string_view x, std::string_view part) {
  return x.find(part) != std::string_view::npos;
}

/// True for `code` equal to `key` or a dotted refinement of it.
bool code_is(std::string_view code, std::string_view key) {
  return code == key
         || (starts_with(code, key) && code.size() > key.size()
             && code[key.size()] == '.');
}

bool iequals(std::string_view x, std::string_view y) {
  if (x.size() != y.size())
    return false;
  for (size_t i = 0; i < x.size(); ++i) {
    auto a = static_cast<unsigned char>(x[i]);
    auto b = static_cast<unsigned char>(y[i]);
    if (std::tolower(a) != std::tolower(b))
      return false;
  }
  return true;
}

/// The status rule of spec §9 and contract §5.7 (425 from the latter).
bool status_retryable(unsigned status) {
  return status == 408 || status == 409 || status == 425 || status == 429
         || status >= 500;
}

/// Quota codes arrive with 429 but waiting does not help.
bool code_never_retryable(std::string_view code) {
  return code_is(code, "QuotaExceeded") || code_is(code, "SetLimitExceeded");
}

/// Classifies by code alone, for errors that arrive inside a 200 stream.
ec ec_from_code(std::string_view code) {
  if (code == "AuthenticationError")
    return ec::auth_failed;
  if (contains(code, "RateLimit") || contains(code, "QuotaExceeded")
      || code_is(code, "SetLimitExceeded") || code == "ServerOverloaded"
      || code == "RequestBurstTooFast" || code == "InflightBatchsizeExceeded")
    return ec::rate_limited;
  if (contains(code, "Overdue") || code == "AccessDenied"
      || starts_with(code, "OperationDenied"))
    return ec::permission_denied;
  if (contains(code, "NotFound") || code == "ModelNotOpen"
      || contains(code, "AccessDisabled"))
    return ec::not_found;
  if (code == "InternalServiceError")
    return ec::server_error;
  return ec::platform_error;
}

ec ec_from_status(unsigned status, std::string_view code) {
  switch (status) {
    case 401: return ec::auth_failed;
    case 403: return ec::permission_denied;
    case 404: return ec::not_found;
    case 429: return ec::rate_limited;
    default: break;
  }
  if (status >= 500 && status <= 599)
    return ec::server_error;
  if (status < 300)
    return ec_from_code(code);
  return ec::platform_error;
}

/// Parses a delta-seconds Retry-After; false for absent, dates or garbage.
bool parse_retry_after(std::string_view text, double& seconds) {
  text = detail::trim(text);
  if (text.empty())
    return false;
  double whole = 0;
  double frac = 0;
  double scale = 1;
  bool dot = false;
  bool digits = false;
  for (char c : text) {
    if (c == '.' && !dot) {
      dot = true;
      continue;
    }
    if (c < '0' || c > '9')
      return false;
    digits = true;
    if (dot) {
      scale /= 10;
      frac += (c - '0') * scale;
    } else if (whole < 1e6) {
      // Saturate: anything this large is capped anyway.
      whole = whole * 10 + (c - '0');
    }
  }
  if (!digits)
    return false;
  seconds = whole + frac;
  return true;
}

} // namespace

provider_error parse_error(unsigned http_status, std::string_view body,
                           std::string_view should_retry_header) {
  provider_error out;
  out.http_status = http_status;
  auto text = detail::trim(body);
  if (!text.empty()) {
    rapidjson::Document doc;
    detail::parse(doc, text);
    if (!doc.HasParseError() && doc.IsObject())
      detail::read_error_object(doc, out);
    if (out.code.empty() && out.message.empty())
      out.message = detail::clip(text, 200);
  }
  out.retryable = status_retryable(http_status)
                  && !code_never_retryable(out.code);
  auto hint = detail::trim(should_retry_header);
  if (iequals(hint, "true"))
    out.retryable = true;
  else if (iequals(hint, "false"))
    out.retryable = false;
  return out;
}

caf::error to_error(const provider_error& x) {
  std::string ctx = "HTTP " + std::to_string(x.http_status);
  if (!x.code.empty())
    ctx += " " + x.code;
  if (!x.message.empty())
    ctx += ": " + x.message;
  return caf::make_error(ec_from_status(x.http_status, x.code), std::move(ctx));
}

std::chrono::milliseconds retry_delay(int attempt,
                                      std::chrono::milliseconds base,
                                      std::chrono::milliseconds cap,
                                      std::string_view retry_after_header,
                                      double unit) {
  double seconds = 0;
  if (parse_retry_after(retry_after_header, seconds)) {
    auto ms = std::min(seconds * 1000.0, 60000.0);
    return std::chrono::milliseconds{static_cast<int64_t>(std::ceil(ms))};
  }
  double b = static_cast<double>(std::max<int64_t>(base.count(), 0));
  double c = static_cast<double>(std::max<int64_t>(cap.count(), 0));
  // Doubling past 2^30 only ever lands on the cap; stop before overflow.
  int n = std::clamp(attempt, 0, 30);
  double raw = std::min(b * std::ldexp(1.0, n), c);
  if (!(unit >= 0.0)) // also catches NaN
    unit = 0.0;
  if (unit >= 1.0)
    unit = 1.0;
  double jitter = 0.75 + 0.25 * unit;
  return std::chrono::milliseconds{static_cast<int64_t>(raw * jitter)};
}

std::string doctor_hint(const caf::error& err) {
  if (!err)
    return {};
  auto text = describe(err);
  if (err.category() != caf::atom("loong")) {
    if (contains(text, "timeout"))
      return "the provider did not answer in time: check network and proxy, "
             "or raise providers.<name>.request_timeout_ms";
    return {};
  }
  switch (static_cast<ec>(err.code())) {
    case ec::auth_failed:
      return "check ARK_API_KEY (bearer API key from the Ark console, "
             "not AK/SK)";
    case ec::missing_secret:
      return "set ARK_API_KEY (or providers.<name>.api_key) to a bearer API "
             "key from the Ark console, not AK/SK";
    case ec::permission_denied:
      if (contains(text, "Overdue"))
        return "the Volcengine account is overdue: top up in the billing "
               "console, then retry";
      return "the key may not call this model: check the key's permissions "
             "and the account status in the Ark console";
    case ec::not_found:
      if (contains(text, "ModelNotOpen"))
        return "the model is not activated for this account: activate it in "
               "the Ark console, or set providers.<name>.model to an id from "
               "`loong runtime models list`";
      return "the model or endpoint id is not activated for this key; set "
             "providers.<name>.model to an id from `loong runtime models list`";
    case ec::rate_limited:
      if (contains(text, "QuotaExceeded") || contains(text, "SetLimitExceeded"))
        return "the Ark quota or a self-imposed limit is used up: raise it in "
               "the Ark console (retrying will not help)";
      return "rate limited by Ark: lower concurrency or request rate, or ask "
             "for a higher RPM/TPM limit on the endpoint";
    case ec::server_error:
      return "Ark had a server error; transient, retry later (check the "
             "Volcengine status page if it persists)";
    case ec::transport_failed:
      return "cannot reach the Ark endpoint: check DNS, HTTPS_PROXY/NO_PROXY, "
             "VPN/TUN routing and providers.<name>.base_url";
    case ec::timeout:
      return "the provider did not answer in time: check network and proxy, "
             "or raise providers.<name>.request_timeout_ms";
    case ec::malformed_response:
      return "unexpected response from the provider: check that "
             "providers.<name>.base_url points at the Ark API "
             "(https://ark.cn-beijing.volces.com) and not at a proxy page";
    case ec::platform_error:
      if (contains(text, "OutofContext") || contains(text, "context length"))
        return "the conversation is longer than the model's context window: "
               "start a new session or trim history";
      if (contains(text, "SensitiveContent"))
        return "the provider's content filter blocked the input or output";
      if (contains(text, "ClosedEndpoint"))
        return "the inference endpoint is closed: re-enable it in the Ark "
               "console or choose another model";
      return "the provider rejected the request: check providers.<name>.model "
             "and the request options (thinking, max_tokens)";
    case ec::invalid_config:
      if (contains(text, "model"))
        return "set providers.<name>.model to an id from "
               "`loong runtime models list` (or list preferred_models)";
      return "fix the provider section of the config (see `loong doctor`)";
    default:
      return {};
  }
}

} // namespace loong::ark
