#include "config/resolve.hpp"

#include "config/account_id.hpp"
#include "messages/errors.hpp"

namespace loong::config {

namespace {

std::string configured_ids(const feishu_config& f) {
  std::string ids;
  for (auto& a : f.accounts)
    ids += (ids.empty() ? "" : ", ") + a.id;
  return ids;
}

caf::expected<feishu_account> find_named(const feishu_config& f,
                                         const std::string& requested) {
  auto want = normalize_account_id(requested);
  for (auto& a : f.accounts)
    if (a.id == want)
      return a;
  std::vector<const feishu_account*> by_identity;
  for (auto& a : f.accounts)
    if (a.runtime_id == want || a.runtime_label == requested)
      by_identity.push_back(&a);
  if (by_identity.size() == 1)
    return *by_identity.front();
  if (by_identity.size() > 1) {
    std::string c;
    for (auto a : by_identity)
      c += (c.empty() ? "" : ", ") + a->id + " (" + a->runtime_label + ")";
    return caf::make_error(ec::invalid_argument,
                           "feishu account \"" + requested
                             + "\" is ambiguous: it matches " + c
                             + "; pass a configured account id");
  }
  return caf::make_error(ec::invalid_argument,
                         "feishu account \"" + want
                           + "\" is not configured (configured: "
                           + configured_ids(f) + ")");
}

} // namespace

caf::expected<account_selection>
select_account(const gateway_config& cfg,
               const std::optional<std::string>& requested) {
  auto& f = cfg.feishu;
  if (!f.present || f.accounts.empty())
    return caf::make_error(ec::invalid_config,
                           "feishu is not configured: add a [feishu] table to "
                             + cfg.path);
  account_selection out;
  if (requested) {
    out.source = "explicit";
    if (!f.named_accounts) {
      // Without named accounts the top-level block runs under that id.
      out.account = f.accounts.front();
      out.account.id = normalize_account_id(*requested);
      return out;
    }
    auto a = find_named(f, *requested);
    if (!a)
      return a.error();
    out.account = std::move(*a);
    return out;
  }
  out.selected_by_default = true;
  out.source = f.default_source;
  out.account = *cfg.account(f.default_account);
  if (f.default_source == "fallback" && f.accounts.size() > 1)
    out.warning = "warning: several feishu accounts and no "
                  "feishu.default_account; using \"" + out.account.id
                  + "\" (first in sorted order). Set feishu.default_account "
                    "or pass --account.";
  return out;
}

caf::expected<std::vector<feishu_account>>
select_gateway_accounts(const gateway_config& cfg,
                        const std::vector<channel_selector>& selectors) {
  auto& f = cfg.feishu;
  std::vector<feishu_account> out;
  const channel_selector* feishu_sel = nullptr;
  for (auto& s : selectors) {
    if (s.channel != "feishu")
      continue;
    if (feishu_sel)
      return caf::make_error(
        ec::invalid_argument,
        "duplicate account selection for channel family feishu ("
          + feishu_sel->channel_as_written + "=" + feishu_sel->account + ", "
          + s.channel_as_written + "=" + s.account
          + "): only one --channel-account per family");
    feishu_sel = &s;
  }
  if (!f.present || !f.enabled)
    return out;
  if (!feishu_sel) {
    for (auto& a : f.accounts)
      if (a.enabled)
        out.push_back(a);
    return out;
  }
  if (!f.named_accounts)
    return caf::make_error(
      ec::invalid_argument,
      "--channel-account " + feishu_sel->channel_as_written + "="
        + feishu_sel->account
        + " needs named accounts, but " + cfg.path
        + " configures feishu as a single account. Add feishu.default_account"
          " = \"" + normalize_account_id(feishu_sel->account)
        + "\" and a [feishu.accounts."
        + normalize_account_id(feishu_sel->account)
        + "] table, or drop the selector");
  auto a = find_named(f, feishu_sel->account);
  if (!a)
    return a.error();
  if (a->enabled)
    out.push_back(std::move(*a));
  return out;
}

} // namespace loong::config
