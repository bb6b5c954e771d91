"""Sorted sets: ZADD's options and errors, score formatting (RESP2 "%.17g" strings, RESP3
doubles), every range form, pops, set operations. ZRANDMEMBER and ZSCAN answer in an order of
their own, compared after sorting."""


def _sorted_array(raw):
    # The elements of a flat array (or of ZSCAN's second part), whatever their order.
    lines = raw.split(b"\r\n")
    return sorted(lines[1:])


SCRIPTS = {
    "zsets": [
        ["ZADD", "z", "1", "a", "2", "b", "3", "c", "1.5", "d"],
        ["ZADD", "z", "NX", "XX", "1", "a"], ["ZADD", "z", "GT", "LT", "1", "a"],
        ["ZADD", "z", "NX", "GT", "1", "a"], ["ZADD", "z", "INCR", "1", "a", "2", "b"],
        ["ZADD", "z", "1"], ["ZADD", "z", "1", "a", "2"], ["ZADD", "z", "abc", "a"],
        ["ZADD", "z", "nan", "a"], ["ZADD", "z", "INCR", "1.1", "a"],
        ["ZADD", "z", "XX", "INCR", "1", "nosuch"], ["ZADD", "z", "NX", "INCR", "1", "a"],
        ["ZADD", "z", "CH", "GT", "0", "a", "5", "b", "9", "new"], ["ZADD", "z", "LT", "CH", "1", "b"],
        ["ZSCORE", "z", "a"], ["ZSCORE", "z", "nosuch"], ["ZMSCORE", "z", "a", "nosuch", "b"],
        ["ZINCRBY", "z", "0.1", "d"], ["ZINCRBY", "z", "x", "d"], ["ZINCRBY", "zz", "-3", "m"],
        ["ZADD", "inf", "+inf", "x", "-inf", "y"], ["ZINCRBY", "inf", "-inf", "x"],
        ["ZRANGE", "inf", "0", "-1", "WITHSCORES"],
        ["ZADD", "f", "0.1", "a", "-0.0", "b", "1e300", "c", "1.5e-7", "d", "123456789012", "e"],
        ["ZRANGE", "f", "0", "-1", "WITHSCORES"], ["ZSCORE", "f", "b"],
        ["ZRANGE", "z", "0", "-1", "WITHSCORES"], ["ZRANGE", "z", "-2", "100"],
        ["ZRANGE", "z", "5", "1"], ["ZRANGE", "z", "x", "1"],
        ["ZRANGE", "z", "(1", "+inf", "BYSCORE", "LIMIT", "1", "2", "WITHSCORES"],
        ["ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "WITHSCORES"],
        ["ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"], ["ZRANGE", "z", "0", "-1", "LIMIT", "0", "-1"],
        ["ZRANGE", "z", "[a", "+", "BYLEX", "WITHSCORES"], ["ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"],
        ["ZRANGE", "z", "0", "1", "REV", "REV"], ["ZRANGE", "z", "0", "1", "LIMIT", "1"],
        ["ZRANGE", "z", "-inf", "inf", "BYSCORE", "LIMIT", "-1", "5"],
        ["ZRANGE", "z", "-inf", "inf", "BYSCORE", "LIMIT", "1", "-5"],
        ["ZRANGEBYLEX", "z", "-", "+", "LIMIT", "1", "10"], ["ZRANGEBYLEX", "z", "a", "+"],
        ["ZRANGEBYLEX", "z", "(a", "[new"], ["ZREVRANGEBYLEX", "z", "+", "(b"],
        ["ZRANGEBYSCORE", "z", "x", "1"], ["ZRANGEBYSCORE", "z", "(1", "(5", "WITHSCORES"],
        ["ZRANGEBYSCORE", "z", "", "+inf"], ["ZRANGEBYSCORE", "z", "(", "+inf"],
        ["ZRANGEBYSCORE", "z", " 1", "1e400"], ["ZRANGEBYSCORE", "z", "1 ", "2"],
        ["ZCOUNT", "z", "", "(2"],
        ["ZRANGEBYSCORE", "z", "1", "2", "BYSCORE"],
        ["ZREVRANGEBYSCORE", "z", "100", "(2", "WITHSCORES", "LIMIT", "0", "-1"],
        ["ZREVRANGE", "z", "0", "1", "WITHSCORES"], ["ZREVRANGE", "z", "0", "1", "LIMIT", "0", "1"],
        ["ZCOUNT", "z", "-inf", "3"], ["ZCOUNT", "z", "(3", "3"], ["ZCOUNT", "z", "a", "3"],
        ["ZLEXCOUNT", "z", "-", "+"], ["ZLEXCOUNT", "z", "[b", "(c"], ["ZLEXCOUNT", "z", "b", "+"],
        ["ZRANK", "z", "c"], ["ZREVRANK", "z", "c"], ["ZRANK", "z", "zz"], ["ZRANK", "none", "a"],
        ["ZCARD", "z"], ["ZCARD", "none"],
        ["ZRANGESTORE", "dst", "z", "0", "1"], ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
        ["ZRANGESTORE", "dst", "z", "5", "10"], ["EXISTS", "dst"],
        ["ZRANGESTORE", "dst", "z", "0", "1", "WITHSCORES"],
        ["ZRANGESTORE", "dst", "z", "[c", "-", "BYLEX", "REV"], ["ZRANGE", "dst", "0", "-1"],
        ["ZPOPMIN", "z"], ["ZPOPMAX", "z", "2"], ["ZPOPMIN", "z", "-1"], ["ZPOPMIN", "z", "0"],
        ["ZPOPMIN", "z", "1", "2"], ["ZPOPMAX", "none"],
        ["ZMPOP", "2", "nokey", "z", "MIN", "COUNT", "10"], ["ZMPOP", "1", "z", "MIN"],
        ["ZMPOP", "0", "z", "MIN"], ["ZMPOP", "1", "z", "MID"], ["ZMPOP", "1", "z", "MIN", "COUNT"],
        ["ZMPOP", "1", "z", "MIN", "COUNT", "0"], ["ZMPOP", "2", "z"],
        ["ZADD", "s1", "1", "a", "2", "b", "3", "c"], ["ZADD", "s2", "4", "b", "5", "c", "6", "d"],
        ["ZUNION", "2", "s1", "s2", "WITHSCORES"],
        ["ZINTER", "2", "s1", "s2", "WEIGHTS", "2", "3", "AGGREGATE", "MAX", "WITHSCORES"],
        ["ZDIFF", "2", "s1", "s2", "WITHSCORES"], ["ZDIFF", "2", "s1", "s2", "WEIGHTS", "1", "1"],
        ["ZUNIONSTORE", "out", "2", "s1", "s2", "AGGREGATE", "MIN"],
        ["ZRANGE", "out", "0", "-1", "WITHSCORES"], ["ZUNIONSTORE", "out", "2", "s1", "s2", "WITHSCORES"],
        ["ZINTERSTORE", "out2", "2", "s1", "nokey"], ["EXISTS", "out2"],
        ["ZDIFFSTORE", "out3", "1", "s2"], ["ZINTERCARD", "2", "s1", "s2", "LIMIT", "1"],
        ["ZINTERCARD", "2", "s1", "s2"], ["ZINTERCARD", "0", "s1"],
        ["ZINTERCARD", "1", "s1", "LIMIT", "-1"], ["ZUNION", "2", "s1", "s2", "WEIGHTS", "1", "x"],
        ["ZUNION", "2", "s1", "s2", "WEIGHTS", "1"], ["ZUNION", "3", "s1"],
        ["ZUNION", "2", "s1", "s2", "AGGREGATE", "AVG"],
        ["ZREMRANGEBYSCORE", "out", "(1", "3"], ["ZREMRANGEBYLEX", "out", "[a", "[b"],
        ["ZREMRANGEBYRANK", "out", "0", "0"], ["ZREMRANGEBYRANK", "out", "x", "0"],
        ["ZREMRANGEBYSCORE", "out", "x", "0"], ["ZREMRANGEBYLEX", "out", "a", "b"],
        ["ZRANGE", "out", "0", "-1"],
        ["OBJECT", "ENCODING", "s1"], ["TYPE", "s1"], ["ZSCAN", "s1", "0"],
        ["ZSCAN", "s1", "0", "MATCH", "b*"], ["ZSCAN", "s1", "x"], ["ZSCAN", "s1", "0", "COUNT", "0"],
        ["ZRANDMEMBER", "s1", "0"], ["ZRANDMEMBER", "nokey", "3"], ["ZRANDMEMBER", "nokey"],
        ["ZRANDMEMBER", "s1", "5", "WITHSCORES"], ["ZRANDMEMBER", "s1", "1", "FOO"],
        ["BZPOPMIN", "nokey", "s1", "0"], ["BZPOPMAX", "s1", "-1"], ["BZMPOP", "0", "1", "s1", "MAX"],
        ["SET", "str", "x"], ["ZADD", "str", "1", "a"], ["ZRANGE", "str", "0", "-1"],
        ["ZUNION", "1", "str"], ["ZSCORE", "str", "a"], ["ZPOPMIN", "str"],
        ["CONFIG", "SET", "zset-max-ziplist-entries", "2"], ["ZADD", "big", "1", "a", "2", "b"],
        ["OBJECT", "ENCODING", "big"], ["ZADD", "big", "3", "c"], ["OBJECT", "ENCODING", "big"],
        ["ZADD", "big", "-0.0", "neg"], ["ZSCORE", "big", "neg"], ["ZRANK", "big", "c"],
        ["CONFIG", "SET", "zset-max-ziplist-entries", "128"],
    ],
    # Plain sets are inputs of the sorted set operations, every member scoring 1; SORT reads a
    # sorted set in score order.
    "zsets_with_sets": [
        ["ZADD", "z", "1", "a", "5", "b", "2.5", "c"], ["SADD", "s", "a", "x", "7"],
        ["ZUNION", "2", "z", "s", "WITHSCORES"], ["ZINTER", "2", "z", "s", "WITHSCORES"],
        ["ZDIFF", "2", "z", "s"], ["ZDIFF", "2", "s", "z", "WITHSCORES"],
        ["ZUNIONSTORE", "d", "2", "s", "z", "WEIGHTS", "3", "1", "AGGREGATE", "MAX"],
        ["ZRANGE", "d", "0", "-1", "WITHSCORES"], ["ZINTERCARD", "2", "s", "z"],
        ["ZINTERSTORE", "d2", "1", "s"], ["ZRANGE", "d2", "0", "-1", "WITHSCORES"],
        ["RPUSH", "l", "1"], ["ZUNION", "2", "z", "l"],
        ["SORT", "z", "BY", "nosort"], ["SORT", "z", "BY", "nosort", "DESC", "LIMIT", "0", "2"],
        ["SORT", "z", "ALPHA", "DESC"], ["SORT", "z", "BY", "nosort", "STORE", "dst"],
        ["LRANGE", "dst", "0", "-1"], ["HSET", "w_a", "k", "3"], ["HSET", "w_b", "k", "1"],
        ["SORT", "z", "BY", "w_*->k", "GET", "#", "GET", "w_*->k"],
        ["ZSCAN", "nokey", "0", "COUNT", "x"], ["ZSCAN", "z", "0", "COUNT", "x"],
        ["ZSCAN", "z", "0", "COUNT"], ["ZSCAN", "z", "0", "TYPE", "zset"],
        ["HSCAN", "nokey", "0", "FOO"], ["SSCAN", "s", "0", "COUNT", "0"],
    ],
}

NORMALIZE = {
    "zrandmember": _sorted_array,
    "zscan": _sorted_array,
}


def random_choices(s):
    r = s.rng

    def score():
        return r.choice(["1", "-2", "0.1", "3.5", "+inf", "-inf", "1e-3", "7", "(2"])

    def member():
        return r.choice(["a", "b", "c", "dd", "", "x" * 70])

    return [
        lambda: ["ZADD", s.key()] + r.choice([[], ["NX"], ["XX"], ["GT"], ["CH"], ["LT", "CH"]])
        + [score(), member(), score(), member()],
        lambda: ["ZADD", s.key(), "INCR", score(), member()],
        lambda: ["ZINCRBY", s.key(), score(), member()],
        lambda: ["ZREM", s.key(), member(), member()],
        lambda: ["ZSCORE", s.key(), member()],
        lambda: ["ZRANK", s.key(), member()],
        lambda: ["ZCARD", s.key()],
        lambda: ["ZRANGE", s.key(), s.number(), s.number(), "WITHSCORES"],
        lambda: ["ZRANGEBYSCORE", s.key(), score(), score(), "WITHSCORES"],
        lambda: ["ZRANGE", s.key(), "[b", "+", "BYLEX", "REV", "LIMIT", "0", s.number(0, 3)],
        lambda: ["ZCOUNT", s.key(), score(), score()],
        lambda: ["ZPOPMIN", s.key(), s.number(0, 3)],
        lambda: ["ZMPOP", "2", s.key(), s.key(), r.choice(["MIN", "MAX"])],
        lambda: ["ZREMRANGEBYRANK", s.key(), s.number(), s.number()],
        lambda: ["ZUNIONSTORE", s.key(), "2", s.key(), s.key(), "WEIGHTS", "2", "0.5"],
        lambda: ["ZINTER", "2", s.key(), s.key(), "WITHSCORES"],
        # Counts that select the whole set (or nothing): a random subset would differ.
        lambda: ["ZRANDMEMBER", s.key(), r.choice(["0", "100"])],
    ]
