// basalt::Reply: one decoded server reply of any RESP2 or RESP3 type (nil, simple string, error,
// integer, bulk string, array, map, set, double, boolean, big number, verbatim string, push).
// It is the protocol layer's value type, shared with the server's own tests.
//
//   basalt::Reply r = db.command({"LRANGE", "jobs", "0", "-1"});
//   if (r.type() == basalt::Reply::Type::kArray)
//     for (const basalt::Reply& e : r.elements()) std::cout << e.str() << "\n";
//
// Scalars: str() for every string-like type (simple, bulk, error, verbatim text, big number
// digits, a double's wire text), integer(), dbl(), boolean(). Aggregates: elements() (a map is
// flattened: key, value, key, value...). to_string() gives a one-line form for logs.
//
// Thread safety: a plain value (copyable, movable); distinct Replies may be used from distinct
// threads, one Reply from several only for reading.
#pragma once

// Quoted on purpose: found beside this header once installed (include/basalt/protocol/), and
// through the project root in the source tree.
#include "protocol/reply.hpp"

namespace basalt {

using Reply = resp::Reply;

}  // namespace basalt
