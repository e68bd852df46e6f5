#pragma once

namespace loong::app {

/// The product version, from CMake's project(VERSION).
const char* version();

} // namespace loong::app
