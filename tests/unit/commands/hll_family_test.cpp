// The HyperLogLog family against Redis 7.0.15: a session recorded from a real redis-server
// (tools/record_redis_replies.py tests/unit/commands/hll_cases.py) whose GETs compare the exact
// bytes of sparse and dense values (a hash for the long ones), hostile values included; the table
// rows; PFCOUNT's write-back of its cache as a recorded effect; and the Op side.

#include "commands/hll_family.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "commands/error_texts.hpp"
#include "store/clock.hpp"
#include "store/database.hpp"
#include "store/entry.hpp"
#include "store/hyperloglog.hpp"
#include "store/store.hpp"
#include "unit/commands/engine_fixture.hpp"
#include "unit/commands/recorded_session.hpp"

namespace basalt {
namespace {

using namespace std::string_literals;
using testing::Exchange;
using testing::integer;

// Recorded from redis-server 7.0.15, in order, on an empty database.
const Exchange kSession[] = {
    {{"PFADD"s, "h"s, "a"s, "b"s, "c"s}, ":1\r\n"s, 0},
    {{"GET"s, "h"s},
     "$27\r\nHYLL\x01"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x80"
     "`\xf3"
     "\x80"
     "P\xb1"
     "\x84"
     "K\xfb"
     "\x80"
     "BZ\r\n"s,
     0},
    {{"PFCOUNT"s, "h"s}, ":3\r\n"s, 0},
    {{"GET"s, "h"s},
     "$27\r\nHYLL\x01"
     "\x00"
     "\x00"
     "\x00"
     "\x03"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "`\xf3"
     "\x80"
     "P\xb1"
     "\x84"
     "K\xfb"
     "\x80"
     "BZ\r\n"s,
     0},
    {{"PFADD"s, "h"s, "a"s}, ":0\r\n"s, 0},
    {{"PFADD"s, "h"s, "d"s}, ":1\r\n"s, 0},
    {{"GET"s, "h"s},
     "$30\r\nHYLL\x01"
     "\x00"
     "\x00"
     "\x00"
     "\x03"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x80"
     "\\{\x80"
     "Dv\x80"
     "P\xb1"
     "\x84"
     "K\xfb"
     "\x80"
     "BZ\r\n"s,
     0},
    {{"PFADD"s, "e"s}, ":1\r\n"s, 0},
    {{"GET"s, "e"s},
     "$18\r\nHYLL\x01"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x80"
     "\x7f"
     "\xff"
     "\r\n"s,
     0},
    {{"PFADD"s, "e"s}, ":0\r\n"s, 0},
    {{"PFCOUNT"s, "e"s}, ":0\r\n"s, 0},
    {{"PFCOUNT"s, "nokey"s}, ":0\r\n"s, 0},
    {{"PFADD"s, "x"s, ""s}, ":1\r\n"s, 0},
    {{"GET"s, "x"s},
     "$21\r\nHYLL\x01"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x80"
     "W1\x84"
     "h\xcc"
     "\r\n"s,
     0},
    {{"PFADD"s, "h2"s, "@range:x:200"s}, ":1\r\n"s, 0},
    {{"GET"s, "h2"s},
     "$498\r\nHYLL\x01"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x80"
     "8\x80"
     "\x01"
     "\x80"
     "@a\x80"
     "'\x84"
     "@M\x80"
     "A\x05"
     "\x8c"
     "@u\x80"
     "@\x85"
     "\x80"
     "!\x80"
     "2\x94"
     "@e\x80"
     "@b\x88"
     "@\xbb"
     "\x88"
     "\x0f"
     "\x80"
     "@\xb8"
     "\x80"
     "@P\x84"
     "@G\x80"
     "\x14"
     "\x80"
     "A\r\x80"
     "@l\x84"
     "@\x97"
     "\x80"
     "@}\x88"
     "$\x90"
     "\x04"
     "\x84"
     "@P\x90"
     "3\x80"
     "8\x80"
     "\x19"
     "\x80"
     "\x12"
     "\x88"
     "\n\x80"
     "(\x94"
     "Az\x81"
     "\x08"
     "\x80"
     "\x07"
     "\x80"
     "?\x80"
     "\x1f"
     "\x80"
     "\x84"
     "\x1c"
     "\x80"
     "\x02"
     "\x81"
     "\x18"
     "\x80"
     "3\x88"
     ";\x88"
     "\x11"
     "\x80"
     "@Z\x80"
     "@\x8e"
     "\x80"
     "\x0c"
     "\x80"
     "6\x84"
     "\x11"
     "\x8c"
     "\x1c"
     "\x80"
     "@\xd8"
     "\x80"
     "@`\x88"
     "6\x80"
     "\x03"
     "\x84"
     "\x09"
     "\xa4"
     "@H\x98"
     "\x03"
     "\x84"
     "@\x91"
     "\xb4"
     "@C\x90"
     "$\x8c"
     "&\x88"
     "@F\x88"
     "\x12"
     "\x88"
     "@\x81"
     "\x80"
     "\x04"
     "\x84"
     "\x07"
     "\x84"
     "@g\x80"
     "@Z\x80"
     "\x1c"
     "\x80"
     "A\x1c"
     "\x84"
     "3\x80"
     "@P\x84"
     "\x09"
     "\x80"
     "@\xe3"
     "\x80"
     "'\x80"
     "\x08"
     "\x88"
     "\x07"
     "\x80"
     "\x84"
     "\x1e"
     "\x80"
     "@O\x80"
     "@e\x8c"
     "@\x82"
     "\x80"
     "<\x84"
     "\x12"
     "\x88"
     "@x\x81"
     "@\x82"
     "\x8c"
     "@\xfd"
     "\x80"
     "@G\x80"
     ";\x80"
     "\x14"
     "\x80"
     "@i\x8c"
     "A5\x80"
     "@\\\x84"
     "9\x80"
     "\x1e"
     "\x84"
     "\x08"
     "\x84"
     "\x1b"
     "\x84"
     "@\xb6"
     "\x88"
     "@P\x8c"
     "@\x93"
     "\x80"
     "\x12"
     "\x84"
     "\x1f"
     "\x84"
     "A\x19"
     "\x90"
     "\x17"
     "\x80"
     "@`\x88"
     "@r\x88"
     "\x18"
     "\x80"
     "\x1a"
     "\x80"
     "A\x17"
     "\x80"
     "@\xc4"
     "\x90"
     "@\x8e"
     "\x88"
     "@\xcf"
     "\x88"
     "+\x80"
     "?\x80"
     "\x1f"
     "\x84"
     "\x15"
     "\x90"
     "@R\x88"
     "@]\x80"
     "\x1e"
     "\x80"
     "@\x99"
     "\x80"
     "(\x80"
     "?\x84"
     "&\x84"
     "@V\x8c"
     "@P\x80"
     "@D\x8c"
     "@\x85"
     "\x80"
     "\x1a"
     "\x80"
     "\x0b"
     "\x88"
     "A\xb0"
     "\x94"
     "@\x93"
     "\x98"
     "@v\x84"
     "@\xd9"
     "\x80"
     ",\x8c"
     "@l\x80"
     "@M\x80"
     "@Q\x80"
     "@V\x80"
     "/\x80"
     ":\x88"
     "\x17"
     "\x84"
     "A0\x84"
     "@\x81"
     "\x90"
     "\x0e"
     "\x80"
     "@\xba"
     "\x80"
     "\x04"
     "\x84"
     "3\x84"
     "@d\x88"
     "@A\x84"
     "@\x9a"
     "\x80"
     "!\x84"
     "@\x83"
     "\x80"
     "0\x8c"
     "\x08"
     "\x84"
     "\x13"
     "\x84"
     "0\x80"
     "$\x84"
     "-\x88"
     "\x11"
     "\x84"
     "@b\x98"
     "\x04"
     "\x94"
     "@Z\x80"
     "@c\x80"
     "@\xc5"
     "\x9c"
     "@Q\x9c"
     "@c\x90"
     "@M\x84"
     "\x1b"
     "\x80"
     "@\xb2"
     "\x80"
     "@a\x80"
     "\x16"
     "\x80"
     "?\x84"
     "9\x8c"
     "@y\x80"
     "@\x8d"
     "\x84"
     "*\x84"
     "\x0f"
     "\x84"
     "@\xae"
     "\x84"
     "\x10"
     "\x80"
     "@]\x84"
     "@s\x8c"
     "@\xd3"
     "\x84"
     "@\x80"
     "\x8c"
     "@\xc0"
     "\x84"
     "\x11"
     "\x80"
     "\x1a"
     "\x88"
     "3\x8c"
     "@~\x80"
     "@B\xa4"
     "3\x84"
     "\x04"
     "\x80"
     "@_\x80"
     "\r\x80"
     "\x0b"
     "\x80"
     "@C\x88"
     "@a\r\n"s,
     0},
    {{"PFCOUNT"s, "h2"s}, ":198\r\n"s, 0},
    {{"GET"s, "h2"s},
     "$498\r\nHYLL\x01"
     "\x00"
     "\x00"
     "\x00"
     "\xc6"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "8\x80"
     "\x01"
     "\x80"
     "@a\x80"
     "'\x84"
     "@M\x80"
     "A\x05"
     "\x8c"
     "@u\x80"
     "@\x85"
     "\x80"
     "!\x80"
     "2\x94"
     "@e\x80"
     "@b\x88"
     "@\xbb"
     "\x88"
     "\x0f"
     "\x80"
     "@\xb8"
     "\x80"
     "@P\x84"
     "@G\x80"
     "\x14"
     "\x80"
     "A\r\x80"
     "@l\x84"
     "@\x97"
     "\x80"
     "@}\x88"
     "$\x90"
     "\x04"
     "\x84"
     "@P\x90"
     "3\x80"
     "8\x80"
     "\x19"
     "\x80"
     "\x12"
     "\x88"
     "\n\x80"
     "(\x94"
     "Az\x81"
     "\x08"
     "\x80"
     "\x07"
     "\x80"
     "?\x80"
     "\x1f"
     "\x80"
     "\x84"
     "\x1c"
     "\x80"
     "\x02"
     "\x81"
     "\x18"
     "\x80"
     "3\x88"
     ";\x88"
     "\x11"
     "\x80"
     "@Z\x80"
     "@\x8e"
     "\x80"
     "\x0c"
     "\x80"
     "6\x84"
     "\x11"
     "\x8c"
     "\x1c"
     "\x80"
     "@\xd8"
     "\x80"
     "@`\x88"
     "6\x80"
     "\x03"
     "\x84"
     "\x09"
     "\xa4"
     "@H\x98"
     "\x03"
     "\x84"
     "@\x91"
     "\xb4"
     "@C\x90"
     "$\x8c"
     "&\x88"
     "@F\x88"
     "\x12"
     "\x88"
     "@\x81"
     "\x80"
     "\x04"
     "\x84"
     "\x07"
     "\x84"
     "@g\x80"
     "@Z\x80"
     "\x1c"
     "\x80"
     "A\x1c"
     "\x84"
     "3\x80"
     "@P\x84"
     "\x09"
     "\x80"
     "@\xe3"
     "\x80"
     "'\x80"
     "\x08"
     "\x88"
     "\x07"
     "\x80"
     "\x84"
     "\x1e"
     "\x80"
     "@O\x80"
     "@e\x8c"
     "@\x82"
     "\x80"
     "<\x84"
     "\x12"
     "\x88"
     "@x\x81"
     "@\x82"
     "\x8c"
     "@\xfd"
     "\x80"
     "@G\x80"
     ";\x80"
     "\x14"
     "\x80"
     "@i\x8c"
     "A5\x80"
     "@\\\x84"
     "9\x80"
     "\x1e"
     "\x84"
     "\x08"
     "\x84"
     "\x1b"
     "\x84"
     "@\xb6"
     "\x88"
     "@P\x8c"
     "@\x93"
     "\x80"
     "\x12"
     "\x84"
     "\x1f"
     "\x84"
     "A\x19"
     "\x90"
     "\x17"
     "\x80"
     "@`\x88"
     "@r\x88"
     "\x18"
     "\x80"
     "\x1a"
     "\x80"
     "A\x17"
     "\x80"
     "@\xc4"
     "\x90"
     "@\x8e"
     "\x88"
     "@\xcf"
     "\x88"
     "+\x80"
     "?\x80"
     "\x1f"
     "\x84"
     "\x15"
     "\x90"
     "@R\x88"
     "@]\x80"
     "\x1e"
     "\x80"
     "@\x99"
     "\x80"
     "(\x80"
     "?\x84"
     "&\x84"
     "@V\x8c"
     "@P\x80"
     "@D\x8c"
     "@\x85"
     "\x80"
     "\x1a"
     "\x80"
     "\x0b"
     "\x88"
     "A\xb0"
     "\x94"
     "@\x93"
     "\x98"
     "@v\x84"
     "@\xd9"
     "\x80"
     ",\x8c"
     "@l\x80"
     "@M\x80"
     "@Q\x80"
     "@V\x80"
     "/\x80"
     ":\x88"
     "\x17"
     "\x84"
     "A0\x84"
     "@\x81"
     "\x90"
     "\x0e"
     "\x80"
     "@\xba"
     "\x80"
     "\x04"
     "\x84"
     "3\x84"
     "@d\x88"
     "@A\x84"
     "@\x9a"
     "\x80"
     "!\x84"
     "@\x83"
     "\x80"
     "0\x8c"
     "\x08"
     "\x84"
     "\x13"
     "\x84"
     "0\x80"
     "$\x84"
     "-\x88"
     "\x11"
     "\x84"
     "@b\x98"
     "\x04"
     "\x94"
     "@Z\x80"
     "@c\x80"
     "@\xc5"
     "\x9c"
     "@Q\x9c"
     "@c\x90"
     "@M\x84"
     "\x1b"
     "\x80"
     "@\xb2"
     "\x80"
     "@a\x80"
     "\x16"
     "\x80"
     "?\x84"
     "9\x8c"
     "@y\x80"
     "@\x8d"
     "\x84"
     "*\x84"
     "\x0f"
     "\x84"
     "@\xae"
     "\x84"
     "\x10"
     "\x80"
     "@]\x84"
     "@s\x8c"
     "@\xd3"
     "\x84"
     "@\x80"
     "\x8c"
     "@\xc0"
     "\x84"
     "\x11"
     "\x80"
     "\x1a"
     "\x88"
     "3\x8c"
     "@~\x80"
     "@B\xa4"
     "3\x84"
     "\x04"
     "\x80"
     "@_\x80"
     "\r\x80"
     "\x0b"
     "\x80"
     "@C\x88"
     "@a\r\n"s,
     0},
    {{"PFDEBUG"s, "ENCODING"s, "h2"s}, "+sparse\r\n"s, 0},
    {{"PFDEBUG"s, "DECODE"s, "h"s},
     "$57\r\nZ:7292 v:1,1 Z:1143 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603\r\n"s,
     0},
    {{"PFADD"s, "h3"s, "@range:y:3000"s}, ":1\r\n"s, 0},
    {{"PFDEBUG"s, "ENCODING"s, "h3"s}, "+dense\r\n"s, 0},
    {{"GET"s, "h3"s}, ""s, 0x8ee2d8842288de86ull},
    {{"PFCOUNT"s, "h3"s}, ":2984\r\n"s, 0},
    {{"GET"s, "h3"s}, ""s, 0x2bfc147f82b5aeb3ull},
    {{"PFADD"s, "h4"s, "@range:elementwithalongername:1000"s}, ":1\r\n"s, 0},
    {{"PFCOUNT"s, "h4"s}, ":995\r\n"s, 0},
    {{"GET"s, "h4"s}, ""s, 0x8050b84aeb6ddc04ull},
    {{"PFDEBUG"s, "ENCODING"s, "h4"s}, "+sparse\r\n"s, 0},
    {{"PFCOUNT"s, "h"s, "h2"s}, ":202\r\n"s, 0},
    {{"PFCOUNT"s, "h"s, "h3"s, "nokey"s}, ":2989\r\n"s, 0},
    {{"PFCOUNT"s, "h2"s, "h4"s}, ":1191\r\n"s, 0},
    {{"GET"s, "h2"s},
     "$498\r\nHYLL\x01"
     "\x00"
     "\x00"
     "\x00"
     "\xc6"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "8\x80"
     "\x01"
     "\x80"
     "@a\x80"
     "'\x84"
     "@M\x80"
     "A\x05"
     "\x8c"
     "@u\x80"
     "@\x85"
     "\x80"
     "!\x80"
     "2\x94"
     "@e\x80"
     "@b\x88"
     "@\xbb"
     "\x88"
     "\x0f"
     "\x80"
     "@\xb8"
     "\x80"
     "@P\x84"
     "@G\x80"
     "\x14"
     "\x80"
     "A\r\x80"
     "@l\x84"
     "@\x97"
     "\x80"
     "@}\x88"
     "$\x90"
     "\x04"
     "\x84"
     "@P\x90"
     "3\x80"
     "8\x80"
     "\x19"
     "\x80"
     "\x12"
     "\x88"
     "\n\x80"
     "(\x94"
     "Az\x81"
     "\x08"
     "\x80"
     "\x07"
     "\x80"
     "?\x80"
     "\x1f"
     "\x80"
     "\x84"
     "\x1c"
     "\x80"
     "\x02"
     "\x81"
     "\x18"
     "\x80"
     "3\x88"
     ";\x88"
     "\x11"
     "\x80"
     "@Z\x80"
     "@\x8e"
     "\x80"
     "\x0c"
     "\x80"
     "6\x84"
     "\x11"
     "\x8c"
     "\x1c"
     "\x80"
     "@\xd8"
     "\x80"
     "@`\x88"
     "6\x80"
     "\x03"
     "\x84"
     "\x09"
     "\xa4"
     "@H\x98"
     "\x03"
     "\x84"
     "@\x91"
     "\xb4"
     "@C\x90"
     "$\x8c"
     "&\x88"
     "@F\x88"
     "\x12"
     "\x88"
     "@\x81"
     "\x80"
     "\x04"
     "\x84"
     "\x07"
     "\x84"
     "@g\x80"
     "@Z\x80"
     "\x1c"
     "\x80"
     "A\x1c"
     "\x84"
     "3\x80"
     "@P\x84"
     "\x09"
     "\x80"
     "@\xe3"
     "\x80"
     "'\x80"
     "\x08"
     "\x88"
     "\x07"
     "\x80"
     "\x84"
     "\x1e"
     "\x80"
     "@O\x80"
     "@e\x8c"
     "@\x82"
     "\x80"
     "<\x84"
     "\x12"
     "\x88"
     "@x\x81"
     "@\x82"
     "\x8c"
     "@\xfd"
     "\x80"
     "@G\x80"
     ";\x80"
     "\x14"
     "\x80"
     "@i\x8c"
     "A5\x80"
     "@\\\x84"
     "9\x80"
     "\x1e"
     "\x84"
     "\x08"
     "\x84"
     "\x1b"
     "\x84"
     "@\xb6"
     "\x88"
     "@P\x8c"
     "@\x93"
     "\x80"
     "\x12"
     "\x84"
     "\x1f"
     "\x84"
     "A\x19"
     "\x90"
     "\x17"
     "\x80"
     "@`\x88"
     "@r\x88"
     "\x18"
     "\x80"
     "\x1a"
     "\x80"
     "A\x17"
     "\x80"
     "@\xc4"
     "\x90"
     "@\x8e"
     "\x88"
     "@\xcf"
     "\x88"
     "+\x80"
     "?\x80"
     "\x1f"
     "\x84"
     "\x15"
     "\x90"
     "@R\x88"
     "@]\x80"
     "\x1e"
     "\x80"
     "@\x99"
     "\x80"
     "(\x80"
     "?\x84"
     "&\x84"
     "@V\x8c"
     "@P\x80"
     "@D\x8c"
     "@\x85"
     "\x80"
     "\x1a"
     "\x80"
     "\x0b"
     "\x88"
     "A\xb0"
     "\x94"
     "@\x93"
     "\x98"
     "@v\x84"
     "@\xd9"
     "\x80"
     ",\x8c"
     "@l\x80"
     "@M\x80"
     "@Q\x80"
     "@V\x80"
     "/\x80"
     ":\x88"
     "\x17"
     "\x84"
     "A0\x84"
     "@\x81"
     "\x90"
     "\x0e"
     "\x80"
     "@\xba"
     "\x80"
     "\x04"
     "\x84"
     "3\x84"
     "@d\x88"
     "@A\x84"
     "@\x9a"
     "\x80"
     "!\x84"
     "@\x83"
     "\x80"
     "0\x8c"
     "\x08"
     "\x84"
     "\x13"
     "\x84"
     "0\x80"
     "$\x84"
     "-\x88"
     "\x11"
     "\x84"
     "@b\x98"
     "\x04"
     "\x94"
     "@Z\x80"
     "@c\x80"
     "@\xc5"
     "\x9c"
     "@Q\x9c"
     "@c\x90"
     "@M\x84"
     "\x1b"
     "\x80"
     "@\xb2"
     "\x80"
     "@a\x80"
     "\x16"
     "\x80"
     "?\x84"
     "9\x8c"
     "@y\x80"
     "@\x8d"
     "\x84"
     "*\x84"
     "\x0f"
     "\x84"
     "@\xae"
     "\x84"
     "\x10"
     "\x80"
     "@]\x84"
     "@s\x8c"
     "@\xd3"
     "\x84"
     "@\x80"
     "\x8c"
     "@\xc0"
     "\x84"
     "\x11"
     "\x80"
     "\x1a"
     "\x88"
     "3\x8c"
     "@~\x80"
     "@B\xa4"
     "3\x84"
     "\x04"
     "\x80"
     "@_\x80"
     "\r\x80"
     "\x0b"
     "\x80"
     "@C\x88"
     "@a\r\n"s,
     0},
    {{"PFMERGE"s, "m"s, "h"s, "h2"s}, "+OK\r\n"s, 0},
    {{"GET"s, "m"s}, ""s, 0xd8a5689347b39dc8ull},
    {{"PFCOUNT"s, "m"s}, ":202\r\n"s, 0},
    {{"PFMERGE"s, "m"s, "h3"s}, "+OK\r\n"s, 0},
    {{"PFDEBUG"s, "ENCODING"s, "m"s}, "+dense\r\n"s, 0},
    {{"PFCOUNT"s, "m"s}, ":3190\r\n"s, 0},
    {{"GET"s, "m"s}, ""s, 0x64049da924f56507ull},
    {{"PFMERGE"s, "m2"s}, "+OK\r\n"s, 0},
    {{"GET"s, "m2"s},
     "$18\r\nHYLL\x01"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x80"
     "\x7f"
     "\xff"
     "\r\n"s,
     0},
    {{"PFMERGE"s, "h"s, "h2"s}, "+OK\r\n"s, 0},
    {{"PFCOUNT"s, "h"s}, ":202\r\n"s, 0},
    {{"GET"s, "h"s}, ""s, 0x487f9f2133922e46ull},
    {{"PFDEBUG"s, "GETREG"s, "h"s}, ""s, 0x770c4c07ef510297ull},
    {{"PFDEBUG"s, "ENCODING"s, "h"s}, "+dense\r\n"s, 0},
    {{"GET"s, "h"s}, ""s, 0x99d3fd636336a010ull},
    {{"PFDEBUG"s, "TODENSE"s, "h"s}, ":0\r\n"s, 0},
    {{"PFDEBUG"s, "TODENSE"s, "h2"s}, ":1\r\n"s, 0},
    {{"PFDEBUG"s, "DECODE"s, "h2"s}, "-ERR HLL encoding is not sparse\r\n"s, 0},
    {{"PFDEBUG"s, "GETREG"s, "nokey"s}, "-ERR The specified key does not exist\r\n"s, 0},
    {{"PFDEBUG"s, "FOO"s, "h"s}, "-ERR Unknown PFDEBUG subcommand 'FOO'\r\n"s, 0},
    {{"PFDEBUG"s, "FOO"s, "nokey"s}, "-ERR The specified key does not exist\r\n"s, 0},
    {{"PFDEBUG"s, "decode"s, "h4"s}, ""s, 0x529ad696a4995b61ull},
    {{"SET"s, "str"s, "foo"s}, "+OK\r\n"s, 0},
    {{"PFADD"s, "str"s, "x"s}, "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n"s, 0},
    {{"PFCOUNT"s, "str"s}, "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n"s, 0},
    {{"PFCOUNT"s, "str"s, "h"s}, "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n"s, 0},
    {{"PFMERGE"s, "str"s}, "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n"s, 0},
    {{"PFMERGE"s, "m"s, "str"s}, "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n"s, 0},
    {{"PFDEBUG"s, "ENCODING"s, "str"s},
     "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n"s,
     0},
    {{"RPUSH"s, "l"s, "x"s}, ":1\r\n"s, 0},
    {{"PFADD"s, "l"s, "x"s},
     "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"s,
     0},
    {{"PFCOUNT"s, "l"s},
     "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"s,
     0},
    {{"PFCOUNT"s, "h"s, "l"s},
     "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"s,
     0},
    {{"PFMERGE"s, "l"s, "h"s},
     "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"s,
     0},
    {{"PFMERGE"s, "m"s, "l"s},
     "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"s,
     0},
    {{"PFDEBUG"s, "GETREG"s, "l"s},
     "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"s,
     0},
    {{"SET"s, "short"s,
      "HYLL\x01"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"s},
     "+OK\r\n"s,
     0},
    {{"PFADD"s, "short"s, "a"s}, "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n"s, 0},
    {{"SET"s, "badenc"s,
      "HYLL\x02"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x80"
      "\x7f"
      "\xff"s},
     "+OK\r\n"s,
     0},
    {{"PFCOUNT"s, "badenc"s}, "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n"s, 0},
    {{"SET"s, "densebad"s,
      "HYLL\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x80"
      "\x00"s},
     "+OK\r\n"s,
     0},
    {{"PFCOUNT"s, "densebad"s}, "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n"s, 0},
    {{"SET"s, "under"s,
      "HYLL\x01"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x80"
      "\x7f"
      "\xfe"s},
     "+OK\r\n"s,
     0},
    {{"PFCOUNT"s, "under"s}, "-INVALIDOBJ Corrupted HLL object detected\r\n"s, 0},
    {{"PFCOUNT"s, "under"s, "h"s}, "-INVALIDOBJ Corrupted HLL object detected\r\n"s, 0},
    {{"PFMERGE"s, "m"s, "under"s}, "-INVALIDOBJ Corrupted HLL object detected\r\n"s, 0},
    {{"PFADD"s, "under"s, "a"s}, ":1\r\n"s, 0},
    {{"PFDEBUG"s, "TODENSE"s, "under"s}, "-INVALIDOBJ Corrupted HLL object detected\r\n"s, 0},
    {{"SET"s, "over"s,
      "HYLL\x01"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x80"
      "\x7f"
      "\xff"
      "\x00"s},
     "+OK\r\n"s,
     0},
    {{"PFCOUNT"s, "over"s}, "-INVALIDOBJ Corrupted HLL object detected\r\n"s, 0},
    {{"PFCOUNT"s, "over"s, "h"s}, "-INVALIDOBJ Corrupted HLL object detected\r\n"s, 0},
    {{"PFDEBUG"s, "DECODE"s, "over"s}, "$11\r\nZ:16384 z:1\r\n"s, 0},
    {{"SET"s, "cut"s,
      "HYLL\x01"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x80"
      "\x7f"s},
     "+OK\r\n"s,
     0},
    {{"PFCOUNT"s, "cut"s}, "-INVALIDOBJ Corrupted HLL object detected\r\n"s, 0},
    {{"PFDEBUG"s, "DECODE"s, "cut"s}, "$7\r\nZ:16129\r\n"s, 0},
    {{"SET"s, "vals"s,
      "HYLL\x01"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x80"
      "\xfc"
      "\x7f"
      "\xfe"s},
     "+OK\r\n"s,
     0},
    {{"PFCOUNT"s, "vals"s}, ":1\r\n"s, 0},
    {{"PFADD"s, "vals"s, "a"s, "b"s}, ":1\r\n"s, 0},
    {{"GET"s, "vals"s},
     "$25\r\nHYLL\x01"
     "\x00"
     "\x00"
     "\x00"
     "\x01"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x80"
     "\xfc"
     "q\xa5"
     "\x84"
     "K\xfb"
     "\x80"
     "BZ\r\n"s,
     0},
    {{"SET"s, "cached"s,
      "HYLL\x01"
      "\x00"
      "\x00"
      "\x00"
      "\x07"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x7f"
      "\xff"s},
     "+OK\r\n"s,
     0},
    {{"PFCOUNT"s, "cached"s}, ":7\r\n"s, 0},
    {{"PFADD"s, "cached"s, "zz"s}, ":1\r\n"s, 0},
    {{"PFCOUNT"s, "cached"s}, ":1\r\n"s, 0},
    {{"GET"s, "cached"s},
     "$21\r\nHYLL\x01"
     "\x00"
     "\x00"
     "\x00"
     "\x01"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "J\xd9"
     "\x80"
     "u$\r\n"s,
     0},
    {{"CONFIG"s, "SET"s, "hll-sparse-max-bytes"s, "40"s}, "+OK\r\n"s, 0},
    {{"PFADD"s, "small"s, "@range:z:30"s}, ":1\r\n"s, 0},
    {{"PFDEBUG"s, "ENCODING"s, "small"s}, "+dense\r\n"s, 0},
    {{"GET"s, "small"s}, ""s, 0x72c5c15a6a643611ull},
    {{"PFCOUNT"s, "small"s}, ":30\r\n"s, 0},
    {{"CONFIG"s, "SET"s, "hll-sparse-max-bytes"s, "3000"s}, "+OK\r\n"s, 0},
};

class HyperLogLogTest : public testing::RecordedSessionTest {
 protected:
  Database& db() { return engine_->store().db(0); }
};

TEST_F(HyperLogLogTest, RecordedRedisSession) { replay(kSession); }

TEST_F(HyperLogLogTest, TableRowsMatchRedis) {
  struct Row {
    std::string_view name;
    int arity;
    std::vector<std::string_view> flags;
    int first, last;
  };
  // From tests/differential/reference/command_info.json (redis-server 7.0.15), where PFCOUNT's
  // may_replicate flag is hidden as Redis hides it.
  const Row rows[] = {
      {"pfadd", -2, {"write", "denyoom", "fast"}, 1, 1},
      {"pfcount", -2, {"readonly"}, 1, -1},
      {"pfmerge", -2, {"write", "denyoom"}, 1, -1},
      {"pfdebug", 3, {"write", "denyoom", "admin"}, 2, 2},
      {"pfselftest", 1, {"admin"}, 0, 0},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(row.name));
    const Command* cmd = engine_->commands().find(row.name);
    ASSERT_NE(cmd, nullptr);
    EXPECT_EQ(cmd->spec.arity, row.arity);
    EXPECT_EQ(flag_names(cmd->spec.flags), row.flags);
    EXPECT_EQ(cmd->spec.first_key, row.first);
    EXPECT_EQ(cmd->spec.last_key, row.last);
    EXPECT_EQ(cmd->spec.group, "hyperloglog");
  }
  EXPECT_TRUE(engine_->commands().find("pfcount")->has(kCmdMayReplicate));
}

// A value Redis made, stored with SET (as a RESTORE would), keeps working: counted, added to,
// merged.
TEST_F(HyperLogLogTest, ValuesFromRedisWork) {
  std::string sparse = hll::new_sparse();
  ASSERT_EQ(run({"SET", "h", sparse}), "+OK\r\n");
  EXPECT_EQ(run({"PFADD", "h", "a", "b", "c"}), integer(1));
  EXPECT_EQ(run({"PFCOUNT", "h"}), integer(3));
  EXPECT_EQ(run({"PFMERGE", "m", "h"}), "+OK\r\n");
  EXPECT_EQ(run({"PFCOUNT", "m", "h"}), integer(3));
}

// ---- Op side ---------------------------------------------------------------------------------

class HllOpsTest : public ::testing::Test {
 protected:
  HllOpsTest() : store_(1, clock_, 7) { store_.set_time(1'700'000'000'000); }
  Database& db() { return store_.db(0); }

  ManualClock clock_{1'700'000'000'000};
  Store store_;
};

TEST_F(HllOpsTest, StatusesInsteadOfReplies) {
  const std::string_view elements[] = {"a", "b", "c"};
  EXPECT_TRUE(*op_pfadd(db(), "h", elements, 3000));
  EXPECT_FALSE(*op_pfadd(db(), "h", elements, 3000));
  const std::string_view one[] = {"h"};
  EXPECT_EQ(*op_pfcount(db(), one), 3u);
  db().set("s", Value("plain"));
  const std::string_view with_plain[] = {"h", "s"};
  EXPECT_EQ(op_pfcount(db(), with_plain).status(), OpStatus::kNotHll);
  EXPECT_EQ(op_pfadd(db(), "s", elements, 3000).status(), OpStatus::kNotHll);
  db().set("l", Value::new_list());
  EXPECT_EQ(op_pfadd(db(), "l", elements, 3000).status(), OpStatus::kWrongType);
  EXPECT_EQ(op_pfmerge(db(), "m", one, 3000), OpStatus::kOk);
  EXPECT_EQ(op_pfmerge(db(), "m", with_plain, 3000), OpStatus::kNotHll);
  EXPECT_EQ(op_status_error(OpStatus::kNotHll),
            "WRONGTYPE Key is not a valid HyperLogLog string value.");
  EXPECT_EQ(op_status_error(OpStatus::kHllCorrupt), "INVALIDOBJ Corrupted HLL object detected");
}

TEST_F(HllOpsTest, SparseAndDenseAgree) {
  // The same elements through a sparse value (promoted late) and one made dense at once give the
  // same registers and the same estimate.
  Value sparse(hll::new_sparse());
  Value dense(hll::new_sparse());
  ASSERT_TRUE(hll::to_dense(dense));
  for (int i = 0; i < 2000; ++i) {
    const std::string e = "e" + std::to_string(i);
    ASSERT_GE(hll::add(sparse, e, 1 << 20), 0);
    ASSERT_GE(hll::add(dense, e, 1 << 20), 0);
  }
  EXPECT_EQ(hll::encoding(sparse.str()), hll::kSparse);
  EXPECT_EQ(hll::count(sparse.str()), hll::count(dense.str()));
  uint8_t a[hll::kRegisters] = {}, b[hll::kRegisters] = {};
  ASSERT_TRUE(hll::merge_into(a, sparse.str()));
  ASSERT_TRUE(hll::merge_into(b, dense.str()));
  EXPECT_EQ(std::string_view(reinterpret_cast<char*>(a), sizeof(a)),
            std::string_view(reinterpret_cast<char*>(b), sizeof(b)));
  ASSERT_TRUE(hll::to_dense(sparse));
  EXPECT_EQ(sparse.str().substr(hll::kHeaderSize), dense.str().substr(hll::kHeaderSize));
}

TEST_F(HllOpsTest, DenseRegistersKeepTheirNeighbours) {
  std::string body(hll::kDenseSize - hll::kHeaderSize, '\0');
  auto* r = reinterpret_cast<uint8_t*>(body.data());
  for (uint32_t i = 0; i < hll::kRegisters; ++i) hll::dense_set(r, i, static_cast<uint8_t>(i % 64));
  for (uint32_t i = 0; i < hll::kRegisters; ++i) ASSERT_EQ(hll::dense_get(r, i), i % 64) << i;
}

}  // namespace
}  // namespace basalt
