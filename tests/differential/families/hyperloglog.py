"""HyperLogLog (Redis's hyperloglog.c): the representation's exact bytes (GET after PFADD), errors
for plain strings (WRONGTYPE ... not a valid HyperLogLog) and corrupt values (INVALIDOBJ)."""

SCRIPTS = {
    "hyperloglog": [
        ["PFADD", "h", "a", "b", "c"], ["GET", "h"], ["PFCOUNT", "h"], ["GET", "h"],
        ["PFADD", "h", "a"], ["PFADD", "e"], ["GET", "e"], ["PFCOUNT", "none"],
        ["PFADD", "h2"] + ["x%d" % i for i in range(300)], ["PFCOUNT", "h2"], ["GET", "h2"],
        ["PFDEBUG", "ENCODING", "h2"], ["PFDEBUG", "DECODE", "h"],
        ["PFADD", "d"] + ["y%d" % i for i in range(2500)], ["PFDEBUG", "ENCODING", "d"],
        ["PFCOUNT", "d"], ["GET", "d"], ["PFCOUNT", "h", "h2", "d", "none"],
        ["PFMERGE", "m", "h", "h2"], ["GET", "m"], ["PFCOUNT", "m"], ["PFMERGE", "m", "d"],
        ["GET", "m"], ["PFDEBUG", "TODENSE", "h"], ["GET", "h"], ["PFDEBUG", "DECODE", "h"],
        ["PFDEBUG", "GETREG", "none"], ["PFDEBUG", "NOPE", "h"],
        ["SET", "s", "plain"], ["PFADD", "s", "x"], ["PFCOUNT", "s"], ["PFCOUNT", "h", "s"],
        ["PFMERGE", "s", "h"], ["PFDEBUG", "ENCODING", "s"],
        ["RPUSH", "l", "x"], ["PFADD", "l", "x"], ["PFCOUNT", "h", "l"], ["PFMERGE", "h", "l"],
        ["SET", "u", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe"],
        ["PFCOUNT", "u"], ["PFCOUNT", "u", "h"], ["PFMERGE", "m", "u"], ["PFADD", "u", "a"],
        ["SET", "o", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff\x05"],
        ["PFCOUNT", "o"], ["PFADD", "o", "q"], ["PFDEBUG", "DECODE", "o"],
        ["SET", "c", "HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f"],
        ["PFCOUNT", "c"], ["PFDEBUG", "DECODE", "c"],
        ["SET", "bad", "HYLL\x00\x00\x00\x00"], ["PFCOUNT", "bad"],
        ["CONFIG", "SET", "hll-sparse-max-bytes", "50"],
        ["PFADD", "p"] + ["z%d" % i for i in range(40)], ["PFDEBUG", "ENCODING", "p"], ["GET", "p"],
        ["CONFIG", "SET", "hll-sparse-max-bytes", "3000"], ["CONFIG", "GET", "hll-sparse-max-bytes"],
    ],
}


def random_choices(session):
    r = session.rng
    return [
        lambda: ["PFADD", session.key()] + [session.value() for _ in range(r.randint(0, 3))],
        lambda: ["PFADD", session.key()] + ["e%d" % r.randint(0, 5000) for _ in range(40)],
        lambda: ["PFCOUNT", session.key()] + r.choice([[], [session.key()]]),
        lambda: ["PFMERGE", session.key(), session.key()] + r.choice([[], [session.key()]]),
        lambda: ["PFDEBUG", r.choice(["ENCODING", "DECODE", "TODENSE"]), session.key()],
    ]
