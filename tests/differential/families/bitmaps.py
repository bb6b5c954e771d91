"""Bitmaps (Redis's bitops.c): bit commands on the session's strings, errors in Redis's order."""

SCRIPTS = {
    "bitmaps": [
        ["SETBIT", "b", "7", "1"], ["SETBIT", "b", "7", "1"], ["SETBIT", "b", "100", "1"],
        ["GET", "b"], ["GETBIT", "b", "100"], ["GETBIT", "b", "100000"], ["GETBIT", "none", "0"],
        ["SETBIT", "b", "-1", "1"], ["SETBIT", "b", "4294967296", "1"], ["SETBIT", "b", "1", "2"],
        ["SETBIT", "b", "x", "2"], ["GETBIT", "b", "01"],
        ["SET", "s", "foobar"], ["BITCOUNT", "s"], ["BITCOUNT", "s", "1", "1"],
        ["BITCOUNT", "s", "5", "30", "BIT"], ["BITCOUNT", "s", "-1", "-3", "nope"],
        ["BITCOUNT", "s", "0"], ["BITCOUNT", "s", "0", "1", "x"], ["BITCOUNT", "s", "a", "1"],
        ["BITCOUNT", "none", "a"], ["BITPOS", "s", "1"], ["BITPOS", "s", "0", "2", "-1"],
        ["BITPOS", "s", "1", "7", "21", "BIT"], ["BITPOS", "s", "0", "0", "-1", "bit"],
        ["BITPOS", "s", "2"], ["BITPOS", "none", "1", "x"], ["BITPOS", "s", "0", "1", "2", "3"],
        ["SET", "ones", "\xff\xff"], ["BITPOS", "ones", "0"], ["BITPOS", "ones", "0", "0", "-1"],
        ["BITOP", "AND", "d", "s", "ones"], ["GET", "d"], ["BITOP", "XOR", "d", "s", "b", "none"],
        ["GET", "d"], ["BITOP", "NOT", "d", "s"], ["GET", "d"], ["BITOP", "NOT", "d", "s", "b"],
        ["BITOP", "NAND", "d", "s"], ["BITOP", "OR", "d", "none"], ["EXISTS", "d"],
        ["BITFIELD", "f", "SET", "i8", "0", "100", "INCRBY", "i8", "0", "100", "OVERFLOW", "SAT",
         "INCRBY", "u4", "#3", "99", "OVERFLOW", "FAIL", "INCRBY", "u4", "#3", "1", "GET", "u4", "#3"],
        ["GET", "f"], ["BITFIELD", "f", "GET", "u64", "0"], ["BITFIELD", "f", "GET", "i8", "#-1"],
        ["BITFIELD", "f", "OVERFLOW", "x"], ["BITFIELD", "f", "GET"], ["BITFIELD", "f"],
        ["BITFIELD_RO", "f", "GET", "i64", "3"], ["BITFIELD_RO", "f", "SET", "i8", "0", "1"],
        ["RPUSH", "l", "x"], ["SETBIT", "l", "0", "1"], ["BITCOUNT", "l"], ["BITPOS", "l", "0"],
        ["BITOP", "OR", "d", "l"], ["BITFIELD", "l", "GET", "u8", "0"], ["BITOP", "OR", "l", "s"],
        ["TYPE", "l"],
    ],
}


def random_choices(session):
    r = session.rng
    return [
        lambda: ["SETBIT", session.key(), session.number(0, 70), r.choice(["0", "1", "2"])],
        lambda: ["GETBIT", session.key(), session.number(-1, 70)],
        lambda: ["BITCOUNT", session.key()] + r.choice(
            [[], [session.number(), session.number()],
             [session.number(-20, 20), session.number(-20, 20), r.choice(["BIT", "BYTE"])]]),
        lambda: ["BITPOS", session.key(), r.choice(["0", "1"])] + r.choice(
            [[], [session.number()], [session.number(), session.number()],
             [session.number(-20, 20), session.number(-20, 20), r.choice(["BIT", "BYTE"])]]),
        lambda: ["BITOP", r.choice(["AND", "OR", "XOR", "NOT"]), session.key(), session.key()]
        + r.choice([[], [session.key()]]),
        lambda: ["BITFIELD", session.key(), "OVERFLOW", r.choice(["WRAP", "SAT", "FAIL"]),
                 "INCRBY", r.choice(["i5", "u3", "i64", "u63"]), r.choice(["#1", "3", "0"]),
                 session.number(-40, 40), "GET", "u8", "#0"],
        lambda: ["BITFIELD_RO", session.key(), "GET", r.choice(["i12", "u7"]), session.number(0, 30)],
    ]
