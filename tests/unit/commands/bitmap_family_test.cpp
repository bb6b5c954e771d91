// The bitmap family against Redis 7.0.15: a session of commands whose replies were recorded from
// a real redis-server (tools/record_redis_replies.py tests/unit/commands/bitmap_cases.py), the
// command table rows, which commands signal a modification, offset bounds, and the Op side.

#include "commands/bitmap_family.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "commands/error_texts.hpp"
#include "store/clock.hpp"
#include "store/database.hpp"
#include "store/entry.hpp"
#include "store/store.hpp"
#include "unit/commands/engine_fixture.hpp"
#include "unit/commands/recorded_session.hpp"

namespace basalt {
namespace {

using namespace std::string_literals;
using testing::err;
using testing::Exchange;
using testing::integer;

// Recorded from redis-server 7.0.15, in order, on an empty database.
const Exchange kSession[] = {
    {{"SETBIT"s, "b"s, "7"s, "1"s}, ":0\r\n"s, 0},
    {{"SETBIT"s, "b"s, "7"s, "1"s}, ":1\r\n"s, 0},
    {{"SETBIT"s, "b"s, "7"s, "0"s}, ":1\r\n"s, 0},
    {{"SETBIT"s, "b"s, "100"s, "1"s}, ":0\r\n"s, 0},
    {{"GET"s, "b"s},
     "$13\r\n\x00"
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
     "\x00"
     "\x08"
     "\r\n"s,
     0},
    {{"GETBIT"s, "b"s, "100"s}, ":1\r\n"s, 0},
    {{"GETBIT"s, "b"s, "99"s}, ":0\r\n"s, 0},
    {{"GETBIT"s, "b"s, "100000"s}, ":0\r\n"s, 0},
    {{"GETBIT"s, "nokey"s, "3"s}, ":0\r\n"s, 0},
    {{"SETBIT"s, "b"s, "-1"s, "1"s}, "-ERR bit offset is not an integer or out of range\r\n"s, 0},
    {{"SETBIT"s, "b"s, "4294967296"s, "1"s},
     "-ERR bit offset is not an integer or out of range\r\n"s,
     0},
    {{"SETBIT"s, "b"s, "abc"s, "1"s}, "-ERR bit offset is not an integer or out of range\r\n"s, 0},
    {{"SETBIT"s, "b"s, "1"s, "2"s}, "-ERR bit is not an integer or out of range\r\n"s, 0},
    {{"SETBIT"s, "b"s, "1"s, "-1"s}, "-ERR bit is not an integer or out of range\r\n"s, 0},
    {{"SETBIT"s, "b"s, "1"s, "x"s}, "-ERR bit is not an integer or out of range\r\n"s, 0},
    {{"GETBIT"s, "b"s, "4294967296"s}, "-ERR bit offset is not an integer or out of range\r\n"s, 0},
    {{"GETBIT"s, "b"s, "-1"s}, "-ERR bit offset is not an integer or out of range\r\n"s, 0},
    {{"SETBIT"s, "b"s, "01"s, "1"s}, "-ERR bit offset is not an integer or out of range\r\n"s, 0},
    {{"SETBIT"s, "b"s, "+1"s, "1"s}, "-ERR bit offset is not an integer or out of range\r\n"s, 0},
    {{"RPUSH"s, "l"s, "x"s}, ":1\r\n"s, 0},
    {{"SETBIT"s, "l"s, "1"s, "1"s},
     "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"s,
     0},
    {{"GETBIT"s, "l"s, "1"s},
     "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"s,
     0},
    {{"BITCOUNT"s, "l"s},
     "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"s,
     0},
    {{"BITPOS"s, "l"s, "1"s},
     "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"s,
     0},
    {{"SETBIT"s, "l"s, "x"s, "1"s}, "-ERR bit offset is not an integer or out of range\r\n"s, 0},
    {{"GETBIT"s, "l"s, "x"s}, "-ERR bit offset is not an integer or out of range\r\n"s, 0},
    {{"SET"s, "s"s, "foobar"s}, "+OK\r\n"s, 0},
    {{"BITCOUNT"s, "s"s}, ":26\r\n"s, 0},
    {{"BITCOUNT"s, "s"s, "0"s, "0"s}, ":4\r\n"s, 0},
    {{"BITCOUNT"s, "s"s, "1"s, "1"s}, ":6\r\n"s, 0},
    {{"BITCOUNT"s, "s"s, "1"s, "1"s, "BYTE"s}, ":6\r\n"s, 0},
    {{"BITCOUNT"s, "s"s, "5"s, "30"s, "BIT"s}, ":17\r\n"s, 0},
    {{"BITCOUNT"s, "s"s, "-3"s, "-1"s}, ":10\r\n"s, 0},
    {{"BITCOUNT"s, "s"s, "-1"s, "-3"s}, ":0\r\n"s, 0},
    {{"BITCOUNT"s, "s"s, "-1"s, "-3"s, "foo"s}, ":0\r\n"s, 0},
    {{"BITCOUNT"s, "s"s, "0"s}, "-ERR syntax error\r\n"s, 0},
    {{"BITCOUNT"s, "s"s, "0"s, "1"s, "2"s, "3"s}, "-ERR syntax error\r\n"s, 0},
    {{"BITCOUNT"s, "s"s, "a"s, "1"s}, "-ERR value is not an integer or out of range\r\n"s, 0},
    {{"BITCOUNT"s, "s"s, "1"s, "a"s}, "-ERR value is not an integer or out of range\r\n"s, 0},
    {{"BITCOUNT"s, "s"s, "0"s, "-1"s, "bit"s}, ":26\r\n"s, 0},
    {{"BITCOUNT"s, "s"s, "0"s, "1"s, "foo"s}, "-ERR syntax error\r\n"s, 0},
    {{"BITCOUNT"s, "s"s, "-100"s, "100"s}, ":26\r\n"s, 0},
    {{"BITCOUNT"s, "s"s, "3"s, "1"s}, ":0\r\n"s, 0},
    {{"BITCOUNT"s, "s"s, "7"s, "7"s, "BIT"s}, ":0\r\n"s, 0},
    {{"BITCOUNT"s, "s"s, "0"s, "46"s, "BIT"s}, ":26\r\n"s, 0},
    {{"BITCOUNT"s, "nokey"s, "a"s, "b"s, "c"s, "d"s}, ":0\r\n"s, 0},
    {{"BITCOUNT"s, "s"s, "100"s, "200"s}, ":0\r\n"s, 0},
    {{"SET"s, "p"s,
      "\xff"
      "\xf0"
      "\x00"s},
     "+OK\r\n"s,
     0},
    {{"BITPOS"s, "p"s, "0"s}, ":12\r\n"s, 0},
    {{"BITPOS"s, "p"s, "1"s}, ":0\r\n"s, 0},
    {{"BITPOS"s, "p"s, "1"s, "2"s}, ":-1\r\n"s, 0},
    {{"BITPOS"s, "p"s, "0"s, "0"s, "0"s}, ":-1\r\n"s, 0},
    {{"BITPOS"s, "p"s, "0"s, "1"s}, ":12\r\n"s, 0},
    {{"BITPOS"s, "p"s, "1"s, "2"s, "-1"s, "BYTE"s}, ":-1\r\n"s, 0},
    {{"BITPOS"s, "p"s, "0"s, "7"s, "15"s, "BIT"s}, ":12\r\n"s, 0},
    {{"BITPOS"s, "p"s, "1"s, "7"s, "15"s, "BIT"s}, ":7\r\n"s, 0},
    {{"BITPOS"s, "p"s, "0"s, "0"s, "11"s, "BIT"s}, ":-1\r\n"s, 0},
    {{"BITPOS"s, "p"s, "1"s, "12"s, "23"s, "bit"s}, ":-1\r\n"s, 0},
    {{"BITPOS"s, "p"s, "0"s, "12"s, "-1"s, "BIT"s}, ":12\r\n"s, 0},
    {{"BITPOS"s, "p"s, "2"s}, "-ERR The bit argument must be 1 or 0.\r\n"s, 0},
    {{"BITPOS"s, "p"s, "x"s}, "-ERR value is not an integer or out of range\r\n"s, 0},
    {{"BITPOS"s, "nokey"s, "1"s}, ":-1\r\n"s, 0},
    {{"BITPOS"s, "nokey"s, "0"s}, ":0\r\n"s, 0},
    {{"BITPOS"s, "nokey"s, "0"s, "x"s}, ":0\r\n"s, 0},
    {{"BITPOS"s, "p"s, "0"s, "x"s}, "-ERR value is not an integer or out of range\r\n"s, 0},
    {{"BITPOS"s, "p"s, "0"s, "0"s, "x"s}, "-ERR value is not an integer or out of range\r\n"s, 0},
    {{"BITPOS"s, "p"s, "0"s, "0"s, "1"s, "x"s}, "-ERR syntax error\r\n"s, 0},
    {{"BITPOS"s, "p"s, "0"s, "0"s, "1"s, "BIT"s, "x"s}, "-ERR syntax error\r\n"s, 0},
    {{"SET"s, "ones"s,
      "\xff"
      "\xff"s},
     "+OK\r\n"s,
     0},
    {{"BITPOS"s, "ones"s, "0"s}, ":16\r\n"s, 0},
    {{"BITPOS"s, "ones"s, "0"s, "0"s}, ":16\r\n"s, 0},
    {{"BITPOS"s, "ones"s, "0"s, "0"s, "-1"s}, ":-1\r\n"s, 0},
    {{"BITPOS"s, "ones"s, "0"s, "3"s, "BIT"s},
     "-ERR value is not an integer or out of range\r\n"s,
     0},
    {{"BITPOS"s, "ones"s, "0"s, "3"s, "-1"s, "BIT"s}, ":-1\r\n"s, 0},
    {{"BITPOS"s, "ones"s, "1"s, "-1"s}, ":8\r\n"s, 0},
    {{"BITPOS"s, "ones"s, "0"s, "5"s, "2"s}, ":-1\r\n"s, 0},
    {{"SET"s, "empty"s, ""s}, "+OK\r\n"s, 0},
    {{"BITPOS"s, "empty"s, "0"s}, ":-1\r\n"s, 0},
    {{"BITPOS"s, "empty"s, "1"s}, ":-1\r\n"s, 0},
    {{"BITPOS"s, "empty"s, "0"s, "0"s, "-1"s, "BIT"s}, ":-1\r\n"s, 0},
    {{"BITCOUNT"s, "empty"s}, ":0\r\n"s, 0},
    {{"SET"s, "z"s,
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
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x00"
      "\x01"s},
     "+OK\r\n"s,
     0},
    {{"BITPOS"s, "z"s, "1"s}, ":159\r\n"s, 0},
    {{"BITPOS"s, "z"s, "0"s}, ":0\r\n"s, 0},
    {{"BITPOS"s, "z"s, "1"s, "3"s}, ":159\r\n"s, 0},
    {{"BITOP"s, "AND"s, "dst"s, "s"s, "p"s}, ":6\r\n"s, 0},
    {{"GET"s, "dst"s},
     "$6\r\nf`\x00"
     "\x00"
     "\x00"
     "\x00"
     "\r\n"s,
     0},
    {{"BITOP"s, "or"s, "dst"s, "s"s, "p"s}, ":6\r\n"s, 0},
    {{"GET"s, "dst"s},
     "$6\r\n\xff"
     "\xff"
     "obar\r\n"s,
     0},
    {{"BITOP"s, "XOR"s, "dst"s, "s"s, "p"s, "ones"s}, ":6\r\n"s, 0},
    {{"GET"s, "dst"s}, "$6\r\nf`obar\r\n"s, 0},
    {{"BITOP"s, "NOT"s, "dst"s, "p"s}, ":3\r\n"s, 0},
    {{"GET"s, "dst"s},
     "$3\r\n\x00"
     "\x0f"
     "\xff"
     "\r\n"s,
     0},
    {{"BITOP"s, "NOT"s, "dst"s, "p"s, "s"s},
     "-ERR BITOP NOT must be called with a single source key.\r\n"s,
     0},
    {{"BITOP"s, "NAND"s, "dst"s, "p"s}, "-ERR syntax error\r\n"s, 0},
    {{"BITOP"s, "AND"s, "dst"s, "l"s},
     "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"s,
     0},
    {{"BITOP"s, "AND"s, "dst"s, "s"s, "nokey"s}, ":6\r\n"s, 0},
    {{"GET"s, "dst"s},
     "$6\r\n\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\r\n"s,
     0},
    {{"BITOP"s, "OR"s, "dst"s, "nokey"s, "nokey2"s}, ":0\r\n"s, 0},
    {{"EXISTS"s, "dst"s}, ":0\r\n"s, 0},
    {{"BITOP"s, "OR"s, "l"s, "nokey"s}, ":0\r\n"s, 0},
    {{"EXISTS"s, "l"s}, ":0\r\n"s, 0},
    {{"SET"s, "big"s, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"s}, "+OK\r\n"s, 0},
    {{"BITOP"s, "AND"s, "dst"s, "big"s, "big"s, "s"s}, ":52\r\n"s, 0},
    {{"GET"s, "dst"s},
     "$52\r\n !\"\" 0\x00"
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
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\r\n"s,
     0},
    {{"BITOP"s, "XOR"s, "dst"s, "big"s, "s"s}, ":52\r\n"s, 0},
    {{"GET"s, "dst"s}, "$52\r\nV^]QUG6789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP\r\n"s, 0},
    {{"BITOP"s, "OR"s, "big"s, "big"s, "ones"s}, ":52\r\n"s, 0},
    {{"GET"s, "big"s},
     "$52\r\n\xff"
     "\xff"
     "23456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP\r\n"s,
     0},
    {{"BITFIELD"s, "bf"s,     "SET"s, "i8"s,  "0"s,  "100"s,      "GET"s, "u4"s,
      "0"s,        "INCRBY"s, "u2"s,  "100"s, "1"s,  "OVERFLOW"s, "SAT"s, "INCRBY"s,
      "i8"s,       "0"s,      "100"s, "GET"s, "i8"s, "0"s},
     "*5\r\n:0\r\n:6\r\n:1\r\n:127\r\n:127\r\n"s,
     0},
    {{"GET"s, "bf"s},
     "$13\r\n\x7f"
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
     "\x00"
     "\x04"
     "\r\n"s,
     0},
    {{"BITFIELD"s, "bf"s, "OVERFLOW"s, "FAIL"s, "INCRBY"s, "i8"s, "0"s, "100"s, "INCRBY"s, "u8"s,
      "#1"s, "300"s, "GET"s, "u8"s, "#1"s},
     "*3\r\n$-1\r\n$-1\r\n:0\r\n"s,
     0},
    {{"BITFIELD"s, "bf"s, "OVERFLOW"s, "WRAP"s,   "INCRBY"s, "i8"s,  "0"s,   "100"s, "INCRBY"s,
      "u8"s,       "#1"s, "300"s,      "INCRBY"s, "u63"s,    "8"s,   "-1"s,  "SET"s, "i64"s,
      "0"s,        "-1"s, "GET"s,      "i64"s,    "0"s,      "GET"s, "u63"s, "1"s},
     "*6\r\n:-29\r\n:44\r\n:1585267068834414591\r\n:-2077285328124641281\r\n:-1\r\n:9223372036854775807\r\n"s,
     0},
    {{"BITFIELD"s, "bf"s,       "SET"s,
      "u8"s,       "#2"s,       "-1"s,
      "SET"s,      "i5"s,       "#3"s,
      "100"s,      "OVERFLOW"s, "SAT"s,
      "SET"s,      "i5"s,       "#3"s,
      "100"s,      "SET"s,      "u3"s,
      "#10"s,      "-5"s,       "GET"s,
      "u3"s,       "#10"s,      "INCRBY"s,
      "i64"s,      "0"s,        "-9223372036854775808"s,
      "INCRBY"s,   "i64"s,      "0"s,
      "-1"s},
     "*7\r\n:255\r\n:-1\r\n:4\r\n:7\r\n:7\r\n:-9223372036854775808\r\n:-9223372036854775808\r\n"s,
     0},
    {{"GET"s, "bf"s},
     "$13\r\n\x80"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\x00"
     "\xfe"
     "\x00"
     "\x00"
     "\x00"
     "\x04"
     "\r\n"s,
     0},
    {{"BITFIELD"s, "bf"s}, "*0\r\n"s, 0},
    {{"BITFIELD"s, "nokey2"s, "GET"s, "u8"s, "0"s}, "*1\r\n:0\r\n"s, 0},
    {{"EXISTS"s, "nokey2"s}, ":0\r\n"s, 0},
    {{"BITFIELD"s, "bf"s, "GET"s, "u64"s, "0"s},
     "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"s,
     0},
    {{"BITFIELD"s, "bf"s, "GET"s, "i65"s, "0"s},
     "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"s,
     0},
    {{"BITFIELD"s, "bf"s, "GET"s, "i0"s, "0"s},
     "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"s,
     0},
    {{"BITFIELD"s, "bf"s, "GET"s, "x8"s, "0"s},
     "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"s,
     0},
    {{"BITFIELD"s, "bf"s, "GET"s, "I8"s, "0"s},
     "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"s,
     0},
    {{"BITFIELD"s, "bf"s, "GET"s, "i8"s, "-1"s},
     "-ERR bit offset is not an integer or out of range\r\n"s,
     0},
    {{"BITFIELD"s, "bf"s, "GET"s, "i8"s, "#-1"s},
     "-ERR bit offset is not an integer or out of range\r\n"s,
     0},
    {{"BITFIELD"s, "bf"s, "GET"s, "i8"s}, "-ERR syntax error\r\n"s, 0},
    {{"BITFIELD"s, "bf"s, "FOO"s}, "-ERR syntax error\r\n"s, 0},
    {{"BITFIELD"s, "bf"s, "OVERFLOW"s, "NOPE"s}, "-ERR Invalid OVERFLOW type specified\r\n"s, 0},
    {{"BITFIELD"s, "bf"s, "OVERFLOW"s}, "-ERR syntax error\r\n"s, 0},
    {{"BITFIELD"s, "bf"s, "SET"s, "i8"s, "0"s, "x"s},
     "-ERR value is not an integer or out of range\r\n"s,
     0},
    {{"BITFIELD"s, "bf"s, "SET"s, "i8"s, "0"s}, "-ERR syntax error\r\n"s, 0},
    {{"BITFIELD"s, "bf"s, "GET"s, "i8"s, "4294967296"s},
     "-ERR bit offset is not an integer or out of range\r\n"s,
     0},
    {{"BITFIELD"s, "bf"s, "GET"s, "i8"s, "4294967288"s}, "*1\r\n:0\r\n"s, 0},
    {{"BITFIELD"s, "bf"s, "GET"s, "u8"s, "#536870911"s}, "*1\r\n:0\r\n"s, 0},
    {{"BITFIELD"s, "bf"s, "GET"s, "u8"s, "#536870912"s},
     "-ERR bit offset is not an integer or out of range\r\n"s,
     0},
    {{"BITFIELD"s, "bf"s, "GET"s, "i8"s, "#9223372036854775807"s},
     "-ERR bit offset is not an integer or out of range\r\n"s,
     0},
    {{"BITFIELD"s, "l"s, "GET"s, "i8"s, "0"s}, "*1\r\n:0\r\n"s, 0},
    {{"BITFIELD_RO"s, "l"s, "GET"s, "i8"s, "0"s}, "*1\r\n:0\r\n"s, 0},
    {{"BITFIELD_RO"s, "bf"s, "GET"s, "i8"s, "0"s, "GET"s, "u4"s, "#3"s},
     "*2\r\n:-128\r\n:0\r\n"s,
     0},
    {{"BITFIELD_RO"s, "bf"s, "SET"s, "i8"s, "0"s, "1"s},
     "-ERR BITFIELD_RO only supports the GET subcommand\r\n"s,
     0},
    {{"BITFIELD_RO"s, "bf"s, "INCRBY"s, "i8"s, "0"s, "1"s},
     "-ERR BITFIELD_RO only supports the GET subcommand\r\n"s,
     0},
    {{"BITFIELD_RO"s, "bf"s, "OVERFLOW"s, "SAT"s}, "*0\r\n"s, 0},
    {{"BITFIELD_RO"s, "bf"s, "GET"s, "i8"s, "x"s},
     "-ERR bit offset is not an integer or out of range\r\n"s,
     0},
    {{"BITFIELD"s, "fail"s, "OVERFLOW"s, "FAIL"s, "SET"s, "u2"s, "0"s, "5"s}, "*1\r\n$-1\r\n"s, 0},
    {{"EXISTS"s, "fail"s}, ":1\r\n"s, 0},
    {{"GET"s, "fail"s},
     "$1\r\n\x00"
     "\r\n"s,
     0},
    {{"BITFIELD"s, "e"s, "SET"s, "u8"s, "#3"s, "255"s, "GET"s, "u16"s, "#1"s, "GET"s, "i12"s,
      "20"s},
     "*3\r\n:0\r\n:255\r\n:255\r\n"s,
     0},
    {{"GET"s, "e"s},
     "$4\r\n\x00"
     "\x00"
     "\x00"
     "\xff"
     "\r\n"s,
     0},
    {{"STRLEN"s, "e"s}, ":4\r\n"s, 0},
    {{"SET"s, "num"s, "12345"s}, "+OK\r\n"s, 0},
    {{"GETBIT"s, "num"s, "2"s}, ":1\r\n"s, 0},
    {{"BITCOUNT"s, "num"s}, ":17\r\n"s, 0},
    {{"SETBIT"s, "num"s, "0"s, "1"s}, ":0\r\n"s, 0},
    {{"GET"s, "num"s},
     "$5\r\n\xb1"
     "2345\r\n"s,
     0},
    {{"SET"s, "ttl"s, "x"s, "EX"s, "100"s}, "+OK\r\n"s, 0},
    {{"SETBIT"s, "ttl"s, "0"s, "1"s}, ":0\r\n"s, 0},
    {{"TTL"s, "ttl"s}, ":100\r\n"s, 0},
    {{"BITOP"s, "NOT"s, "ttl"s, "ttl"s}, ":1\r\n"s, 0},
    {{"TTL"s, "ttl"s}, ":-1\r\n"s, 0},
};

class BitmapsTest : public testing::RecordedSessionTest {
 protected:
  // Whether running argv signals `key` as modified, as a client WATCHing it would see.
  bool signals(std::string_view key, std::vector<std::string_view> argv) {
    Session& watcher = *client(1).session;
    engine_->unwatch_all(watcher);
    engine_->watch(watcher, key);
    run(argv);
    bool dirty = watcher.watch_dirty;
    engine_->unwatch_all(watcher);
    return dirty;
  }
};

TEST_F(BitmapsTest, RecordedRedisSession) { replay(kSession); }

TEST_F(BitmapsTest, TableRowsMatchRedis) {
  struct Row {
    std::string_view name;
    int arity;
    std::vector<std::string_view> flags;
    int first, last;
  };
  // From tests/differential/reference/command_info.json (redis-server 7.0.15).
  const Row rows[] = {
      {"setbit", 4, {"write", "denyoom"}, 1, 1},
      {"getbit", 3, {"readonly", "fast"}, 1, 1},
      {"bitcount", -2, {"readonly"}, 1, 1},
      {"bitpos", -3, {"readonly"}, 1, 1},
      {"bitop", -4, {"write", "denyoom"}, 2, -1},
      {"bitfield", -2, {"write", "denyoom"}, 1, 1},
      {"bitfield_ro", -2, {"readonly", "fast"}, 1, 1},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(row.name));
    const Command* cmd = engine_->commands().find(row.name);
    ASSERT_NE(cmd, nullptr);
    EXPECT_EQ(cmd->spec.arity, row.arity);
    EXPECT_EQ(flag_names(cmd->spec.flags), row.flags);
    EXPECT_EQ(cmd->spec.first_key, row.first);
    EXPECT_EQ(cmd->spec.last_key, row.last);
    EXPECT_EQ(cmd->spec.group, "bitmap");
  }
}

TEST_F(BitmapsTest, OnlyRealChangesSignal) {
  EXPECT_TRUE(signals("k", {"SETBIT", "k", "3", "1"}));
  EXPECT_FALSE(signals("k", {"SETBIT", "k", "3", "1"}));  // same bit, same length
  EXPECT_TRUE(signals("k", {"SETBIT", "k", "30", "0"}));  // grows
  EXPECT_FALSE(signals("k", {"BITFIELD", "k", "SET", "u4", "0", "1"}));
  EXPECT_TRUE(signals("k", {"BITFIELD", "k", "SET", "u4", "0", "2"}));
  EXPECT_FALSE(signals("k", {"BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u4", "0", "99"}));
  EXPECT_FALSE(signals("k", {"BITCOUNT", "k"}));
  EXPECT_FALSE(signals("d", {"BITOP", "OR", "d", "none"}));  // nothing to delete
  EXPECT_TRUE(signals("d", {"BITOP", "OR", "d", "k"}));
  EXPECT_TRUE(signals("d", {"BITOP", "OR", "d", "none"}));  // deleted
}

TEST_F(BitmapsTest, OffsetsAreBoundedByProtoMaxBulkLen) {
  ASSERT_EQ(run({"CONFIG", "SET", "proto-max-bulk-len", "1mb"}), "+OK\r\n");
  const std::string kOffset = err(err::kBitOffset);
  EXPECT_EQ(run({"SETBIT", "k", "8388608", "1"}), kOffset);
  EXPECT_EQ(run({"BITFIELD", "k", "SET", "u8", "#1048576", "1"}), kOffset);
  EXPECT_EQ(db().find("k"), nullptr);  // nothing was allocated
  EXPECT_EQ(run({"SETBIT", "k", "8388607", "1"}), integer(0));
  EXPECT_EQ(run({"STRLEN", "k"}), integer(1 << 20));
  // A field starting at the last allowed byte may reach past it, as in Redis.
  EXPECT_EQ(run({"BITFIELD", "b", "SET", "i64", "8388607", "-1"}), "*1\r\n:0\r\n");
  EXPECT_EQ(run({"STRLEN", "b"}), integer((1 << 20) + 8));
  EXPECT_EQ(run({"BITCOUNT", "k"}), integer(1));
  EXPECT_EQ(run({"BITPOS", "k", "1"}), integer(8388607));
}

// ---- Op side ---------------------------------------------------------------------------------

class BitmapOpsTest : public ::testing::Test {
 protected:
  BitmapOpsTest() : store_(1, clock_, 7) { store_.set_time(1'700'000'000'000); }
  Database& db() { return store_.db(0); }
  void set(std::string_view key, std::string_view value) { db().set(key, Value(value)); }

  ManualClock clock_{1'700'000'000'000};
  Store store_;
};

// Bit by bit, the slow and obvious way, to check the word-at-a-time functions against.
int64_t naive_count(std::string_view s, uint64_t first, uint64_t last) {
  int64_t n = 0;
  for (uint64_t b = first; b <= last; ++b) n += (static_cast<uint8_t>(s[b / 8]) >> (7 - b % 8)) & 1;
  return n;
}
int64_t naive_pos(std::string_view s, int bit, uint64_t first, uint64_t last) {
  for (uint64_t b = first; b <= last; ++b) {
    if (((static_cast<uint8_t>(s[b / 8]) >> (7 - b % 8)) & 1) == bit)
      return static_cast<int64_t>(b);
  }
  return -1;
}

TEST_F(BitmapOpsTest, WordAtATimeMatchesBitByBit) {
  std::string s;
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < 203; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    // Long runs of zeros and ones, so the word skips are exercised.
    s.push_back(static_cast<char>(i % 40 < 20 ? 0 : (i % 40 < 30 ? 0xff : x & 0xff)));
  }
  const int64_t bits = static_cast<int64_t>(s.size()) * 8;
  for (int64_t start = 0; start < bits; start += 37) {
    for (int64_t end = start; end < bits; end += 53) {
      const auto f = static_cast<uint64_t>(start), l = static_cast<uint64_t>(end);
      ASSERT_EQ(bitmap_count(s, start, end, BitUnit::kBit), naive_count(s, f, l));
      ASSERT_EQ(bitmap_pos(s, 1, start, end, BitUnit::kBit), naive_pos(s, 1, f, l));
      ASSERT_EQ(bitmap_pos(s, 0, start, end, BitUnit::kBit), naive_pos(s, 0, f, l));
    }
  }
  EXPECT_EQ(static_cast<int64_t>(popcount_bytes(s)), naive_count(s, 0, bits - 1));
}

TEST_F(BitmapOpsTest, OpsReportStatuses) {
  EXPECT_EQ(*op_setbit(db(), "k", 9, true), 0);
  EXPECT_EQ(*op_getbit(db(), "k", 9), 1);
  EXPECT_EQ(*op_getbit(db(), "k", 1000), 0);
  EXPECT_EQ(*op_bitcount(db(), "k", std::nullopt), 1);
  EXPECT_EQ(*op_bitcount(db(), "k", BitRange{1, 1, BitUnit::kByte}), 1);
  db().set("l", Value::new_list());
  EXPECT_EQ(op_setbit(db(), "l", 1, true).status(), OpStatus::kWrongType);
  EXPECT_EQ(op_getbit(db(), "l", 1).status(), OpStatus::kWrongType);
  const std::string_view srcs[] = {"k", "l"};
  EXPECT_EQ(op_bitop(db(), BitOp::kOr, "d", srcs).status(), OpStatus::kWrongType);
  EXPECT_EQ(db().find("d"), nullptr);
  set("a", "\x0f\xf0");
  const std::string_view one[] = {"a"};
  EXPECT_EQ(*op_bitop(db(), BitOp::kNot, "a", one), 2u);  // the destination may be a source
  EXPECT_EQ(db().find("a")->value.str(), "\xf0\x0f");
  BitfieldOp get;
  get.bits = 8;
  get.is_signed = true;
  BitfieldOp incr = get;
  incr.opcode = BitfieldOpcode::kIncrBy;
  incr.value = 200;
  incr.overflow = BitfieldOverflow::kFail;
  const BitfieldOp ops[] = {get, incr};
  auto r = op_bitfield(db(), "a", ops);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)[0], -16);
  EXPECT_EQ((*r)[1], std::nullopt);
  EXPECT_EQ(op_bitfield(db(), "l", ops).status(), OpStatus::kWrongType);
}

TEST_F(BitmapOpsTest, OverflowArithmeticAtTheEdges) {
  int64_t s = 0;
  EXPECT_EQ(bitfield_signed_overflow(INT64_MAX, 1, 64, BitfieldOverflow::kWrap, &s), 1);
  EXPECT_EQ(s, INT64_MIN);
  EXPECT_EQ(bitfield_signed_overflow(INT64_MIN, -1, 64, BitfieldOverflow::kSat, &s), -1);
  EXPECT_EQ(s, INT64_MIN);
  EXPECT_EQ(bitfield_signed_overflow(-8, -1, 4, BitfieldOverflow::kWrap, &s), -1);
  EXPECT_EQ(s, 7);
  uint64_t u = 0;
  EXPECT_EQ(bitfield_unsigned_overflow(0, -1, 63, BitfieldOverflow::kWrap, &u), -1);
  EXPECT_EQ(u, (uint64_t{1} << 63) - 1);
  EXPECT_EQ(bitfield_unsigned_overflow(250, 10, 8, BitfieldOverflow::kSat, &u), 1);
  EXPECT_EQ(u, 255u);
  EXPECT_EQ(bitfield_unsigned_overflow(250, 5, 8, BitfieldOverflow::kSat, &u), 0);
}

}  // namespace
}  // namespace basalt
