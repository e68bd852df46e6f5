#pragma once

// Fixed-point formatting shared by the driver's progress lines and report.

#include <sstream>
#include <string>

namespace loong::bench {

/// `v` with `digits` digits after the point.
inline std::string fmt(double v, int digits = 1) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(digits);
  s << v;
  return s.str();
}

} // namespace loong::bench
