#include "app/version.hpp"

namespace loong::app {

const char* version() {
  return LOONG_VERSION;
}

} // namespace loong::app
