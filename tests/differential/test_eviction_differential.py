"""Differential tests of maxmemory against redis-server 7.0.15, for what does not depend on how
many bytes a key costs: the OOM refusal and what it spares (byte for byte, RESP2 and RESP3),
MULTI/EXEC under the cap, OBJECT IDLETIME / FREQ replies and errors under each policy, the
parameters' validation texts, and volatile-ttl's order (keys go soonest-expiring first, keys
without a TTL never)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import basalt_harness as h  # noqa: E402

# Under `maxmemory 1` every server is over the cap, whatever its allocator.
OOM_SCRIPT = [
    ("CONFIG", "SET", "maxmemory-policy", "noeviction"),
    ("SET", "k", "v"),
    ("APPEND", "k", "v"),
    ("LPUSH", "l", "a"),
    ("RPUSH", "l", "a"),
    ("INCR", "n"),
    ("GET", "k"),
    ("EXISTS", "k"),
    ("DEL", "k"),
    ("PING",),
    ("ECHO", "hi"),
    ("MULTI",),
    ("GET", "k"),
    ("EXEC",),
    ("MULTI",),
    ("DISCARD",),
    ("OBJECT", "FREQ", "missing"),
    ("OBJECT", "IDLETIME", "missing"),
    # An LRU policy with nothing to evict still refuses.
    ("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"),
    ("SET", "k", "v"),
    ("CONFIG", "SET", "maxmemory-policy", "volatile-ttl"),
    ("SET", "k", "v"),
    ("CONFIG", "SET", "maxmemory-policy", "noeviction"),
]

CONFIG_SCRIPT = [
    ("CONFIG", "SET", "maxmemory-policy", "lru"),
    ("CONFIG", "SET", "maxmemory-policy", ""),
    ("CONFIG", "SET", "maxmemory-samples", "0"),
    ("CONFIG", "SET", "maxmemory-samples", "x"),
    ("CONFIG", "SET", "maxmemory-eviction-tenacity", "101"),
    ("CONFIG", "SET", "maxmemory-eviction-tenacity", "-1"),
    ("CONFIG", "SET", "maxmemory", "12xb"),
    ("CONFIG", "SET", "maxmemory", "-1"),
    ("CONFIG", "SET", "lfu-log-factor", "-1"),
    ("CONFIG", "SET", "lfu-decay-time", "-1"),
    ("CONFIG", "SET", "maxmemory-policy", "ALLKEYS-LFU"),
    ("CONFIG", "GET", "maxmemory-policy"),
    ("CONFIG", "SET", "maxmemory-samples", "7"),
    ("CONFIG", "GET", "maxmemory-samples"),
    ("CONFIG", "SET", "maxmemory", "0"),
    ("CONFIG", "GET", "maxmemory"),
    ("CONFIG", "SET", "maxmemory-policy", "noeviction"),
    ("CONFIG", "SET", "maxmemory-samples", "5"),
]

OBJECT_SCRIPT = [
    ("SET", "k", "v"),
    ("OBJECT", "IDLETIME", "k"),  # noeviction tracks idle time
    ("OBJECT", "FREQ", "k"),
    ("CONFIG", "SET", "maxmemory-policy", "volatile-lru"),
    ("OBJECT", "IDLETIME", "k"),
    ("OBJECT", "FREQ", "k"),
    ("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"),
    ("SET", "fresh", "v"),
    ("OBJECT", "FREQ", "fresh"),  # LFU_INIT_VAL, not touched by OBJECT
    ("OBJECT", "FREQ", "fresh"),
    ("OBJECT", "IDLETIME", "fresh"),
    ("OBJECT", "FREQ", "missing"),
    ("OBJECT", "FREQ"),
    ("OBJECT", "IDLETIME", "a", "b"),
    ("CONFIG", "SET", "maxmemory-policy", "volatile-lfu"),
    ("OBJECT", "IDLETIME", "k"),
    ("CONFIG", "SET", "maxmemory-policy", "allkeys-random"),
    ("OBJECT", "FREQ", "k"),
    ("CONFIG", "SET", "maxmemory-policy", "noeviction"),
]


def same_idle_time(cmd, got, want):
    """OBJECT IDLETIME counts whole seconds of each server's own clock: a second boundary that
    falls between a key's write and the question in one server only makes them differ by one."""
    if tuple(c.upper() for c in cmd[:2]) != ("OBJECT", "IDLETIME"):
        return False
    if not (got.startswith(b":") and want.startswith(b":")):
        return False
    return abs(int(got[1:]) - int(want[1:])) <= 1


class EvictionDifferential(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.basalt = h.basalt()
        cls.redis = h.redis()

    @classmethod
    def tearDownClass(cls):
        cls.basalt.stop()
        cls.redis.stop()

    def clients(self, protocol=2):
        b, r = h.RawClient(self.basalt.port), h.RawClient(self.redis.port)
        self.addCleanup(b.close)
        self.addCleanup(r.close)
        for c in (b, r):
            if protocol == 3:
                c.call("HELLO", "3")
            c.call("FLUSHALL")
            c.call("CONFIG", "SET", "maxmemory", "0")
        return b, r

    def compare(self, script, protocol, setup=()):
        b, r = self.clients(protocol)
        for c in (b, r):
            for cmd in setup:
                c.call(*cmd)
        mismatches = []
        for cmd in script:
            got, want = b.call(*cmd), r.call(*cmd)
            if got != want and not same_idle_time(cmd, got, want):
                mismatches.append(f"{cmd}:\n    basalt {got!r}\n    redis  {want!r}")
        for c in (b, r):
            c.call("CONFIG", "SET", "maxmemory", "0")
        self.assertEqual(mismatches, [], "\n  ".join(mismatches))

    def test_oom_refusals(self):
        for protocol in (2, 3):
            with self.subTest(protocol=protocol):
                self.compare(OOM_SCRIPT, protocol, setup=[("SET", "k", "v"),
                                                          ("CONFIG", "SET", "maxmemory", "1")])

    def test_exec_of_a_write_over_the_cap(self):
        script = [("MULTI",), ("SET", "x", "1"), ("CONFIG", "SET", "maxmemory", "1"),
                  ("EXEC",), ("GET", "x")]
        # CONFIG SET inside MULTI is queued too; set the cap from a second connection instead.
        b, r = self.clients()
        ob, orr = h.RawClient(self.basalt.port), h.RawClient(self.redis.port)
        self.addCleanup(ob.close)
        self.addCleanup(orr.close)
        replies = []
        for c, other in ((b, ob), (r, orr)):
            out = [c.call("MULTI"), c.call("SET", "x", "1"),
                   other.call("CONFIG", "SET", "maxmemory", "1"), c.call("EXEC"),
                   c.call("GET", "x"), other.call("CONFIG", "SET", "maxmemory", "0")]
            replies.append(out)
        self.assertEqual(replies[0], replies[1], script)

    def test_config_validation(self):
        self.compare(CONFIG_SCRIPT, 2)

    def test_object_idletime_and_freq(self):
        for protocol in (2, 3):
            with self.subTest(protocol=protocol):
                self.compare(OBJECT_SCRIPT, protocol)

    def test_volatile_ttl_evicts_soonest_first(self):
        for server in (self.basalt, self.redis):
            with self.subTest(server=server.proc.args[0]):
                c = h.RawClient(server.port)
                self.addCleanup(c.close)
                c.call("FLUSHALL")
                c.call("CONFIG", "SET", "maxmemory-policy", "volatile-ttl")
                c.call("CONFIG", "SET", "maxmemory-samples", "64")
                value = "x" * 20_000
                for i in range(20):
                    c.call("SET", f"persist:{i}", value)
                for i in range(20):
                    c.call("SET", f"ttl:{i:02d}", value, "EX", str(1000 + 100 * i))
                used = int(info_field(c, "memory", "used_memory"))
                # Room for about ten values fewer than are stored.
                c.call("CONFIG", "SET", "maxmemory", str(used - 10 * 20_000))
                c.call("SET", "trigger", "1")
                left = [i for i in range(20) if c.call("EXISTS", f"ttl:{i:02d}") == b":1\r\n"]
                persist = sum(c.call("EXISTS", f"persist:{i}") == b":1\r\n" for i in range(20))
                c.call("CONFIG", "SET", "maxmemory", "0")
                c.call("CONFIG", "SET", "maxmemory-policy", "noeviction")
                c.call("CONFIG", "SET", "maxmemory-samples", "5")
                self.assertEqual(persist, 20)
                self.assertGreater(20 - len(left), 0, "nothing evicted")
                # The survivors are the latest-expiring ones: a suffix of the TTL order.
                self.assertEqual(left, list(range(20 - len(left), 20)))


def info_field(client, section, name):
    raw = client.call("INFO", section).decode()
    for line in raw.split("\r\n"):
        if line.startswith(name + ":"):
            return line.split(":", 1)[1]
    raise KeyError(name)


if __name__ == "__main__":
    unittest.main()
