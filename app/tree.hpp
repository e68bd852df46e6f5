#pragma once

#include "actors/gateway_owner.hpp"

namespace loong::app {

/// Fills the factories of `setup` with the production actors: the Ark
/// provider pool, token keeper + sender, and the transport each account's
/// mode asks for.
void wire_production_factories(owner_setup& setup);

} // namespace loong::app
