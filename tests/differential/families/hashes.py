"""Hashes (HSET ... HSCAN): scripts, random-session commands and order-insensitive comparisons.

Small hashes are listpacks in both servers and reply in insertion order, byte for byte. Hash-table
replies (HGETALL, HKEYS, HVALS of big hashes) are compared as sorted multisets; HRANDFIELD's picks
are random, so only the reply's shape (its length and element kinds) is compared when the bytes
differ."""


def _parse(raw, pos=0):
    """One RESP2/RESP3 reply from raw at pos: (value, next position). Aggregates become lists."""
    kind = raw[pos:pos + 1]
    end = raw.index(b"\r\n", pos)
    header = raw[pos + 1:end]
    pos = end + 2
    if kind in (b"$", b"=", b"!"):
        n = int(header)
        if n < 0:
            return None, pos
        return raw[pos:pos + n], pos + n + 2
    if kind in (b"*", b"~", b">", b"%", b"|"):
        n = int(header)
        if n < 0:
            return None, pos
        if kind in (b"%", b"|"):
            n *= 2
        items = []
        for _ in range(n):
            item, pos = _parse(raw, pos)
            items.append(item)
        return (kind, items), pos
    return kind + header, pos


def _sorted_items(raw):
    value, _ = _parse(raw)
    if not isinstance(value, tuple):
        return value
    return value[0], sorted(repr(i) for i in value[1])


def _sorted_pairs(raw):
    """HGETALL (a map or a flat array of field, value) as sorted pairs."""
    value, _ = _parse(raw)
    if not isinstance(value, tuple):
        return value
    kind, items = value
    return kind, sorted(zip(items[0::2], items[1::2]))


def _hscan(raw):
    value, _ = _parse(raw)
    if not isinstance(value, tuple):
        return value
    kind, (cursor, (inner_kind, items)) = value
    return kind, cursor, inner_kind, sorted(zip(items[0::2], items[1::2]))


def _shape(raw):
    """HRANDFIELD: the reply's length and, for nested replies, each element's length."""
    value, _ = _parse(raw)
    if not isinstance(value, tuple):
        return value if value is None or value.startswith(b"-") else b"bulk"
    kind, items = value
    return kind, [len(i[1]) if isinstance(i, tuple) else 0 for i in items]


NORMALIZE = {
    "hgetall": _sorted_pairs,
    "hkeys": _sorted_items,
    "hvals": _sorted_items,
    "hscan": _hscan,
    "hrandfield": _shape,
}

_BIG = [f"f{i}" for i in range(600)]
_BIG_HSET = ["HSET", "big"] + [x for f in _BIG for x in (f, "v" + f)]

SCRIPTS = {
    "hashes": [
        ["HSET", "h", "a", "1", "b", "2"], ["HSET", "h", "a", "3", "c", "4"], ["HSET", "h", "a"],
        ["HSET", "h"], ["HMSET", "h", "d", "5"], ["HMSET", "h", "d"], ["HGET", "h", "a"],
        ["HGET", "h", "zz"], ["HGET", "nokey", "a"], ["HMGET", "h", "a", "zz", "b"],
        ["HMGET", "nokey", "a", "b"], ["HLEN", "h"], ["HLEN", "nokey"], ["HSTRLEN", "h", "a"],
        ["HSTRLEN", "h", "zz"], ["HEXISTS", "h", "a"], ["HEXISTS", "h", "zz"],
        ["HEXISTS", "nokey", "a"], ["HKEYS", "h"], ["HVALS", "h"], ["HGETALL", "h"],
        ["HKEYS", "nokey"], ["HVALS", "nokey"], ["HGETALL", "nokey"],
        ["HSETNX", "h", "a", "9"], ["HSETNX", "h", "e", "9"], ["HSETNX", "h2", "x", "y"],
        ["HDEL", "h", "a", "zz", "a"], ["HDEL", "nokey", "a"], ["HDEL", "h2", "x"],
        ["EXISTS", "h2"], ["HDEL", "h", "b", "c", "d", "e"], ["EXISTS", "h"],
        ["OBJECT", "ENCODING", "h"], ["TYPE", "h"],
        ["HSET", "h", "", ""], ["HGET", "h", ""], ["HGETALL", "h"], ["TYPE", "h"],
        ["OBJECT", "ENCODING", "h"],
        # Type errors, and the order of the checks.
        ["SET", "s", "v"], ["HSET", "s", "a", "1"], ["HGET", "s", "a"], ["HMGET", "s", "a"],
        ["HDEL", "s", "a"], ["HLEN", "s"], ["HSTRLEN", "s", "a"], ["HEXISTS", "s", "a"],
        ["HKEYS", "s"], ["HVALS", "s"], ["HGETALL", "s"], ["HSETNX", "s", "a", "b"],
        ["HINCRBY", "s", "a", "1"], ["HINCRBY", "s", "a", "x"], ["HINCRBYFLOAT", "s", "a", "1"],
        ["HINCRBYFLOAT", "s", "a", "x"], ["HRANDFIELD", "s"], ["HRANDFIELD", "s", "0"],
        ["HRANDFIELD", "s", "x"], ["HSCAN", "s", "0"], ["HSCAN", "s", "x"],
        ["RPUSH", "l", "a"], ["HSET", "l", "a", "b"], ["HGETALL", "l"], ["LPUSH", "h", "x"],
        ["GET", "h"], ["SET", "h", "now a string"], ["GET", "h"],
        ["HSET"], ["HGET", "h"], ["HGETALL"], ["HDEL", "h"], ["HMSET", "x", "y"],
    ],
    "hashes_incr": [
        ["HINCRBY", "n", "a", "5"], ["HINCRBY", "n", "a", "-7"], ["HINCRBY", "n", "a", "x"],
        ["HINCRBY", "n", "a", "1.5"], ["HINCRBY", "n", "a", ""],
        ["HINCRBY", "n", "a", "9223372036854775807"], ["HINCRBY", "n", "b", "9223372036854775807"],
        ["HINCRBY", "n", "b", "1"], ["HINCRBY", "n", "c", "-9223372036854775808"],
        ["HINCRBY", "n", "c", "-1"], ["HSET", "n", "s", "abc", "sp", " 1", "z", "007"],
        ["HINCRBY", "n", "s", "1"], ["HINCRBY", "n", "sp", "1"], ["HINCRBY", "n", "z", "1"],
        ["HINCRBY", "n", "a", "99999999999999999999"],
        ["HINCRBYFLOAT", "n", "f", "1.5"], ["HINCRBYFLOAT", "n", "f", "0.1"],
        ["HINCRBYFLOAT", "n", "f", "-1.6"], ["HINCRBYFLOAT", "n", "f", "1e3"],
        ["HINCRBYFLOAT", "n", "f", "x"], ["HINCRBYFLOAT", "n", "f", "inf"],
        ["HINCRBYFLOAT", "n", "f", "-inf"], ["HINCRBYFLOAT", "n", "f", "nan"],
        ["HINCRBYFLOAT", "n", "f", ""], ["HINCRBYFLOAT", "n", "s", "1"],
        ["HINCRBYFLOAT", "n", "a", "0.5"], ["HINCRBYFLOAT", "n", "z", "1"],
        ["HSET", "n", "big", "1.7976931348623157e308"],
        ["HINCRBYFLOAT", "n", "big", "1.7976931348623157e308"], ["HGETALL", "n"],
        ["HINCRBYFLOAT", "new", "f", "3.0"], ["HGET", "new", "f"], ["HINCRBY", "new2", "f", "3"],
        ["HGETALL", "new2"],
    ],
    "hashes_encoding": [
        # Conversion to a hash table: by a long value, a long field, or too many fields; never back.
        ["HSET", "lv", "f", "x" * 64], ["OBJECT", "ENCODING", "lv"],
        ["HSET", "lv", "g", "x" * 65], ["OBJECT", "ENCODING", "lv"],
        ["HDEL", "lv", "g"], ["OBJECT", "ENCODING", "lv"],
        ["HSET", "lf", "x" * 65, "v"], ["OBJECT", "ENCODING", "lf"],
        ["HINCRBY", "li", "y" * 65, "1"], ["OBJECT", "ENCODING", "li"],
        ["HSETNX", "ln", "y" * 65, "1"], ["OBJECT", "ENCODING", "ln"],
        _BIG_HSET, ["OBJECT", "ENCODING", "big"], ["HLEN", "big"], ["HGET", "big", "f599"],
        ["HGETALL", "big"], ["HKEYS", "big"], ["HVALS", "big"],
        ["HSCAN", "big", "0", "COUNT", "100000"], ["HSCAN", "big", "0", "MATCH", "f59?", "COUNT",
                                                    "100000"],
        ["HRANDFIELD", "big", "600"], ["HRANDFIELD", "big", "1000", "WITHVALUES"],
        ["HRANDFIELD", "big", "5"], ["HRANDFIELD", "big", "300", "WITHVALUES"],
        ["HRANDFIELD", "big", "-5", "WITHVALUES"], ["HRANDFIELD", "big"],
        ["HDEL", "big"] + _BIG[:599], ["OBJECT", "ENCODING", "big"], ["HGETALL", "big"],
        ["CONFIG", "SET", "hash-max-listpack-entries", "2"], ["CONFIG", "GET", "hash-max-listpack-entries"],
        ["CONFIG", "GET", "hash-max-ziplist-entries"],
        ["HSET", "c", "a", "1", "b", "2"], ["OBJECT", "ENCODING", "c"],
        ["HSET", "c", "c", "3"], ["OBJECT", "ENCODING", "c"],
        ["CONFIG", "SET", "hash-max-ziplist-value", "1"], ["HSET", "d", "ab", "1"],
        ["OBJECT", "ENCODING", "d"], ["CONFIG", "SET", "hash-max-listpack-value", "x"],
        ["CONFIG", "SET", "hash-max-listpack-entries", "-1"],
        ["CONFIG", "SET", "hash-max-listpack-entries", "512"],
        ["CONFIG", "SET", "hash-max-listpack-value", "64"],
    ],
    "hashes_random_scan": [
        ["HSET", "one", "f", "v"], ["HRANDFIELD", "one"], ["HRANDFIELD", "one", "1"],
        ["HRANDFIELD", "one", "-3"], ["HRANDFIELD", "one", "-3", "WITHVALUES"],
        ["HRANDFIELD", "one", "5", "WITHVALUES"], ["HRANDFIELD", "one", "0"],
        ["HRANDFIELD", "one", "0", "WITHVALUES"], ["HRANDFIELD", "one", "1", "withvalues"],
        ["HRANDFIELD", "one", "1", "FOO"], ["HRANDFIELD", "one", "1", "WITHVALUES", "x"],
        ["HRANDFIELD", "one", "x"], ["HRANDFIELD", "one", "-9223372036854775808"],
        ["HRANDFIELD", "one", "4611686018427387904", "WITHVALUES"],
        ["HRANDFIELD", "one", "-4611686018427387904", "WITHVALUES"],
        ["HRANDFIELD", "one", "4611686018427387903", "WITHVALUES"],
        ["HRANDFIELD", "nokey"], ["HRANDFIELD", "nokey", "3"], ["HRANDFIELD", "nokey", "-3"],
        ["HRANDFIELD", "nokey", "x"],
        ["HSET", "few", "a", "1", "b", "2", "c", "3"], ["HRANDFIELD", "few", "3"],
        ["HRANDFIELD", "few", "10", "WITHVALUES"], ["HRANDFIELD", "few", "2"],
        ["HRANDFIELD", "few", "-10"], ["HRANDFIELD", "few"],
        ["HSCAN", "few", "0"], ["HSCAN", "few", "0", "MATCH", "a*"], ["HSCAN", "few", "0", "COUNT",
                                                                     "1"],
        ["HSCAN", "few", "0", "COUNT", "0"], ["HSCAN", "few", "0", "COUNT", "x"],
        ["HSCAN", "few", "0", "MATCH"], ["HSCAN", "few", "0", "TYPE", "hash"],
        ["HSCAN", "few", "0", "FOO", "bar"], ["HSCAN", "few", "x"], ["HSCAN", "few", "-1"],
        ["HSCAN", "few", "18446744073709551616"], ["HSCAN", "nokey", "0"],
        ["HSCAN", "nokey", "0", "COUNT", "x"], ["HSCAN", "nokey", "x"],
    ],
}

_FIELDS = ["a", "b", "c", "d", "1", ""]


def random_choices(session):
    """Hash commands over the random session's keys, so that they meet strings, lists and expiry."""
    r = session.rng

    def field():
        return r.choice(_FIELDS)

    return [
        lambda: ["HSET", session.key()] + [x for _ in range(r.randint(1, 3))
                                           for x in (field(), session.value())],
        lambda: ["HSETNX", session.key(), field(), session.value()],
        lambda: ["HGET", session.key(), field()],
        lambda: ["HMGET", session.key(), field(), field()],
        lambda: ["HDEL", session.key(), field(), field()],
        lambda: ["HLEN", session.key()],
        lambda: ["HSTRLEN", session.key(), field()],
        lambda: ["HEXISTS", session.key(), field()],
        lambda: [r.choice(["HKEYS", "HVALS", "HGETALL"]), session.key()],
        lambda: ["HINCRBY", session.key(), field(), session.number(-100, 100)],
        lambda: ["HINCRBYFLOAT", session.key(), field(), r.choice(["1.5", "-2", "0.1", "x"])],
        lambda: ["HRANDFIELD", session.key()] + r.choice([[], ["1"], ["-2"], ["9", "WITHVALUES"]]),
        lambda: ["HSCAN", session.key(), "0"] + r.choice([[], ["MATCH", "[ab]"], ["COUNT", "2"]]),
    ]
