"""Differential tests of DEBUG and of the Redis 7.0 tuning parameters against redis-server 7.0.15,
both started with enable-debug-command yes (the main differential suite's reference server refuses
DEBUG): DEBUG PROTOCOL for every type, DEBUG DIGEST and DIGEST-VALUE over every type (each in both
of its encodings), the errors of DEBUG OBJECT and QUICKLIST-PACKED-THRESHOLD, CONFIG SET/GET of the
parameters (values, normalisation and error texts), OBJECT ENCODING of every type, and SCAN's TYPE
filter. Byte for byte, in RESP2 and RESP3."""

import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import basalt_harness as h  # noqa: E402

PROTOCOL_TYPES = ["string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib",
                  "push", "verbatim", "true", "false", "nope"]

SCRIPT = [("DEBUG", "PROTOCOL", t) for t in PROTOCOL_TYPES] + [
    ("MEMORY", "PURGE"), ("MEMORY", "PURGE", "x"),
    ("MEMORY", "MALLOC-STATS", "x"), ("ROLE",), ("ROLE", "x"),
    ("WAIT", "0", "0"), ("WAIT", "-1", "0"), ("WAIT", "x", "1"), ("WAIT", "1", "-1"),
    ("WAIT", "1", "1.5"), ("WAIT", "1", "10"), ("WAIT", "1"),
    ("DEBUG", "PROTOCOL"),
    ("DEBUG", "JMAP"),
    ("DEBUG", "DIGEST"),
    ("SET", "s", "hello"), ("SET", "i", "12345"), ("SET", "big", "x" * 100),
    ("RPUSH", "l", "a", "b", "c", "1", "-7", "x" * 70),
    ("DEBUG", "DIGEST"),
    ("DEBUG", "DIGEST-VALUE", "s", "i", "big", "l", "missing"),
    ("DEBUG", "DIGEST-VALUE"),
    ("EXPIRE", "s", "1000"),
    ("DEBUG", "DIGEST"),
    ("DEBUG", "DIGEST-VALUE", "s"),
    ("LPUSH", "l", "z"),
    ("DEBUG", "DIGEST-VALUE", "l"),
    ("SELECT", "1"), ("SET", "s", "hello"), ("DEBUG", "DIGEST"), ("SELECT", "0"),
    ("DEBUG", "OBJECT", "missing"),
    ("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb"),
    ("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "x"),
    ("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0"),
    ("DEBUG", "SET-ACTIVE-EXPIRE", "1"),
    ("OBJECT", "ENCODING", "s"), ("OBJECT", "ENCODING", "i"), ("OBJECT", "ENCODING", "big"),
    ("OBJECT", "ENCODING", "l"), ("OBJECT", "ENCODING", "missing"),
    ("SET", "e44", "y" * 44), ("OBJECT", "ENCODING", "e44"),
    ("SET", "e45", "y" * 45), ("OBJECT", "ENCODING", "e45"),
    ("SET", "neg", "-1"), ("OBJECT", "ENCODING", "neg"),
    ("SET", "lead", "01"), ("OBJECT", "ENCODING", "lead"),
    ("SCAN", "0", "TYPE", "nosuchtype"), ("SCAN", "0", "TYPE", "list", "COUNT", "100"),
    # A string changed in place is "raw" whatever its length; one written whole is not.
    ("SET", "n", "1234"), ("SETRANGE", "n", "0", ""), ("OBJECT", "ENCODING", "n"),
    ("SETRANGE", "n", "1", "3"), ("OBJECT", "ENCODING", "n"), ("GET", "n"),
    ("COPY", "n", "ncopy"), ("OBJECT", "ENCODING", "ncopy"),
    ("RENAME", "ncopy", "nmoved"), ("OBJECT", "ENCODING", "nmoved"),
    ("INCR", "n"), ("OBJECT", "ENCODING", "n"),
    ("APPEND", "n", "5"), ("OBJECT", "ENCODING", "n"),
    ("SET", "n", "abc"), ("OBJECT", "ENCODING", "n"),
    ("APPEND", "fresh", "12"), ("OBJECT", "ENCODING", "fresh"),
    ("SETRANGE", "fresh2", "2", "x"), ("OBJECT", "ENCODING", "fresh2"),
    ("SET", "bits", "7"), ("SETBIT", "bits", "2", "1"), ("OBJECT", "ENCODING", "bits"),
    ("SET", "bits", "7"), ("BITFIELD", "bits", "GET", "u8", "0"), ("OBJECT", "ENCODING", "bits"),
    ("BITFIELD", "bits", "SET", "u8", "0", "50"), ("OBJECT", "ENCODING", "bits"),
    ("BITOP", "OR", "bitsor", "bits"), ("OBJECT", "ENCODING", "bitsor"),
    ("PFADD", "hll", "a"), ("OBJECT", "ENCODING", "hll"),
    ("INCRBYFLOAT", "fl", "1.5"), ("OBJECT", "ENCODING", "fl"),
    ("DEL", "n", "nmoved", "fresh", "fresh2", "bits", "bitsor", "hll", "fl"),
    # Hashes, sets and sorted sets, each in both of Redis's encodings (the digest must not depend on
    # the encoding, and must match Redis's for each). Last: SCAN's cursors above depend on the
    # table's size.
    ("HSET", "h", "f1", "v1", "f2", "2", "f3", "-1.5"),
    ("HSET", "hbig") + tuple(x for i in range(200) for x in ("f%d" % i, "v" * (i % 7))),
    ("SADD", "si", "1", "2", "-3", "40000"), ("SADD", "ss", "a", "b", "1"),
    ("SADD", "sbig") + tuple(str(i * 7) for i in range(600)),
    ("ZADD", "z", "1", "a", "2.5", "b", "-3", "c", "1e300", "d", "-inf", "e"),
    ("ZADD", "zbig") + tuple(x for i in range(200) for x in (str(i / 3), "m%d" % i)),
    ("OBJECT", "ENCODING", "h"), ("OBJECT", "ENCODING", "hbig"), ("OBJECT", "ENCODING", "si"),
    ("OBJECT", "ENCODING", "ss"), ("OBJECT", "ENCODING", "sbig"), ("OBJECT", "ENCODING", "z"),
    ("OBJECT", "ENCODING", "zbig"),
    ("DEBUG", "DIGEST-VALUE", "h", "hbig", "si", "ss", "sbig", "z", "zbig"),
    ("DEBUG", "DIGEST"),
    ("HDEL", "hbig", "f3"), ("SREM", "sbig", "7"), ("ZINCRBY", "zbig", "1", "m5"),
    ("DEBUG", "DIGEST-VALUE", "hbig", "sbig", "zbig"),
]

# (name, values to try): every value is CONFIG SET, then the parameter is read back.
PARAMS = [
    ("list-max-listpack-size", ["-1", "-5", "-6", "128", "0", "x", "-2147483649", "-2"]),
    ("list-max-ziplist-size", ["-3", "-2"]),
    ("list-compress-depth", ["1", "-1", "0"]),
    ("notify-keyspace-events", ["KEA", "Kx", "mEK", "$lz", "nK", "An", "Elg", "q", "AKEm", ""]),
    ("lazyfree-lazy-eviction", ["yes", "maybe", "no"]),
    ("lazyfree-lazy-expire", ["yes", "no"]),
    ("lazyfree-lazy-server-del", ["yes", "no"]),
    ("lazyfree-lazy-user-del", ["yes", "no"]),
    ("lazyfree-lazy-user-flush", ["yes", "no"]),
    ("replica-lazy-flush", ["yes", "no"]),
    ("slave-lazy-flush", ["yes", "no"]),
    ("replica-read-only", ["no", "yes"]),
    ("slave-read-only", ["no", "yes"]),
    ("activerehashing", ["no", "yes"]),
    ("latency-tracking", ["no", "yes"]),
    ("latency-tracking-info-percentiles", ["50.0 99 99.90 0", "101", "abc", "", "50 99 99.9"]),
    ("latency-monitor-threshold", ["100", "-1", "0"]),
    ("slowlog-log-slower-than", ["-1", "-2", "10000"]),
    ("slowlog-max-len", ["10", "-1", "128"]),
    ("hz", ["0", "1000", "50", "10"]),
    ("dynamic-hz", ["no", "yes"]),
    ("activedefrag", ["yes", "no"]),
    ("active-defrag-ignore-bytes", ["1mb", "0", "104857600"]),
    ("active-defrag-threshold-lower", ["20", "1001", "10"]),
    ("active-defrag-threshold-upper", ["50", "100"]),
    ("active-defrag-cycle-min", ["5", "0", "100", "1"]),
    ("active-defrag-cycle-max", ["50", "25"]),
    ("active-defrag-max-scan-fields", ["10", "0", "1000"]),
    ("stream-node-max-bytes", ["1kb", "4096"]),
    ("stream-node-max-entries", ["5", "-1", "100"]),
    ("tracking-table-max-keys", ["10", "1000000"]),
    ("busy-reply-threshold", ["100", "5000"]),
    ("lua-time-limit", ["200", "5000"]),
    ("cluster-enabled", ["yes", "no"]),
    ("oom-score-adj", ["relative", "absolute", "yes", "bogus", "no"]),
    ("oom-score-adj-values", ["1 2", "0 200 3000", "10 20 30", "0 200 800"]),
    ("jemalloc-bg-thread", ["no", "yes"]),
    ("aof-timestamp-enabled", ["yes", "maybe", "no"]),
    ("rdb-key-save-delay", ["1000", "-5", "abc", "99999999999", "0"]),
    ("key-load-delay", ["100", "-3", "x", "0"]),
    ("rdb-del-sync-files", ["yes", "sometimes", "no"]),
    ("io-threads", ["2"]),
    ("maxmemory-clients", ["10%", "200%", "101%", "100%", "0%", "-5%", "-1", "x", "%", "1mb",
                           "0"]),
    ("replicaof", ["127.0.0.1 6379", ""]),
    ("slaveof", ["no one"]),
    # Debian's stock redis.conf sets these.
    ("tcp-backlog", ["100"]), ("pidfile", ["/tmp/x.pid"]), ("supervised", ["systemd"]),
    ("daemonize", ["yes"]), ("always-show-logo", ["yes"]), ("set-proc-title", ["no"]),
    ("proc-title-template", ["{title}", "{title} {port}", "{bad}", "{title", "", "{{x}}",
                             "{title} {listen-addr} {server-mode}"]),
    ("acllog-max-len", ["10", "-1", "x", "128"]),
    ("aof-rewrite-incremental-fsync", ["no", "maybe", "yes"]),
    ("rdb-save-incremental-fsync", ["no", "yes"]),
    ("no-appendfsync-on-rewrite", ["yes", "no"]),
    ("repl-diskless-sync", ["no", "yes"]),
    ("repl-diskless-sync-delay", ["0", "-1", "5"]),
    ("repl-diskless-sync-max-replicas", ["3", "-2", "0"]),
    ("repl-diskless-load", ["swapdb", "on-empty-db", "bogus", "disabled"]),
    ("repl-disable-tcp-nodelay", ["yes", "no"]),
    ("replica-priority", ["5", "-1", "100"]),
    ("slave-priority", ["7", "100"]),
    ("replica-serve-stale-data", ["no", "yes"]),
    ("slave-serve-stale-data", ["no", "yes"]),
    ("unixsocket", ["/tmp/basalt-diff.sock"]), ("unixsocketperm", ["700"]),
    # Redis 7's protected configs: CONFIG SET dbfilename (and dir, whose value differs between the
    # two servers' working directories) refused by default.
    ("enable-protected-configs", ["yes"]), ("enable-module-command", ["yes"]),
    ("dbfilename", ["other.rdb"]),
    ("propagation-error-behavior", ["panic", "bogus", "panic-on-replicas", "ignore"]),
]


def config_script():
    out = []
    for name, values in PARAMS:
        out.append(("CONFIG", "GET", name))
        for v in values:
            out.append(("CONFIG", "SET", name, v))
            out.append(("CONFIG", "GET", name))
    return out


class DebugDifferentialTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.basalt = h.basalt("--enable-debug-command", "yes")
        cls.redis = h.redis("--enable-debug-command", "yes")

    @classmethod
    def tearDownClass(cls):
        cls.basalt.stop()
        cls.redis.stop()

    def compare(self, script, protocol):
        b, r = h.RawClient(self.basalt.port), h.RawClient(self.redis.port)
        self.addCleanup(b.close)
        self.addCleanup(r.close)
        for c in (b, r):
            if protocol == 3:
                c.call("HELLO", "3")
            c.call("FLUSHALL")
        mismatches = []
        for cmd in script:
            got, want = b.call(*cmd), r.call(*cmd)
            # Push data is no reply: the command's reply follows it.
            if got.startswith(b">"):
                got += b.read_reply()
            if want.startswith(b">"):
                want += r.read_reply()
            if got != want:
                mismatches.append(f"{cmd}:\n    basalt {got!r}\n    redis  {want!r}")
        self.assertEqual(mismatches, [], f"RESP{protocol}:\n  " + "\n  ".join(mismatches))

    def test_debug_resp2(self):
        self.compare(SCRIPT, 2)

    def test_debug_resp3(self):
        self.compare(SCRIPT, 3)

    def test_config(self):
        self.compare(config_script(), 2)

    @unittest.skipIf(os.environ.get("BASALT_SANITIZED") == "1",
                     "the sanitizer build's allocator has no mallctl")
    def test_debug_mallctl(self):
        # Both servers run Debian's jemalloc 5.3.0.
        self.compare([("DEBUG", "MALLCTL", "arenas.page"), ("DEBUG", "MALLCTL", "nosuch"),
                      ("DEBUG", "MALLCTL", "arenas.page", "x"),
                      ("DEBUG", "MALLCTL-STR", "thread.tcache.flush", "VOID"),
                      ("DEBUG", "MALLCTL-STR", "version"), ("DEBUG", "MALLCTL-STR", "nosuch"),
                      ("DEBUG", "MALLCTL")], 2)

    def test_info_memory_has_redis_fields_in_redis_order(self):
        # Exporters and dashboards read these by name; the values are each server's own.
        def names(port):
            client = h.RawClient(port)
            self.addCleanup(client.close)
            text = client.call("INFO", "memory").decode()
            return [line.split(":", 1)[0] for line in text.split("\r\n")[1:]
                    if ":" in line]
        self.assertEqual(names(self.basalt.port), names(self.redis.port))

    @unittest.skipIf(os.environ.get("BASALT_SANITIZED") == "1",
                     "a sanitizer's allocator reports RSS, not allocated bytes")
    def test_memory_doctor_of_a_small_instance(self):
        for protocol in (2, 3):
            b, r = h.RawClient(self.basalt.port), h.RawClient(self.redis.port)
            self.addCleanup(b.close)
            self.addCleanup(r.close)
            if protocol == 3:
                b.call("HELLO", "3")
                r.call("HELLO", "3")
            self.assertEqual(b.call("MEMORY", "DOCTOR"), r.call("MEMORY", "DOCTOR"))

    def test_latency_reports(self):
        # LATENCY DOCTOR and GRAPH, Redis's texts: monitoring off, on with nothing seen, then one
        # spike each, with the slow log at its default and then disabled. The spike's figures (its
        # milliseconds, how long ago) differ by timing, so digits are compared masked.
        def run(client, protocol):
            out = []
            if protocol == 3:
                client.call("HELLO", "3")
            for cmd in [("CONFIG", "SET", "latency-monitor-threshold", "0"), ("LATENCY", "RESET"),
                        ("LATENCY", "DOCTOR"), ("LATENCY", "GRAPH", "command"), ("LATENCY", "HELP"),
                        ("LATENCY", "DOCTOR", "extra"), ("LATENCY", "GRAPH"),
                        ("CONFIG", "SET", "latency-monitor-threshold", "50"),
                        ("LATENCY", "DOCTOR"), ("DEBUG", "SLEEP", "0.12"), ("LATENCY", "DOCTOR"),
                        ("LATENCY", "GRAPH", "command"), ("LATENCY", "GRAPH", "COMMAND"),
                        # Inside EXEC the store's clock stands still; the report's must not
                        # (a sample stamped at the sleep's end reads "-1s" otherwise).
                        ("MULTI",), ("DEBUG", "SLEEP", "1.01"), ("LATENCY", "GRAPH", "command"),
                        ("EXEC",),
                        ("CONFIG", "SET", "slowlog-log-slower-than", "-1"), ("LATENCY", "DOCTOR"),
                        ("CONFIG", "SET", "slowlog-log-slower-than", "10000"),
                        ("CONFIG", "SET", "latency-monitor-threshold", "0"), ("LATENCY", "RESET")]:
                out.append((cmd, re.sub(rb"[0-9]", b"N", client.call(*cmd))))
            return out

        for protocol in (2, 3):
            b, r = h.RawClient(self.basalt.port), h.RawClient(self.redis.port)
            self.addCleanup(b.close)
            self.addCleanup(r.close)
            got, want = run(b, protocol), run(r, protocol)
            mismatches = [f"{g[0]}:\n    basalt {g[1]!r}\n    redis  {w[1]!r}"
                          for g, w in zip(got, want) if g != w]
            self.assertEqual(mismatches, [], f"RESP{protocol}:\n  " + "\n  ".join(mismatches))


if __name__ == "__main__":
    unittest.main()
