#pragma once
#include <string_view>

namespace outpost {

// Orders versions the way people expect: dot/dash separated parts compared numerically when
// both are numbers ("1.10.0" > "1.9.2"), lexically otherwise. Returns <0, 0, >0.
int compare_versions(std::string_view a, std::string_view b);

}  // namespace outpost
