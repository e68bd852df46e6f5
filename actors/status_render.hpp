#pragma once

#include <cstdint>
#include <string>

#include "messages/status.hpp"

namespace loong {

/// The per-account and provider detail of a snapshot as one compact JSON
/// object: {"phase", "accounts": [...], "provider": {...}}.
std::string snapshot_json(const gateway_snapshot& x);

/// Time the transport spent disconnected, the current outage included.
int64_t disconnected_total_ms(const transport_status& t);

/// The snapshot in the Prometheus text exposition format.
std::string metrics_text(const gateway_snapshot& x);

} // namespace loong
