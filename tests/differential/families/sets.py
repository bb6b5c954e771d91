"""Sets (SADD ... SSCAN): scripts aimed at edge cases and error texts, random commands over the
shared keyspace, and order-insensitive comparison of replies in hash-table order. Random draws
(SRANDMEMBER, SPOP of part of a set) differ between two servers by design: SRANDMEMBER replies are
compared by shape and count only, and SPOP is only sent where it takes the whole set (or the one
member), so the two keyspaces never diverge."""


def _parse(raw, pos=0):
    """One RESP reply from raw[pos:]: (value, next position). Aggregates become lists."""
    kind = raw[pos:pos + 1]
    end = raw.index(b"\r\n", pos)
    head = raw[pos + 1:end]
    if kind in (b"$", b"="):
        n = int(head)
        if n < 0:
            return None, end + 2
        return raw[end + 2:end + 2 + n], end + 4 + n
    if kind in (b"*", b"~", b">"):
        n = int(head)
        if n < 0:
            return None, end + 2
        items, p = [], end + 2
        for _ in range(n):
            item, p = _parse(raw, p)
            items.append(item)
        return (kind, items), p
    return (kind, head), end + 2


def _sorted_members(raw):
    value, _ = _parse(raw)
    if isinstance(value, tuple) and isinstance(value[1], list):
        return value[0], sorted(value[1], key=repr)
    return value


def _scan_sorted(raw):
    value, _ = _parse(raw)
    if isinstance(value, tuple) and isinstance(value[1], list) and len(value[1]) == 2:
        cursor, members = value[1]
        return cursor, sorted(members[1], key=repr)
    return value


def _shape(raw):
    """Reply type and element count: what SRANDMEMBER's random choice leaves comparable."""
    value, _ = _parse(raw)
    if isinstance(value, tuple) and isinstance(value[1], list):
        return value[0], len(value[1])
    if isinstance(value, bytes):
        return b"$"
    return value


NORMALIZE = {
    "smembers": _sorted_members,
    "sinter": _sorted_members,
    "sunion": _sorted_members,
    "sdiff": _sorted_members,
    "spop": _sorted_members,
    "sscan": _scan_sorted,
    "srandmember": _shape,
}

_WT = [["SET", "str", "v"]]

SCRIPTS = {
    "sets_basics": [
        ["SADD", "s", "3", "1", "2", "1"], ["SMEMBERS", "s"], ["OBJECT", "ENCODING", "s"],
        ["SADD", "s", "a", "b"], ["OBJECT", "ENCODING", "s"], ["SCARD", "s"], ["TYPE", "s"],
        ["SISMEMBER", "s", "a"], ["SISMEMBER", "s", "9"], ["SISMEMBER", "none", "a"],
        ["SMISMEMBER", "s", "a", "1", "zz"], ["SMISMEMBER", "none", "a", "b"],
        ["SREM", "s", "1", "a", "zz"], ["SREM", "none", "a"], ["SMEMBERS", "s"],
        ["SREM", "s", "2", "3", "b"], ["EXISTS", "s"], ["SMEMBERS", "none"],
        ["SADD", "n", "01", "-0", "+1", " 1", "1"], ["OBJECT", "ENCODING", "n"],
        ["SADD", "m", "9223372036854775807", "-9223372036854775808", "0", "-1", "70000"],
        ["SMEMBERS", "m"], ["OBJECT", "ENCODING", "m"], ["SADD", "e", ""], ["SMEMBERS", "e"],
        ["SADD"], ["SADD", "k"], ["SMEMBERS", "a", "b"], ["SCARD"], ["SISMEMBER", "s"],
        ["SMISMEMBER", "s"],
    ],
    "sets_wrongtype": _WT + [
        ["SADD", "s", "a"], ["SADD", "str", "a"], ["SREM", "str", "a"], ["SCARD", "str"],
        ["SISMEMBER", "str", "a"], ["SMISMEMBER", "str", "a"], ["SMEMBERS", "str"],
        ["SRANDMEMBER", "str"], ["SRANDMEMBER", "str", "2"], ["SPOP", "str"], ["SPOP", "str", "2"],
        ["SMOVE", "str", "s", "a"], ["SMOVE", "s", "str", "a"], ["SMOVE", "none", "str", "a"],
        ["SINTER", "none", "str"], ["SINTERCARD", "2", "none", "str"], ["SUNION", "s", "str"],
        ["SDIFF", "none", "str"], ["SINTERSTORE", "d", "str"], ["SUNIONSTORE", "d", "str"],
        ["SDIFFSTORE", "d", "s", "str"], ["SSCAN", "str", "0"], ["SSCAN", "str", "x"],
        ["SPOP", "str", "-1"], ["SRANDMEMBER", "str", "x"],
    ],
    "sets_random_and_pop": [
        ["SRANDMEMBER", "none"], ["SRANDMEMBER", "none", "3"], ["SPOP", "none"],
        ["SPOP", "none", "3"], ["SADD", "s", "a", "b", "c", "1"], ["SRANDMEMBER", "s"],
        ["SRANDMEMBER", "s", "0"], ["SRANDMEMBER", "s", "2"], ["SRANDMEMBER", "s", "-7"],
        ["SRANDMEMBER", "s", "10"], ["SRANDMEMBER", "s", "1", "2"], ["SRANDMEMBER", "s", "x"],
        ["SRANDMEMBER", "s", "-9223372036854775808"],
        ["SPOP", "s", "-1"], ["SPOP", "s", "x"], ["SPOP", "s", "1", "2"], ["SPOP", "s", "0"],
        ["SPOP", "s", "4"], ["EXISTS", "s"], ["SADD", "one", "x"], ["SPOP", "one"],
        ["EXISTS", "one"], ["SADD", "i", "5", "6"], ["SPOP", "i", "9"], ["EXISTS", "i"],
    ],
    "sets_algebra": _WT + [
        ["SADD", "a", "1", "2", "3", "x"], ["SADD", "b", "2", "3", "4"], ["SADD", "c", "3", "x"],
        ["SINTER", "a", "b"], ["SINTER", "a", "b", "c"], ["SINTER", "a", "none"], ["SINTER", "a"],
        ["SINTERCARD", "2", "a", "b"], ["SINTERCARD", "2", "a", "b", "LIMIT", "1"],
        ["SINTERCARD", "2", "a", "b", "LIMIT", "0"], ["SINTERCARD", "0", "a"],
        ["SINTERCARD", "x", "a"], ["SINTERCARD", "3", "a", "b"],
        ["SINTERCARD", "2", "a", "b", "LIMIT"], ["SINTERCARD", "2", "a", "b", "LIMIT", "-1"],
        ["SINTERCARD", "2", "a", "b", "LIMIT", "x"], ["SINTERCARD", "2", "a", "b", "FOO", "1"],
        ["SINTERCARD", "1", "none"], ["SINTERCARD", "1"],
        ["SUNION", "a", "b", "none"], ["SDIFF", "a", "b", "c"], ["SDIFF", "a", "a"],
        ["SDIFF", "none", "a"], ["SDIFF", "a", "none"],
        ["SINTERSTORE", "d", "a", "b"], ["SMEMBERS", "d"], ["OBJECT", "ENCODING", "d"],
        ["EXPIRE", "d", "100"], ["SUNIONSTORE", "d", "a", "b"], ["TTL", "d"], ["SMEMBERS", "d"],
        ["SDIFFSTORE", "d", "a", "b"], ["SMEMBERS", "d"], ["SINTERSTORE", "d", "a", "none"],
        ["EXISTS", "d"], ["SINTERSTORE", "str", "a", "c"], ["TYPE", "str"],
        ["SDIFFSTORE", "str", "a", "a"], ["EXISTS", "str"], ["SUNIONSTORE", "u", "none"],
        ["SINTERSTORE", "d"], ["SUNIONSTORE"],
    ],
    "sets_move_and_scan": [
        ["SADD", "a", "1", "2", "x"], ["SMOVE", "a", "b", "1"], ["SMOVE", "a", "b", "9"],
        ["SMOVE", "none", "b", "1"], ["SMOVE", "a", "a", "2"], ["SMOVE", "a", "a", "9"],
        ["SMOVE", "a", "b", "x"], ["OBJECT", "ENCODING", "b"], ["SMOVE", "a", "b", "2"],
        ["EXISTS", "a"], ["SMEMBERS", "b"], ["SMOVE", "a"],
        ["SSCAN", "none", "0", "bogus"], ["SSCAN", "none", "x"], ["SADD", "i", "1", "2", "12"],
        ["SSCAN", "i", "0"], ["SSCAN", "i", "0", "MATCH", "1*"], ["SSCAN", "i", "0", "COUNT", "0"],
        ["SSCAN", "i", "0", "COUNT", "x"], ["SSCAN", "i", "0", "TYPE", "set"],
        ["SSCAN", "i", "0", "COUNT"], ["SSCAN", "i", "0", "FOO", "1"], ["SSCAN", "i", "-1"],
        ["SSCAN", "b", "0", "COUNT", "1000"], ["SSCAN", "b", "0", "MATCH", "*", "COUNT", "100"],
    ],
    "sets_intset_limit": [
        ["SADD", "big", *[str(i) for i in range(513)]], ["OBJECT", "ENCODING", "big"],
        ["SADD", "full", *[str(i) for i in range(512)]], ["OBJECT", "ENCODING", "full"],
        ["SADD", "full", "5"], ["OBJECT", "ENCODING", "full"], ["SADD", "full", "-1"],
        ["OBJECT", "ENCODING", "full"], ["SCARD", "full"], ["SISMEMBER", "full", "511"],
        ["SINTERCARD", "2", "big", "full"],
    ],
    "sort": _WT + [
        ["RPUSH", "l", "3", "10", "1", "2.5", "-1", "1e1", " 4", "0x10"], ["SORT", "l"],
        ["SORT", "l", "DESC"], ["SORT", "l", "ALPHA"], ["SORT", "l", "ALPHA", "DESC"],
        ["SORT", "l", "LIMIT", "1", "3"], ["SORT", "l", "LIMIT", "-2", "2"],
        ["SORT", "l", "LIMIT", "2", "-1"], ["SORT", "l", "LIMIT", "100", "1"],
        ["SORT", "l", "LIMIT", "x", "1"], ["SORT", "l", "LIMIT", "1"], ["SORT", "l", "FOO"],
        ["SORT", "l", "BY", "nosort"], ["SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2"],
        ["SADD", "s", "5", "3", "9"], ["SORT", "s"], ["SORT", "s", "DESC"],
        ["MSET", "w_5", "3", "w_3", "x", "w_9", "1", "d_5", "D5", "d_9", "D9"],
        ["SORT", "s", "BY", "w_*"], ["SORT", "s", "BY", "w_*", "ALPHA"],
        ["SORT", "s", "BY", "v_*", "GET", "#", "GET", "d_*", "GET", "nostar", "GET", "d_*->f"],
        ["SORT", "s", "BY", "nosort", "STORE", "dst"], ["LRANGE", "dst", "0", "-1"],
        ["SORT", "l", "GET", "d_*", "STORE", "dst"], ["LRANGE", "dst", "0", "-1"],
        ["SORT", "none", "STORE", "dst"], ["EXISTS", "dst"], ["SORT", "str"],
        ["SORT", "str", "FOO"], ["SORT_RO", "l", "STORE", "d"], ["SORT_RO", "s", "LIMIT", "0", "2"],
        ["RPUSH", "bad", "1", "x"], ["SORT", "bad"], ["SORT", "bad", "ALPHA"], ["SORT"],
        # ALPHA collates (strcoll: a NUL ends the comparison, equal ones keep their order)
        # except into STORE, which compares bytes.
        ["RPUSH", "nul", "a\x00b", "a\x00a", "a", "b\x00", "a\x00c"], ["SORT", "nul", "ALPHA"],
        ["SORT", "nul", "ALPHA", "DESC"], ["SORT", "nul", "ALPHA", "STORE", "dst"],
        ["LRANGE", "dst", "0", "-1"], ["MSET", "k_a", "x\x00b", "k_b", "x\x00a"],
        ["SORT", "s", "BY", "k_*", "ALPHA"], ["SORT", "s", "BY", "k_*", "ALPHA", "STORE", "dst"],
        ["LRANGE", "dst", "0", "-1"],
    ],
}


def random_choices(session):
    r = session.rng
    key, value = session.key, session.value

    def members(n=3):
        return [r.choice(["1", "2", "3", "-7", "100000", "a", "b", "", "x" * 20, "01"])
                for _ in range(r.randint(1, n))]

    return [
        lambda: ["SADD", key()] + members(4),
        lambda: ["SREM", key()] + members(2),
        lambda: ["SCARD", key()],
        lambda: ["SISMEMBER", key(), members(1)[0]],
        lambda: ["SMISMEMBER", key()] + members(3),
        lambda: ["SMEMBERS", key()],
        lambda: ["SRANDMEMBER", key()] + r.choice([[], [session.number(-6, 6)]]),
        # Only pops that take the whole set: a partial pop's choice would make the servers differ.
        lambda: ["SPOP", key(), "100"],
        lambda: ["SMOVE", key(), key(), members(1)[0]],
        lambda: [r.choice(["SINTER", "SUNION", "SDIFF"]), key(), key()],
        lambda: ["SINTERCARD", "2", key(), key()] + r.choice([[], ["LIMIT", "1"]]),
        lambda: [r.choice(["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]), key(), key(), key()],
        lambda: ["SSCAN", key(), "0", "COUNT", "1000"],
        lambda: ["SADD", key(), value()],
    ]
