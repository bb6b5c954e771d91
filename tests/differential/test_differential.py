"""Differential tests: the same commands go to basalt-server and to a real redis-server, and the
replies must be equal byte for byte, in RESP2 and in RESP3.

Two sources of commands:
  * SCRIPTS: hand-written sessions per command family, aimed at edge cases and error texts.
  * a seeded random generator (RandomSession) over a small keyspace, so keys collide, change type,
    expire and get re-created; the seed is printed and BASALT_DIFF_SEED replays a run.

Replies that legitimately differ between two servers are not compared; each is listed in
NOT_COMPARED with the reason. Everything else is compared exactly.
"""

import glob
import importlib.util
import os
import random
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import basalt_harness as h  # noqa: E402

# Commands whose replies depend on the server's identity, its clock, its hash order or its
# connection ids, never on the data: compared by the unit and integration tests instead.
NOT_COMPARED = {
    "info": "server identity, uptime, memory figures",
    "time": "the clock",
    "randomkey": "hash-table order",
    "keys": "hash-table order (compared sorted, see sorted_reply)",
    "scan": "cursor values and hash order (the SCAN guarantee is tested in generic_family_test)",
    "client": "ids, addresses, ages (and SETINFO is Redis 7.2, newer than the reference 7.0)",
    "pttl": "milliseconds elapse between the two servers' calls",
    "pexpiretime": "absolute times are set from each server's clock",
    "expiretime": "absolute times are set from each server's clock",
    "lastsave": "the clock",
    "debug": "redis-server refuses DEBUG unless enable-debug-command is set",
    "config": "parameters differ (Basalt's own set)",
    "command": "containers list only the subcommands Basalt implements (see server_family_test)",
}

# Compared in the scripts but left out of the random sessions, whose keys expire at arbitrary times:
#   DBSIZE: Redis counts an expired key until its lazy or active expiry reclaims it, which depends
#   on when its expiry cycle happened to run.
# TTL is compared: the two servers get each command about 0.1 ms apart, so a TTL rounds differently
# only if a half-second boundary falls inside that gap (about one query in 10,000 on an old key).
# TTL values are drawn at random for the same reason (see RandomSession.ttl_s).

SLEEP = "__sleep__"  # a script step that waits instead of sending a command

# Sessions: each is a list of commands sent on one connection after FLUSHALL. Replies are
# compared one by one.
SCRIPTS = {
    "strings": [
        ["SET", "s", "hello"], ["GET", "s"], ["SET", "s", "v", "NX"], ["SET", "s", "w", "XX"],
        ["SET", "missing", "v", "XX"], ["SET", "s", "x", "GET"], ["SET", "s", "y", "NX", "XX"],
        ["SET", "s", "y", "EX", "0"], ["SET", "s", "y", "EX", "-1"], ["SET", "s", "y", "EX", "x"],
        ["SET", "s", "y", "PX", "9223372036854775807"], ["SET", "s", "y", "KEEPTTL", "EX", "1"],
        ["SET", "s", "y", "EX", "100", "KEEPTTL"], ["SET", "s", "y", "FOO"], ["SET", "s"],
        ["SET", "s", "v", "EX", "100"], ["TTL", "s"], ["SET", "s", "w", "KEEPTTL"], ["TTL", "s"],
        ["SET", "s", "z"], ["TTL", "s"], ["SETNX", "s", "a"], ["SETNX", "n", "a"],
        ["SETEX", "e", "100", "v"], ["SETEX", "e", "0", "v"], ["SETEX", "e", "x", "v"],
        ["PSETEX", "e", "100000", "v"], ["PSETEX", "e", "-5", "v"], ["TTL", "e"],
        ["GETSET", "s", "new"], ["GETSET", "gs", "v"], ["GETDEL", "gs"], ["GETDEL", "gs"],
        ["GETEX", "s", "EX", "50"], ["TTL", "s"], ["GETEX", "s", "PERSIST"], ["TTL", "s"],
        ["GETEX", "s", "EX", "0"], ["GETEX", "s", "FOO"], ["GETEX", "nokey"],
        ["MSET", "a", "1", "b", "2"], ["MSET", "a"], ["MGET", "a", "b", "c"],
        ["MSETNX", "a", "9", "c", "3"], ["MSETNX", "c", "3", "d", "4"], ["MGET", "c", "d"],
        ["APPEND", "a", "23"], ["APPEND", "new", "x"], ["STRLEN", "a"], ["STRLEN", "nokey"],
        ["SET", "r", "Hello World"], ["GETRANGE", "r", "0", "4"], ["GETRANGE", "r", "-5", "-1"],
        ["GETRANGE", "r", "5", "2"], ["GETRANGE", "r", "0", "100"], ["GETRANGE", "r", "-100", "2"],
        ["GETRANGE", "r", "x", "1"], ["SUBSTR", "r", "1", "3"], ["GETRANGE", "nokey", "0", "1"],
        ["SETRANGE", "r", "6", "Redis"], ["GET", "r"], ["SETRANGE", "pad", "5", "x"],
        ["GET", "pad"], ["SETRANGE", "r", "-1", "x"], ["SETRANGE", "r", "536870912", "x"],
        ["SETRANGE", "empty", "3", ""], ["EXISTS", "empty"],
        ["SET", "i", "10"], ["INCR", "i"], ["DECR", "i"], ["INCRBY", "i", "5"],
        ["DECRBY", "i", "3"], ["INCRBY", "i", "x"], ["INCR", "s"], ["INCR", "newi"],
        ["SET", "big", "9223372036854775807"], ["INCR", "big"], ["DECRBY", "i",
                                                                 "-9223372036854775808"],
        ["SET", "sp", " 1"], ["INCR", "sp"], ["SET", "f", "10.5"], ["INCRBYFLOAT", "f", "0.1"],
        ["INCRBYFLOAT", "f", "-5e3"], ["INCRBYFLOAT", "f", "abc"], ["INCRBYFLOAT", "f", "inf"],
        ["INCRBYFLOAT", "newf", "3.0"], ["SET", "f2", "5.0e3"], ["INCRBYFLOAT", "f2", "200"],
        ["INCRBYFLOAT", "s", "1"], ["SET", "tiny", "0"], ["INCRBYFLOAT", "tiny", "1e-4940"],
        ["INCRBYFLOAT", "tiny", "1e-5000"], ["INCRBYFLOAT", "tiny", "1e5000"],
        ["INCRBYFLOAT", "tiny", "0." + "0" * 5116 + "1"], ["INCRBYFLOAT", "tiny", "1." + "0" * 5117],
        ["INCRBYFLOAT", "tiny", "1." + "0" * 5118], ["INCRBYFLOAT", "tiny", "-inf"], ["SET", "l1", "ohmytext"], ["SET", "l2", "mynewtext"],
        ["LCS", "l1", "l2"], ["LCS", "l1", "l2", "LEN"], ["LCS", "l1", "l2", "IDX"],
        ["LCS", "l1", "l2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"],
        ["LCS", "l1", "l2", "LEN", "IDX"], ["LCS", "l1", "nokey"], ["LCS", "l1", "l2", "FOO"],
        ["GET"], ["GET", "a", "b"], ["FOOBAR", "x", "y"], ["get", "a"],
    ],
    "lists": [
        ["RPUSH", "l", "a", "b", "c"], ["LPUSH", "l", "z"], ["LRANGE", "l", "0", "-1"],
        ["LPUSHX", "nol", "x"], ["RPUSHX", "l", "d", "e"], ["LLEN", "l"], ["LLEN", "nol"],
        ["LINDEX", "l", "0"], ["LINDEX", "l", "-1"], ["LINDEX", "l", "100"],
        ["LINDEX", "l", "x"], ["LSET", "l", "1", "A"], ["LSET", "l", "100", "x"],
        ["LSET", "nol", "0", "x"], ["LINSERT", "l", "BEFORE", "A", "pre"],
        ["LINSERT", "l", "AFTER", "nothere", "x"], ["LINSERT", "nol", "AFTER", "a", "x"],
        ["LINSERT", "l", "MIDDLE", "A", "x"], ["LRANGE", "l", "1", "2"],
        ["LRANGE", "l", "-100", "100"], ["LRANGE", "l", "5", "1"], ["LRANGE", "nol", "0", "-1"],
        ["RPUSH", "r", "a", "b", "a", "c", "a", "b"], ["LREM", "r", "2", "a"],
        ["LREM", "r", "-1", "b"], ["LREM", "r", "0", "zz"], ["LRANGE", "r", "0", "-1"],
        ["LPOS", "r", "a"], ["RPUSH", "p", "a", "b", "c", "1", "2", "3", "c", "c"],
        ["LPOS", "p", "c"], ["LPOS", "p", "c", "RANK", "2"], ["LPOS", "p", "c", "RANK", "-1"],
        ["LPOS", "p", "c", "COUNT", "0"], ["LPOS", "p", "c", "COUNT", "2", "RANK", "-1"],
        ["LPOS", "p", "c", "RANK", "0"], ["LPOS", "p", "c", "MAXLEN", "2"],
        ["LPOS", "p", "c", "COUNT", "-1"], ["LPOS", "p", "zz", "COUNT", "2"], ["LPOS", "p", "zz"],
        ["LTRIM", "p", "1", "-2"], ["LRANGE", "p", "0", "-1"], ["LTRIM", "p", "5", "1"],
        ["EXISTS", "p"], ["RPUSH", "m", "1", "2", "3"], ["LMOVE", "m", "m2", "LEFT", "RIGHT"],
        ["LMOVE", "m", "m", "RIGHT", "LEFT"], ["LRANGE", "m", "0", "-1"],
        ["LMOVE", "m", "m2", "UP", "LEFT"], ["RPOPLPUSH", "m", "m2"], ["RPOPLPUSH", "nol", "m2"],
        ["LRANGE", "m2", "0", "-1"], ["LPOP", "m2"], ["RPOP", "m2", "5"], ["LPOP", "m2", "1"],
        ["LPOP", "nol", "2"], ["LPOP", "m", "-1"], ["LPOP", "m", "0"],
        ["RPUSH", "mp", "a", "b", "c"], ["LMPOP", "2", "nol", "mp", "LEFT"],
        ["LMPOP", "1", "mp", "RIGHT", "COUNT", "5"], ["LMPOP", "1", "mp", "LEFT"],
        ["LMPOP", "0", "mp", "LEFT"], ["LMPOP", "2", "mp", "LEFT"],
        ["LMPOP", "1", "mp", "LEFT", "COUNT", "0"], ["RPUSH", "b1", "x", "y"],
        ["BLPOP", "nol", "b1", "0"], ["BRPOP", "b1", "1"], ["BLPOP", "b1", "-1"],
        ["BLPOP", "b1", "x"], ["RPUSH", "b2", "1", "2"], ["BLMOVE", "b2", "b3", "LEFT", "LEFT",
                                                          "0"],
        ["BRPOPLPUSH", "b2", "b3", "0"], ["LRANGE", "b3", "0", "-1"],
        ["BLMPOP", "0", "1", "b3", "RIGHT", "COUNT", "2"], ["SET", "str", "x"],
        ["LPUSH", "str", "a"], ["LRANGE", "str", "0", "1"], ["LPOP", "str"],
        ["LMOVE", "b3", "str", "LEFT", "LEFT"], ["RPUSH", "l"], ["LRANGE", "l", "0"],
    ],
    "keys": [
        ["MSET", "a", "1", "b", "2", "c", "3"], ["RPUSH", "list", "x"], ["DEL", "a", "zz"],
        ["UNLINK", "b", "c", "b"], ["EXISTS", "a", "list", "list", "zz"], ["TYPE", "list"],
        ["TYPE", "zz"], ["SET", "k", "v"], ["TYPE", "k"], ["RENAME", "k", "k2"],
        ["RENAME", "zz", "k3"], ["RENAME", "k2", "k2"], ["RENAMENX", "k2", "list"],
        ["RENAMENX", "k2", "k4"], ["COPY", "k4", "k5"], ["COPY", "k4", "k5"],
        ["COPY", "k4", "k5", "REPLACE"], ["COPY", "list", "list2"], ["LRANGE", "list2", "0", "-1"],
        ["COPY", "k4", "k6", "DB", "1"], ["COPY", "k4", "k6", "DB", "99"],
        ["COPY", "k4", "k6", "FOO"], ["MOVE", "k4", "1"], ["MOVE", "k4", "1"],
        ["MOVE", "k5", "0"], ["MOVE", "k5", "x"], ["SELECT", "1"], ["GET", "k4"],
        ["SELECT", "0"], ["SELECT", "16"], ["SELECT", "x"], ["DBSIZE"], ["TOUCH", "k5", "zz"],
        ["SET", "t", "v"], ["EXPIRE", "t", "100"], ["TTL", "t"], ["EXPIRE", "t", "50", "GT"],
        ["EXPIRE", "t", "200", "GT"], ["TTL", "t"], ["EXPIRE", "t", "300", "LT"],
        ["EXPIRE", "t", "10", "NX"], ["EXPIRE", "t", "10", "XX"], ["TTL", "t"],
        ["EXPIRE", "t", "10", "NX", "XX"], ["EXPIRE", "t", "10", "GT", "LT"],
        ["EXPIRE", "t", "x"], ["EXPIRE", "t", "10", "FOO"], ["EXPIRE", "zz", "10"],
        ["PERSIST", "t"], ["PERSIST", "t"], ["TTL", "t"], ["EXPIRE", "t", "10", "XX"],
        ["EXPIRE", "t", "10", "LT"], ["TTL", "t"], ["PEXPIRE", "t", "100000"], ["TTL", "t"],
        ["EXPIREAT", "t", "4102444800"], ["TTL", "t"], ["PEXPIREAT", "t", "4102444800000"],
        ["EXPIRETIME", "t"], ["PEXPIRETIME", "t"], ["EXPIRETIME", "k5"], ["EXPIRETIME", "zz"],
        ["EXPIRE", "t", "9223372036854775807"], ["PEXPIRE", "t", "9223372036854775807"],
        ["EXPIRE", "t", "-1"], ["EXISTS", "t"], ["SET", "t", "v"], ["EXPIREAT", "t", "1"],
        ["GET", "t"], ["TTL", "zz"], ["PTTL", "zz"], ["TTL", "k5"], ["SWAPDB", "0", "1"],
        ["DBSIZE"], ["SWAPDB", "0", "1"], ["SWAPDB", "0", "99"], ["SWAPDB", "x", "1"],
        ["SELECT", "1"], ["FLUSHDB"], ["SELECT", "0"], ["DBSIZE"], ["FLUSHDB", "ASYNC"],
        ["DBSIZE"], ["FLUSHDB", "FOO"], ["FLUSHALL", "SYNC"], ["DEL"],
    ],
    "dump_restore": [
        ["SET", "s", "hello"], ["DUMP", "s"], ["SET", "n", "12345"], ["DUMP", "n"],
        ["SET", "big", "-9223372036854775808"], ["DUMP", "big"], ["SET", "e", ""], ["DUMP", "e"],
        ["RPUSH", "l", "a", "b", "1", "-2", "300", "70000", "9999999999", "x" * 70],
        ["DUMP", "l"], ["DUMP", "missing"], ["DUMP"], ["DUMP", "a", "b"],
        ["RESTORE", "s", "0", "x"], ["RESTORE", "new", "0", "x"], ["RESTORE", "new", "-1", "x"],
        ["RESTORE", "new", "x", "x"], ["RESTORE", "new", "0", "x", "FOO"],
        ["RESTORE", "new", "0", "x", "IDLETIME", "-1"], ["RESTORE", "new", "0", "x", "FREQ", "256"],
        ["RESTORE", "new", "0", "x", "IDLETIME", "1", "FREQ", "1"],
        ["RESTORE", "new", "0", "\x00\x05hello\x0a\x00"], ["RESTORE", "new"], ["EXISTS", "new"],
    ],
    "connection": [
        ["PING"], ["PING", "hi"], ["PING", "a", "b"], ["ECHO", "x"], ["ECHO"],
        ["SELECT", "15"], ["SET", "k", "v"], ["SELECT", "0"], ["EXISTS", "k"],
        ["AUTH", "x"], ["AUTH", "a", "b"], ["HELLO", "4"], ["HELLO", "x"],
        ["HELLO", "2", "AUTH", "default"], ["HELLO", "2", "FOO"], ["CLIENT", "SETNAME", "a b"],
        ["CLIENT", "SETNAME", "myname"], ["CLIENT", "GETNAME"], ["CLIENT", "NOSUCH"],
        ["CLIENT", "KILL", "1.2.3.4:5"], ["CLIENT", "KILL", "ID", "999999"],
        ["CLIENT", "NO-EVICT", "maybe"], ["RESET"], ["CLIENT", "GETNAME"],
    ],
    "transactions": [
        ["MULTI"], ["SET", "a", "1"], ["INCR", "a"], ["LPUSH", "a", "x"], ["GET", "a"], ["EXEC"],
        ["MULTI"], ["BLMOVE", "nol", "d", "LEFT", "LEFT", "0"], ["BRPOPLPUSH", "nol", "d", "0"],
        ["BLPOP", "nol", "0"], ["EXEC"],
        ["MULTI"], ["SET", "a"], ["GET", "a"], ["EXEC"], ["EXEC"], ["DISCARD"],
        ["MULTI"], ["MULTI"], ["NOSUCHCMD"], ["DISCARD"], ["GET", "a"],
        ["WATCH", "a"], ["SET", "a", "changed"], ["MULTI"], ["GET", "a"], ["EXEC"],
        ["WATCH", "a"], ["UNWATCH"], ["SET", "a", "again"], ["MULTI"], ["GET", "a"], ["EXEC"],
        ["MULTI"], ["WATCH", "a"], ["EXEC"], ["WATCH"],
        ["MULTI"], ["SELECT", "1"], ["SET", "x", "1"], ["SELECT", "0"], ["EXEC"],
        ["MULTI"], ["EXEC"],
    ],
    "expiry": [
        ["SET", "e", "v", "PX", "50"], ["RPUSH", "el", "a"], ["PEXPIRE", "el", "50"],
        ["SET", "keep", "v"], ["MULTI"], ["GET", "e"], ["EXEC"], [SLEEP, "0.12"],
        ["GET", "e"], ["EXISTS", "e", "el"], ["TTL", "e"], ["LLEN", "el"], ["TYPE", "el"],
        ["SET", "e", "new", "XX"], ["LPUSHX", "el", "x"], ["DBSIZE"], ["SET", "w", "v", "PX", "50"],
        ["WATCH", "w"], [SLEEP, "0.12"], ["MULTI"], ["PING"], ["EXEC"],
    ],
    # Which error wins when the key is missing or of the wrong type and an argument is bad too:
    # Redis looks some keys up before parsing the rest and others after.
    "argument_order": [["SET", "s", "v"], ["RPUSH", "l", "a"]] + [
        [cmd, key] + rest
        for key in ("s", "l", "missing")
        for cmd, rest in [
            ("LINDEX", ["x"]), ("LSET", ["x", "v"]), ("LRANGE", ["x", "1"]), ("LTRIM", ["0", "x"]),
            ("LREM", ["x", "a"]), ("LINSERT", ["MIDDLE", "a", "b"]), ("LPOS", ["a", "RANK", "x"]),
            ("LPOP", ["x"]), ("RPOP", ["-1"]), ("LMOVE", [key, "UP", "LEFT"]),
            ("GETRANGE", ["x", "1"]), ("SETRANGE", ["x", "v"]), ("SETRANGE", ["-1", "v"]),
            ("INCRBY", ["x"]), ("INCRBYFLOAT", ["x"]), ("DECRBY", ["1.5"]), ("GETEX", ["EX", "x"]),
            ("GETEX", ["EX", "0"]), ("GETEX", ["PX", "1", "EX", "1"]), ("EXPIRE", ["x"]),
            ("EXPIRE", ["1", "GT", "LT"]), ("PEXPIREAT", ["x"]), ("MOVE", ["x"]),
            ("COPY", ["dst", "DB", "x"]), ("APPEND", ["v"]), ("STRLEN", []), ("LLEN", []),
            ("SET", ["v", "EX", "x"]), ("BLPOP", ["x"]), ("BLMOVE", ["d", "LEFT", "LEFT", "x"]),
            ("LPUSHX", ["a"]), ("GETSET", ["v"]), ("GETDEL", []), ("LCS", ["l"]),
        ]
    ],
    "server": [
        ["DBSIZE"], ["FLUSHALL"], ["DBSIZE"], ["COMMAND", "COUNT", "x"],
        ["COMMAND", "INFO", "nosuch"], ["COMMAND", "GETKEYS", "SET", "a", "b"],
        ["COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"],
        ["COMMAND", "GETKEYS", "LMPOP", "2", "x", "y", "LEFT"],
        ["COMMAND", "GETKEYS", "PING"], ["COMMAND", "GETKEYS", "NOSUCH", "x"],
        ["COMMAND", "INFO", "get", "set", "lpush", "blmpop", "expire", "copy"],
        ["COMMAND", "DOCS", "get", "lpos"],
    ],
    # Operator commands, where the reply does not depend on timing or on the clients connected.
    "operations": [
        ["SLOWLOG", "GET", "-2"], ["SLOWLOG", "GET", "x"], ["SLOWLOG", "FOO"],
        ["SLOWLOG", "GET", "1", "2"], ["SLOWLOG", "HELP"], ["SLOWLOG"], ["SLOWLOG", "LEN", "x"],
        ["LATENCY", "LATEST"], ["LATENCY", "HISTORY", "command"], ["LATENCY", "HISTORY"],
        ["LATENCY", "RESET", "nosuch"], ["LATENCY", "FOO"],
        ["CLIENT", "PAUSE", "-1"], ["CLIENT", "PAUSE", "x"], ["CLIENT", "PAUSE", "x", "FOO"],
        ["CLIENT", "PAUSE", "10", "WRITE", "x"], ["CLIENT", "PAUSE"], ["CLIENT", "PAUSE", "0"],
        ["CLIENT", "UNPAUSE"], ["CLIENT", "UNPAUSE", "x"], ["CLIENT", "UNBLOCK", "x"],
        ["CLIENT", "UNBLOCK", "1", "FOO"], ["CLIENT", "UNBLOCK", "99999"],
        ["CLIENT", "UNBLOCK", "99999", "ERROR"], ["CLIENT", "UNBLOCK", "1", "TIMEOUT", "x"],
        ["COMMAND", "GETKEYSANDFLAGS", "LMOVE", "a", "b", "LEFT", "RIGHT"],
        ["COMMAND", "GETKEYSANDFLAGS", "SET", "k", "v"],
        ["COMMAND", "GETKEYSANDFLAGS", "SET", "k", "v", "GET"],
        ["COMMAND", "GETKEYSANDFLAGS", "MSET", "a", "1", "b", "2"],
        ["COMMAND", "GETKEYSANDFLAGS", "LMPOP", "2", "x", "y", "LEFT"],
        ["COMMAND", "GETKEYSANDFLAGS", "BLPOP", "a", "b", "0"],
        ["COMMAND", "GETKEYSANDFLAGS", "PING", "x"], ["COMMAND", "GETKEYSANDFLAGS", "NOSUCH", "x"],
        ["COMMAND", "GETKEYSANDFLAGS", "GET"], ["CONFIG", "REWRITE"], ["CONFIG", "REWRITE", "x"],
        ["MEMORY", "STATS", "x"], ["MONITOR", "x"],
        ["MULTI"], ["MONITOR"], ["EXEC"],
    ],
}


# One module per data type family in families/: each defines SCRIPTS (more sessions, as above),
# random_choices(session) (zero-argument callables returning a command, mixed into RandomSession
# so the new types share its keys: type clashes, WRONGTYPE, expiry and MULTI reach them), and
# optionally NORMALIZE: {command name (lower case): fn(raw reply bytes) -> comparable} for replies
# whose order is the hash table's (SMEMBERS, HGETALL...), compared after normalisation.
FAMILIES = []
for _path in sorted(glob.glob(os.path.join(os.path.dirname(__file__), "families", "*.py"))):
    _spec = importlib.util.spec_from_file_location(
        "family_" + os.path.basename(_path)[:-3], _path)
    _module = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_module)
    FAMILIES.append(_module)
NORMALIZE = {}
for _module in FAMILIES:
    for _name in getattr(_module, "SCRIPTS", {}):
        assert _name not in SCRIPTS, f"script {_name} defined twice"
    SCRIPTS.update(getattr(_module, "SCRIPTS", {}))
    NORMALIZE.update(getattr(_module, "NORMALIZE", {}))


def same_reply(cmd, got, want):
    """Byte-for-byte, except for the commands a family says reply in hash-table order."""
    if got == want:
        return True
    normalize = NORMALIZE.get(str(cmd[0]).lower())
    return normalize is not None and normalize(got) == normalize(want)


def flushall(conn):
    conn.call("FLUSHALL")


class Pair:
    """One connection to each server, both in the same protocol."""

    def __init__(self, basalt_port, redis_port, protocol):
        self.b = h.RawClient(basalt_port)
        self.r = h.RawClient(redis_port)
        if protocol == 3:
            self.b.call("HELLO", "3")
            self.r.call("HELLO", "3")

    def close(self):
        self.b.close()
        self.r.close()

    def both(self, cmd):
        return self.b.call(*cmd), self.r.call(*cmd)


class DifferentialTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.basalt = h.basalt()
        cls.redis = h.redis()

    @classmethod
    def tearDownClass(cls):
        cls.basalt.stop()
        cls.redis.stop()

    def pair(self, protocol):
        p = Pair(self.basalt.port, self.redis.port, protocol)
        self.addCleanup(p.close)
        p.b.call("FLUSHALL")
        p.r.call("FLUSHALL")
        return p

    def run_script(self, name, protocol):
        p = self.pair(protocol)
        mismatches = []
        for cmd in SCRIPTS[name]:
            if cmd[0] == SLEEP:
                time.sleep(float(cmd[1]))
                continue
            got, want = p.both(cmd)
            if not same_reply(cmd, got, want):
                mismatches.append(f"{cmd}:\n    basalt {got!r}\n    redis  {want!r}")
        self.assertEqual(mismatches, [], f"RESP{protocol} {name}:\n  " + "\n  ".join(mismatches))

    def test_scripts_resp2(self):
        for name in SCRIPTS:
            with self.subTest(script=name):
                self.run_script(name, 2)

    def test_scripts_resp3(self):
        for name in SCRIPTS:
            with self.subTest(script=name):
                self.run_script(name, 3)

    def test_keys_sorted(self):
        p = self.pair(2)
        for i in range(200):
            p.both(["SET", f"user:{i}", "v"])
        p.both(["RPUSH", "user:list", "x"])
        p.both(["SET", "", "the empty key"])
        for pattern in ["*", "?*", "**", "*[", "user:[", "user:\\", "user:1*", "user:?", "user:[1-3]", "user:[^1]?", "nomatch*",
                        "user:\\*", "*list"]:
            got, want = p.both(["KEYS", pattern])
            self.assertEqual(sorted_reply(got), sorted_reply(want), pattern)

    def test_random_sessions(self):
        seed = int(os.environ.get("BASALT_DIFF_SEED", random.randrange(1 << 30)))
        ops = int(os.environ.get("BASALT_DIFF_OPS", "6000"))
        print(f"differential random sessions: BASALT_DIFF_SEED={seed} BASALT_DIFF_OPS={ops}",
              file=sys.stderr)
        for protocol in (2, 3):
            p = self.pair(protocol)
            gen = RandomSession(random.Random(seed + protocol))
            history = []
            seen = set()
            in_multi = random_queued = False
            for _ in range(ops):
                cmd = gen.next()
                got, want = p.both(cmd)
                history.append(cmd)
                seen.add(want[:1])
                if want.startswith(b"-WRONGTYPE"):
                    seen.add(b"WRONGTYPE")
                # A transaction that queued a command whose reply is random (SPOP, HRANDFIELD...,
                # the families' NORMALIZE list) gets an EXEC reply compared by its header only.
                name = str(cmd[0]).lower()
                if name == "multi" and want == b"+OK\r\n":
                    in_multi, random_queued = True, False
                elif in_multi and name in NORMALIZE:
                    random_queued = True
                if name in ("exec", "discard", "reset"):
                    if name == "exec" and in_multi and random_queued:
                        got, want = got.split(b"\r\n", 1)[0], want.split(b"\r\n", 1)[0]
                    in_multi = random_queued = False
                if not same_reply(cmd, got, want):
                    self.fail(f"seed {seed}, RESP{protocol}, after {len(history)} commands "
                              f"(last ones {history[-8:]}):\n  {cmd}\n    basalt {got!r}\n"
                              f"    redis  {want!r}")
            # The session must have reached the interesting states, or it proves little.
            wanted = {b"+", b"-", b":", b"$", b"*", b"WRONGTYPE"} | ({b"_"} if protocol == 3 else set())
            self.assertEqual(wanted - seen, set(), f"seed {seed}: reply kinds never produced")


def sorted_reply(raw):
    lines = raw.split(b"\r\n")
    items = [lines[i] for i in range(2, len(lines) - 1, 2)]
    return lines[0], sorted(items)


class RandomSession:
    """Commands drawn at random over a small keyspace, so types clash, lists empty out and keys
    expire while the session runs. Blocking commands only ever find data or use no timeout."""

    KEYS = ["k0", "k1", "k2", "k3", "l0", "l1", "l2", "n0", "n1"]
    VALUES = ["", "a", "bc", "0", "1", "-1", "10", "3.5", "x" * 20, "\x00bin\xff", "9" * 19,
              "hello world", "-0", "1e3", " 1"]

    def __init__(self, rng):
        self.rng = rng
        self.family_choices = [c for m in FAMILIES if hasattr(m, "random_choices")
                               for c in m.random_choices(self)]

    def key(self):
        return self.rng.choice(self.KEYS)

    def value(self):
        return self.rng.choice(self.VALUES)

    def ttl_s(self):
        # Spread out, so that two TTLs set a moment apart are almost never equal: with equal ones,
        # EXPIRE ... GT/LT would depend on whether the two calls fell in the same millisecond.
        return str(self.rng.randint(100, 1_000_000))

    def number(self, lo=-5, hi=5):
        return str(self.rng.randint(lo, hi))

    def next(self):
        r = self.rng
        k, v = self.key(), self.value()
        choices = [
            lambda: ["SET", k, v] + r.choice([[], ["NX"], ["XX"], ["GET"], ["EX", self.ttl_s()],
                                              ["PX", "0"], ["KEEPTTL"], ["XX", "GET"]]),
            lambda: ["GET", k],
            lambda: ["GETDEL", k],
            lambda: ["GETEX", k] + r.choice([[], ["PERSIST"], ["EX", self.ttl_s()]]),
            lambda: ["GETSET", k, v],
            lambda: ["SETNX", k, v],
            lambda: ["APPEND", k, v],
            lambda: ["STRLEN", k],
            lambda: ["GETRANGE", k, self.number(), self.number()],
            lambda: ["SETRANGE", k, self.number(0, 8), v],
            lambda: ["INCR", k],
            lambda: ["DECRBY", k, self.number(-100, 100)],
            lambda: ["INCRBYFLOAT", k, r.choice(["1.5", "-2", "0.1", "1e2", "x"])],
            lambda: ["MSET", k, v, self.key(), self.value()],
            lambda: ["MGET", k, self.key(), self.key()],
            lambda: ["MSETNX", k, v, self.key(), self.value()],
            lambda: ["LCS", k, self.key()] + r.choice([[], ["LEN"], ["IDX", "WITHMATCHLEN"]]),
            lambda: [r.choice(["LPUSH", "RPUSH"]), k] + [self.value()
                                                        for _ in range(r.randint(1, 4))],
            lambda: [r.choice(["LPUSHX", "RPUSHX"]), k, v],
            lambda: [r.choice(["LPOP", "RPOP"]), k] + r.choice([[], [self.number(0, 4)]]),
            lambda: ["LLEN", k],
            lambda: ["LRANGE", k, self.number(), self.number()],
            lambda: ["LINDEX", k, self.number()],
            lambda: ["LSET", k, self.number(-3, 3), v],
            lambda: ["LINSERT", k, r.choice(["BEFORE", "AFTER"]), self.value(), v],
            lambda: ["LREM", k, self.number(-2, 2), self.value()],
            lambda: ["LTRIM", k, self.number(), self.number()],
            lambda: ["LPOS", k, v] + r.choice([[], ["RANK", "-1"], ["COUNT", "0"],
                                               ["COUNT", "2", "MAXLEN", "3"]]),
            lambda: ["LMOVE", k, self.key(), r.choice(["LEFT", "RIGHT"]),
                     r.choice(["LEFT", "RIGHT"])],
            lambda: ["RPOPLPUSH", k, self.key()],
            lambda: ["LMPOP", "2", k, self.key(), r.choice(["LEFT", "RIGHT"]), "COUNT",
                     self.number(1, 3)],
            lambda: ["DEL", k, self.key()],
            lambda: ["EXISTS", k, self.key()],
            lambda: ["TYPE", k],
            lambda: ["RENAME", k, self.key()],
            lambda: ["RENAMENX", k, self.key()],
            lambda: ["COPY", k, self.key()] + r.choice([[], ["REPLACE"]]),
            lambda: ["EXPIRE", k, r.choice([self.ttl_s(), self.ttl_s(), "0", "-1"])] + r.choice(
                [[], ["NX"], ["XX"], ["GT"], ["LT"]]),
            lambda: ["PEXPIRE", k, r.choice([str(r.randint(100_000, 100_000_000)), "0"])],
            lambda: ["PERSIST", k],
            lambda: ["TTL", k],
            lambda: ["TOUCH", k, self.key()],
            lambda: ["MULTI"] if r.random() < 0.5 else ["EXEC"],
            lambda: ["WATCH", k] if r.random() < 0.5 else ["UNWATCH"],
            lambda: ["DISCARD"],
            lambda: [r.choice(["BLPOP", "BRPOP"]), k, self.key(), "0.01"],
            lambda: ["SET", k, v, r.choice(["EXAT", "PXAT"]), r.choice(["4102444800", "1", "0"])],
            lambda: ["GETEX", k, r.choice(["EXAT", "PXAT", "PX"]), r.choice(["4102444800", "0"])],
            lambda: ["INCRBY", k, r.choice(["9223372036854775807", "-9223372036854775808", "1"])],
            lambda: ["SELECT", r.choice(["0", "1"])],
            lambda: ["SWAPDB", "0", "1"],
            lambda: ["MOVE", k, r.choice(["0", "1"])],
            lambda: ["COPY", k, self.key(), "DB", r.choice(["0", "1"])] + r.choice([[], ["REPLACE"]]),
            lambda: r.choice([["GET"], ["LPUSH", k], ["SET", k], ["NOSUCH", k], ["EXPIRE", k],
                              ["LRANGE", k, "0"], ["PING", "a", "b"], ["ECHO", v]]),
            lambda: ["LPOS", k, v, "RANK", r.choice(["-2", "2", "0"]), "COUNT", self.number(0, 3),
                     "MAXLEN", self.number(0, 3)],
            lambda: ["LINDEX", k, r.choice(["x", "-100", "1"])],
        ] + self.family_choices
        return r.choice(choices)()


if __name__ == "__main__":
    unittest.main(verbosity=2)
