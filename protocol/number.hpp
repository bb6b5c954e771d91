// Number parsing with Redis's exact rules, shared by the request parser and the reply reader.
#pragma once

#include <string_view>

namespace basalt::resp {

// Redis's string2ll() (util.c): an optional '-', then "0" or digits without a leading zero; no
// '+', no spaces, fewer than 21 characters, within long long. "+5", "05", "-0" and "" fail.
bool string_to_ll(std::string_view s, long long* value);

}  // namespace basalt::resp
