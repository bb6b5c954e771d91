"""Differential tests of Pub/Sub and keyspace notifications against redis-server 7.0.15.

Pub/Sub: a subscriber and a publisher run the same script on both servers; every byte each client
receives (replies, subscribe notices, messages; RESP2 arrays and RESP3 pushes) must be the same.

Keyspace notifications: a client subscribed to every channel (PSUBSCRIBE *) watches another client
run writes of every family; the stream of notifications it receives (which events, in which order,
on which channels) must be the same, for several notify-keyspace-events settings."""

import os
import select
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import basalt_harness as h  # noqa: E402


def drain(client, first_wait=2.0, quiet=0.02):
    """Everything the client receives until the connection is quiet: a script step's whole output
    (a SUBSCRIBE of three channels answers with three notices, a PUBLISH with nothing at all)."""
    data, client.buf = client.buf, b""
    deadline = time.monotonic() + first_wait
    while True:
        wait = quiet if data else max(0.0, deadline - time.monotonic())
        ready, _, _ = select.select([client.sock], [], [], wait)
        if not ready:
            return data
        chunk = client.sock.recv(1 << 16)
        if not chunk:
            return data
        data += chunk


# (client, command): "s" subscribes, "p" publishes; "S" is the subscriber running a command that
# sends nothing back (CLIENT REPLY OFF is in force), so the step waits briefly instead of until a
# reply arrives. Replies that list several channels in hash
# order (PUBSUB CHANNELS with many, UNSUBSCRIBE of all with many) are left out: their order is the
# server's table order, which no client may rely on.
PUBSUB_SCRIPT = [
    ("s", ("SUBSCRIBE", "news", "sport", "news")),
    ("p", ("PUBLISH", "news", "hello")),
    ("p", ("PUBLISH", "nobody", "x")),
    ("s", ("PING",)), ("s", ("PING", "payload")),
    ("s", ("GET", "k")), ("s", ("SET", "k", "v")),
    ("s", ("PSUBSCRIBE", "n*", "s?ort", "n*")),
    ("p", ("PUBLISH", "news", "both")),
    ("p", ("PUBLISH", "sport", "match")),
    ("p", ("PUBSUB", "NUMSUB", "news", "sport", "none")),
    ("p", ("PUBSUB", "NUMPAT")),
    ("p", ("PUBSUB", "CHANNELS", "new*")),
    ("p", ("PUBSUB", "CHANNELS", "zzz*")),
    ("p", ("PUBSUB", "NUMSUB")),
    ("p", ("PUBSUB", "CHANNELS", "a", "b")),
    ("p", ("PUBSUB", "NOSUCH")),
    ("p", ("PUBSUB", "NUMPAT", "extra")),
    ("s", ("UNSUBSCRIBE", "sport", "never")),
    ("s", ("PUNSUBSCRIBE", "s?ort")),
    ("p", ("PUBLISH", "sport", "gone")),
    ("s", ("UNSUBSCRIBE",)),
    ("s", ("PUNSUBSCRIBE",)),
    ("s", ("PUNSUBSCRIBE",)),
    ("s", ("UNSUBSCRIBE",)),
    ("s", ("PING",)),
    ("s", ("SSUBSCRIBE", "shard1")),
    ("p", ("SPUBLISH", "shard1", "sm")),
    ("p", ("PUBLISH", "shard1", "not-to-shard")),
    ("p", ("PUBSUB", "SHARDNUMSUB", "shard1", "x")),
    ("p", ("PUBSUB", "SHARDCHANNELS")),
    ("s", ("SUNSUBSCRIBE", "shard1")),
    ("s", ("SUNSUBSCRIBE",)),
    ("s", ("SUBSCRIBE",)),
    ("p", ("PUBLISH", "news")),
    ("S", ("CLIENT", "REPLY", "OFF")),
    ("s", ("SUBSCRIBE", "quiet")),
    ("p", ("PUBLISH", "quiet", "still delivered")),
    ("S", ("CLIENT", "REPLY", "ON")),
    ("s", ("SUBSCRIBE", "self")),
    ("S", ("MULTI",)), ("S", ("PING",)), ("S", ("EXEC",)),
    ("s", ("RESET",)),
    ("p", ("PUBLISH", "self", "after reset")),
    # (A PUBLISH to itself inside the MULTI is left out: 7.0.15 writes the message inside EXEC's
    # array, which Redis 7.2 fixed (#12326) and Basalt does as 7.2 does; test_pubsub.py.)
    ("s", ("MULTI",)), ("s", ("SUBSCRIBE", "inmulti")), ("s", ("PING",)), ("s", ("EXEC",)),
    ("s", ("QUIT",)),
]

# Writes of every family; each notification they cause must match Redis's, in order.
NOTIFY_SCRIPT = [
    # Strings.
    ("SET", "s", "v"), ("SET", "s", "v2", "EX", "100"), ("SET", "s", "v3", "NX"),
    ("SET", "s", "v3", "XX", "GET"), ("SETNX", "s2", "a"), ("SETEX", "s3", "100", "x"),
    ("PSETEX", "s4", "100000", "x"), ("GETSET", "s", "g"), ("GETDEL", "s4"), ("GETDEL", "nokey"),
    ("GETEX", "s", "EX", "50"), ("GETEX", "s", "PERSIST"), ("GETEX", "s", "PERSIST"),
    ("GETEX", "s3", "PXAT", "1"), ("MSET", "m1", "1", "m2", "2"), ("MSETNX", "m3", "3", "m1", "x"),
    ("MSETNX", "m4", "4", "m5", "5"), ("INCR", "c"), ("DECR", "c"), ("INCRBY", "c", "5"),
    ("DECRBY", "c", "2"), ("INCRBYFLOAT", "c", "1.5"), ("APPEND", "a", "x"), ("APPEND", "a", "y"),
    ("SETRANGE", "a", "5", "z"), ("SETRANGE", "a", "0", ""), ("SETRANGE", "fresh", "0", ""),
    ("GET", "s"), ("GET", "missing"), ("MGET", "s", "missing"), ("STRLEN", "missing"),
    # Bitmaps and HyperLogLog.
    ("SETBIT", "b", "3", "1"), ("SETBIT", "b", "3", "1"), ("BITFIELD", "b", "SET", "u8", "0", "7"),
    ("BITFIELD", "b", "GET", "u8", "0"), ("BITOP", "NOT", "bn", "b"),
    ("BITOP", "AND", "bn", "nothing"), ("PFADD", "hll", "a", "b"), ("PFADD", "hll", "a"),
    ("PFADD", "hll2"), ("PFMERGE", "hll3", "hll", "hll2"), ("PFCOUNT", "hll"),
    # Lists.
    ("LPUSH", "l", "a", "b"), ("RPUSH", "l", "c"), ("LPUSHX", "l", "d"), ("RPUSHX", "nol", "d"),
    ("LINSERT", "l", "BEFORE", "c", "x"), ("LINSERT", "l", "AFTER", "zz", "x"),
    ("LSET", "l", "0", "first"), ("LREM", "l", "0", "x"), ("LTRIM", "l", "0", "2"),
    ("LPOP", "l"), ("RPOP", "l", "1"), ("LMOVE", "l", "l2", "LEFT", "RIGHT"),
    ("RPOPLPUSH", "l2", "l2"), ("RPUSH", "l3", "1", "2", "3"), ("LMPOP", "2", "nol", "l3", "RIGHT",
                                                                 "COUNT", "2"),
    ("BLPOP", "l3", "0.01"), ("BRPOP", "l3", "0.01"), ("LTRIM", "l2", "1", "0"),
    ("RPUSH", "l4", "a"), ("LREM", "l4", "0", "a"), ("RPUSH", "l5", "a"),
    ("BLMOVE", "l5", "l6", "RIGHT", "LEFT", "0"), ("BLMPOP", "0", "1", "l6", "LEFT"),
    # Hashes.
    ("HSET", "h", "f", "1", "g", "2"), ("HSET", "h", "f", "1"), ("HSETNX", "h", "f", "x"),
    ("HSETNX", "h", "n", "x"), ("HMSET", "h", "a", "b"), ("HINCRBY", "h", "f", "2"),
    ("HINCRBYFLOAT", "h", "f", "0.5"), ("HDEL", "h", "nosuch"), ("HDEL", "h", "f", "g"),
    ("HDEL", "h", "n", "a"), ("HGET", "h", "f"),
    # Sets.
    ("SADD", "st", "1", "2", "3"), ("SADD", "st", "1"), ("SREM", "st", "1", "9"),
    ("SMOVE", "st", "st2", "2"), ("SMOVE", "st", "st2", "nosuch"), ("SPOP", "st"),
    ("SADD", "st3", "a"), ("SPOP", "st3", "5"), ("SADD", "sa", "1", "2"), ("SADD", "sb", "2", "3"),
    ("SINTERSTORE", "sd", "sa", "sb"), ("SUNIONSTORE", "sd", "sa", "sb"),
    ("SDIFFSTORE", "sd", "sa", "sa"), ("SDIFFSTORE", "sd", "sa", "sb"), ("SREM", "st2", "2"),
    # Sorted sets.
    ("ZADD", "z", "1", "a", "2", "b", "3", "c"), ("ZADD", "z", "1", "a"),
    ("ZADD", "z", "INCR", "5", "a"), ("ZINCRBY", "z", "1", "b"), ("ZADD", "z", "NX", "9", "a"),
    ("ZREM", "z", "nosuch"), ("ZREM", "z", "c"), ("ZREMRANGEBYSCORE", "z", "100", "200"),
    ("ZADD", "z", "0", "m", "0", "n", "0", "o"), ("ZREMRANGEBYLEX", "z", "[m", "[n"),
    ("ZREMRANGEBYRANK", "z", "0", "0"), ("ZPOPMIN", "z"), ("ZPOPMAX", "z", "5"),
    ("ZADD", "za", "1", "x", "2", "y"), ("ZADD", "zb", "3", "y"),
    ("ZUNIONSTORE", "zd", "2", "za", "zb"), ("ZINTERSTORE", "zd", "2", "za", "zb"),
    ("ZDIFFSTORE", "zd", "1", "nothing"), ("ZRANGESTORE", "zd", "za", "0", "-1"),
    ("ZRANGESTORE", "zd", "za", "5", "6"), ("ZMPOP", "1", "za", "MIN"),
    ("BZPOPMIN", "za", "0.01"), ("BZPOPMAX", "zb", "0"), ("ZADD", "zc", "1", "q"),
    ("BZMPOP", "0", "1", "zc", "MAX"),
    # Keys and expiry.
    ("SET", "k", "v"), ("EXPIRE", "k", "100"), ("EXPIRE", "k", "50", "GT"), ("PEXPIRE", "k", "999999"),
    ("EXPIREAT", "k", "4000000000"), ("PEXPIREAT", "k", "4000000000000"), ("PERSIST", "k"),
    ("PERSIST", "k"), ("EXPIRE", "k", "-1"), ("SET", "k", "v"), ("RENAME", "k", "k2"),
    ("SET", "k3", "v"), ("RENAMENX", "k2", "k3"), ("RENAMENX", "k2", "k4"), ("COPY", "k4", "k5"),
    ("COPY", "k4", "k5", "REPLACE"), ("MOVE", "k5", "1"), ("SELECT", "1"), ("DEL", "k5"),
    ("SELECT", "0"), ("DEL", "k4", "nokey", "m1"), ("UNLINK", "m2"), ("TOUCH", "m3"),
    ("SET", "dumped", "v"),
    ("SORT", "st2", "STORE", "sorted"), ("RPUSH", "tosort", "3", "1"),
    ("SORT", "tosort", "STORE", "sorted"), ("SORT", "nothing", "STORE", "sorted"),
    ("SET", "exp", "v", "PX", "1"), ("WAIT-MS", "20"), ("GET", "exp"), ("EXISTS", "exp"),
    ("MULTI",), ("SET", "t1", "v"), ("INCR", "t2"), ("EXEC",),
    ("SWAPDB", "0", "1"), ("SWAPDB", "0", "1"), ("FLUSHDB",), ("SET", "last", "v"),
]


class PubSubDifferentialTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.basalt = h.basalt("--enable-debug-command", "yes")
        cls.redis = h.redis("--enable-debug-command", "yes")

    @classmethod
    def tearDownClass(cls):
        cls.basalt.stop()
        cls.redis.stop()

    def clients(self, server, n):
        out = [h.RawClient(server.port) for _ in range(n)]
        for c in out:
            self.addCleanup(c.close)
        return out

    def run_pubsub(self, protocol):
        streams = {}
        for name, server in (("basalt", self.basalt), ("redis", self.redis)):
            sub, pub = self.clients(server, 2)
            if protocol == 3:
                sub.call("HELLO", "3")
            log = []
            for who, cmd in PUBSUB_SCRIPT:
                client = pub if who == "p" else sub
                client.sock.sendall(h.resp_encode(*cmd))
                # A message to the subscriber leaves in the same loop turn as the publisher's
                # reply: once that reply is in, a short wait tells whether one was sent.
                log.append((who, cmd, drain(client, first_wait=0.1 if who == "S" else 2.0),
                            drain(sub, first_wait=0.05 if who == "p" else 0.0)))
            streams[name] = log
        mismatches = [f"{b[0]} {b[1]}:\n    basalt {b[2]!r} / {b[3]!r}\n"
                      f"    redis  {r[2]!r} / {r[3]!r}"
                      for b, r in zip(streams["basalt"], streams["redis"]) if b != r]
        self.assertEqual(mismatches, [], f"RESP{protocol}:\n  " + "\n  ".join(mismatches))

    def test_pubsub_resp2(self):
        self.run_pubsub(2)

    def test_pubsub_resp3(self):
        self.run_pubsub(3)

    def notifications(self, server, classes, protocol):
        admin, watcher, writer = self.clients(server, 3)
        admin.call("FLUSHALL")
        admin.call("DEBUG", "SET-ACTIVE-EXPIRE", "0")
        admin.call("CONFIG", "SET", "notify-keyspace-events", classes)
        self.addCleanup(admin.call, "CONFIG", "SET", "notify-keyspace-events", "")
        if protocol == 3:
            watcher.call("HELLO", "3")
        watcher.call("PSUBSCRIBE", "*")
        replies = []
        for cmd in NOTIFY_SCRIPT:
            if cmd[0] == "WAIT-MS":
                time.sleep(int(cmd[1]) / 1000)
                continue
            replies.append(writer.call(*cmd))
        # Everything the script caused has been sent before this marker's message.
        writer.call("PUBLISH", "end-of-script", "1")
        messages = []
        while True:
            m = watcher.read_reply()
            if b"end-of-script" in m:
                return messages, replies
            messages.append(m)

    def compare_notifications(self, classes, protocol=2):
        got, got_replies = self.notifications(self.basalt, classes, protocol)
        want, want_replies = self.notifications(self.redis, classes, protocol)
        self.assertEqual(got_replies, want_replies, "the script's own replies differ")
        if got != want:
            import difflib
            diff = "\n".join(difflib.unified_diff([repr(m) for m in want], [repr(m) for m in got],
                                                  "redis", "basalt", lineterm="", n=2))
            self.fail(f"notify-keyspace-events {classes!r}:\n{diff}")
        self.assertGreater(len(got), 0)

    def test_every_event_keyspace_and_keyevent(self):
        self.compare_notifications("KEA")

    def test_new_and_miss_events(self):
        self.compare_notifications("KEnm")

    def test_masked_classes_resp3(self):
        self.compare_notifications("Elz", protocol=3)

    def test_generic_and_expired_only(self):
        self.compare_notifications("Kgx")


if __name__ == "__main__":
    unittest.main()
