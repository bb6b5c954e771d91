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
import basalt_harness as h  # noqa: E402
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
        # No automatic rewrite: the AOF grew far past its (empty) base, and one started by the
        # cron right after loading would race the BGREWRITEAOF below.
        n2 = self.node(d, "--appendonly", "yes", "--auto-aof-rewrite-percentage", "0")
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


    def test_aof_replays_effects_not_commands(self):
        # Relative expiries are logged as absolute times and non-deterministic commands as their
        # effect: a restart a second later must not extend a TTL or bring an expired key back.
        d = self.mkdir("data")
        n = self.node(d, "--appendonly", "yes", "--appendfsync", "always")
        with n.client() as c:
            replies = c.pipeline([
                ("SET", "short", "v", "PX", 600), ("SET", "long", "v", "EX", 100),
                ("SET", "f", "1", "EX", 100), ("INCRBYFLOAT", "f", "0.5"),
                ("SET", "g", "v"), ("GETEX", "g", "EX", 100), ("PEXPIRE", "long2", 1),
                ("SET", "e", "v"), ("EXPIRE", "e", 100),
                ("RPUSH", "src", "a", "b"), ("LMOVE", "src", "dst", "LEFT", "RIGHT"),
                ("BLMOVE", "src", "dst", "LEFT", "RIGHT", 0),
                ("SELECT", 1), ("SET", "in1", "x"), ("SWAPDB", 0, 1), ("SELECT", 0)])
            self.assertFalse([r for r in replies if isinstance(r, Error)], replies)
            time.sleep(1.0)
        n.kill()
        n2 = self.node(d, "--appendonly", "yes")
        with n2.client() as c:
            self.assertEqual(c.call("DBSIZE"), 1)
            self.assertEqual(c.call("GET", "in1"), b"x")
            c.call("SELECT", 1)
            self.assertIsNone(c.call("GET", "short"))
            for key in ("long", "f", "g", "e"):
                pttl = c.call("PTTL", key)
                self.assertTrue(0 < pttl <= 99100, (key, pttl))
            self.assertEqual(c.call("GET", "f"), b"1.5")
            self.assertEqual(c.call("LRANGE", "dst", 0, -1), [b"a", b"b"])
            self.assertEqual(c.call("EXISTS", "src"), 0)


# --- BGSAVE is point-in-time ---------------------------------------------------------------------


class PointInTimeTest(PersistenceTest):
    TTL_MS = 3600 * 1000

    def test_bgsave_holds_the_keyspace_as_of_its_start(self):
        d = self.mkdir("data")
        n = self.node(d)
        rng = random.Random(1234)
        # db -> key -> [type, value, ttl_ms or -1]
        model = {0: {}, 1: {}, 2: {}}
        with n.client() as c:
            commands = []
            for db, count in ((0, 100000), (1, 5000), (2, 5000)):
                commands.append(("SELECT", db))
                for i in range(0, count, 100):
                    args = ["MSET"]
                    for j in range(i, i + 100):
                        args += ["k:%d" % j, "%d:%d:0" % (db, j)]
                        model[db][b"k:%d" % j] = ["string", b"%d:%d:0" % (db, j), -1]
                    commands.append(args)
            commands.append(("SELECT", 0))
            for i in range(300):
                items = [b"l%d:%d" % (i, e) for e in range(20)]
                commands.append(["RPUSH", "l:%d" % i] + items)
                model[0][b"l:%d" % i] = ["list", items, -1]
            for i in range(1000):
                commands.append(("SET", "t:%d" % i, "ttl", "PX", self.TTL_MS))
                model[0][b"t:%d" % i] = ["string", b"ttl", self.TTL_MS]
            self.assertNotIn(False, [isinstance(r, (str, int)) and not isinstance(r, Error)
                                     for r in c.pipeline(commands)])
            expected = {db: {k: tuple(v) for k, v in keys.items()} for db, keys in model.items()}
            self.assertEqual(c.call("BGSAVE"), "Background saving started")
            # Change the keyspace in every way while the walk runs: overwrite, delete, add, push,
            # pop, set and remove TTLs, flush a database.
            batches = 0
            seq = 0
            while True:
                seq += 1
                batch = []
                if seq == 1:
                    batch += [("SELECT", 2), ("FLUSHDB",), ("SET", "k:1", "after"),
                              ("SELECT", 1), ("DEL", "k:1"), ("SET", "k:2", "after"),
                              ("SELECT", 0)]
                if seq == 2:
                    batch += [("SWAPDB", 1, 3)]  # db 3 was empty when the save began
                for _ in range(300):
                    i = rng.randrange(100000)
                    op = rng.randrange(9)
                    if op < 3:
                        batch.append(("SET", "k:%d" % i, "%d:%d" % (i, seq)))
                    elif op == 3:
                        batch.append(("DEL", "k:%d" % i))
                    elif op == 4:
                        batch.append(("SET", "new:%d:%d" % (seq, i), "x"))
                    elif op == 5:
                        batch.append(("RPUSH", "l:%d" % (i % 300), "new"))
                        batch.append(("LPOP", "l:%d" % ((i + 1) % 300)))
                    elif op == 6:
                        batch.append(("PEXPIRE", "k:%d" % i, 100000 + i))
                    else:
                        batch.append(("PERSIST", "t:%d" % (i % 1000)))
                batch.append(("INFO", "persistence"))
                replies = c.pipeline(batch)
                errors = [r for r in replies if isinstance(r, Error)]
                self.assertEqual(errors, [])
                info = ph.parse_info(replies[-1])
                if info["rdb_bgsave_in_progress"] == "0":
                    break
                batches += 1
            self.assertGreaterEqual(batches, 3, "the save ended before the writes overlapped it")
            self.assertEqual(info["rdb_last_bgsave_status"], "ok")
        code, out = ph.check_rdb(os.path.join(d, "dump.rdb"))
        self.assertEqual(code, 0, out)
        d2 = self.mkdir("copy")
        shutil.copy(os.path.join(d, "dump.rdb"), d2)
        n2 = self.node(d2)
        with n2.client() as c:
            ph.assert_same_keyspace(self, ph.dump_keyspace(c), expected, ttl_tolerance_ms=120000)


# --- The AOF cut at every byte -------------------------------------------------------------------


def replay(commands):
    """The keyspace a list of argv builds (SELECT, SET, INCR, RPUSH, MULTI/EXEC): {db: {k: v}}."""
    dbs = {}
    db = 0
    queued = None
    for argv in commands:
        name = argv[0].upper()
        if name == b"MULTI":
            queued = []
            continue
        if name == b"EXEC":
            run, queued = queued, None
        elif queued is not None:
            queued.append(argv)
            continue
        else:
            run = [argv]
        for a in run:
            name = a[0].upper()
            keys = dbs.setdefault(db, {})
            if name == b"SELECT":
                db = int(a[1])
            elif name == b"SET":
                keys[a[1]] = a[2]
            elif name == b"INCR":
                keys[a[1]] = b"%d" % (int(keys.get(a[1], b"0")) + 1)
            elif name == b"RPUSH":
                keys[a[1]] = keys.get(a[1], []) + list(a[2:])
            else:
                raise AssertionError("replay: unexpected %r" % a)
    return {d: k for d, k in dbs.items() if k}


def expected_cut(commands, cut):
    """What a file cut at `cut` keeps: (argv list, valid length) as Redis's loader does it; a
    transaction without its EXEC is dropped from its MULTI on."""
    kept = []
    valid = 0
    multi_start = None
    pending = []
    for start, end, argv in commands:
        if end > cut:
            break
        if argv[0].upper() == b"MULTI":
            multi_start = start
            pending = [argv]
        elif multi_start is not None:
            pending.append(argv)
            if argv[0].upper() == b"EXEC":
                kept += pending
                multi_start = None
                valid = end
        else:
            kept.append(argv)
            valid = end
    return kept, valid


class AofCutTest(PersistenceTest):
    def write_log(self):
        """A server's AOF directory holding base + an incr file ending in a known tail of
        commands; returns (dir, incr file name, commands of the incr file)."""
        d = self.mkdir("data")
        n = self.node(d, "--appendonly", "yes", "--appendfsync", "always")
        with n.client() as c:
            c.pipeline([("SET", "base", "1"), ("RPUSH", "l", "a")])
            self.assertEqual(c.call("BGREWRITEAOF"),
                             "Background append only file rewriting started")
            n.wait_rewrite()
            c.pipeline([("SET", "k%d" % i, "v%d" % i) for i in range(10)])
            c.pipeline([("SELECT", 3), ("SET", "in3", "x"), ("SELECT", 0)])
            # The tail the cuts go through: plain commands and a transaction.
            self.assertEqual(c.call("INCR", "ctr"), 1)
            self.assertEqual(c.call("RPUSH", "l", "b", "c"), 3)
            self.assertEqual(c.pipeline([("MULTI",), ("INCR", "ctr"), ("RPUSH", "l", "d"),
                                         ("EXEC",)]), ["OK", "QUEUED", "QUEUED", [2, 4]])
            self.assertEqual(c.call("SET", "last", "z"), "OK")
        n.kill()
        aof_dir = os.path.join(d, "appendonlydir")
        incr = ph.last_incr_file(aof_dir)
        with open(incr, "rb") as f:
            data = f.read()
        commands = ph.parse_aof_commands(data)
        names = [argv[0].upper() for _, _, argv in commands]
        self.assertEqual(names[-7:], [b"INCR", b"RPUSH", b"MULTI", b"INCR", b"RPUSH", b"EXEC",
                                      b"SET"])
        return d, os.path.basename(incr), commands

    def test_truncated_tail_is_cut_to_the_last_whole_command(self):
        d, incr_name, commands = self.write_log()
        first = commands[-7][0]
        end = commands[-1][1]
        cuts = list(range(first, end + 1))
        self.assertGreater(len(cuts), 100)
        failures = []
        lock = threading.Lock()

        def check(cut):
            work = os.path.join(self.root, "cut%d" % cut)
            shutil.copytree(d, work)
            path = os.path.join(work, "appendonlydir", incr_name)
            os.truncate(path, cut)
            kept, valid = expected_cut(commands, cut)
            want = replay([[b"SELECT", b"0"], [b"SET", b"base", b"1"], [b"RPUSH", b"l", b"a"]] +
                          kept)
            n = Node(work, "--appendonly", "yes", "--aof-load-truncated", "yes",
                     log_dir=self.root)
            try:
                with n.client() as c:
                    got = ph.dump_keyspace(c)
                got = {db: {k: v for k, (t, v, p) in keys.items()} for db, keys in got.items()}
                size = os.path.getsize(path)
            finally:
                n.cleanup()
            shutil.rmtree(work, True)
            problems = []
            if got != want:
                problems.append("keyspace %r, expected %r" % (got, want))
            if size != valid:
                problems.append("file cut to %d, expected %d" % (size, valid))
            if problems:
                with lock:
                    failures.append((cut, problems))

        threads_n = 2 if ph.sanitized() else 4
        for i in range(0, len(cuts), threads_n):
            ts = [threading.Thread(target=check, args=(cut,)) for cut in cuts[i:i + threads_n]]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
        self.assertEqual(failures, [])

    def test_truncated_tail_refused_when_aof_load_truncated_is_no(self):
        d, incr_name, commands = self.write_log()
        start, end, _ = commands[-1]
        path = os.path.join(d, "appendonlydir", incr_name)
        os.truncate(path, end - 3)
        code, log = ph.run_to_exit(d, "--appendonly", "yes", "--aof-load-truncated", "no")
        self.assertIsNotNone(code, "the server did not exit: " + log[-2000:])
        self.assertNotEqual(code, 0, log)
        self.assertIn(incr_name, log)
        self.assertIn("offset %d" % start, log)
        self.assertEqual(os.path.getsize(path), end - 3)  # not cut
        # Redis's own line comes last, as its test suite and operators' scripts read it.
        self.assertIn("Unexpected end of file reading the append only file %s. You can: " %
                      incr_name, log.strip().splitlines()[-1])

    def test_corruption_before_the_end_refuses_to_start(self):
        d, incr_name, commands = self.write_log()
        start, end, _ = commands[-5]
        path = os.path.join(d, "appendonlydir", incr_name)
        with open(path, "r+b") as f:
            f.seek(start)
            f.write(b"!")  # a command must begin with '*'
        size = os.path.getsize(path)
        code, log = ph.run_to_exit(d, "--appendonly", "yes", "--aof-load-truncated", "yes")
        self.assertIsNotNone(code, "the server did not exit: " + log[-2000:])
        self.assertNotEqual(code, 0, log)
        self.assertIn(incr_name, log)
        self.assertIn("offset %d" % start, log)
        self.assertEqual(os.path.getsize(path), size)  # never "repaired" by cutting
        self.assertIn("Bad file format reading the append only file %s: make a backup" %
                      incr_name, log.strip().splitlines()[-1])


# --- Unwritable directory, full disk ----------------------------------------------------------


class DiskFaultTest(PersistenceTest):
    def small_disk(self, size="2m"):
        path = self.mkdir("disk")
        if not ph.mount_tmpfs(path, size):
            self.skipTest("mounting a tmpfs is not allowed here")
        self.addCleanup(ph.umount, path)
        return path

    def test_bgsave_on_a_full_disk_refuses_writes_until_a_save_succeeds(self):
        disk = self.small_disk()
        n = self.node(disk, "--save", "3600 1", "--rdbcompression", "no")
        with n.client() as c:
            ph.fill(c, "k", 1000, b"x" * 1000)
            filler = ph.fill_disk(disk, 100 * 1024)
            self.assertEqual(c.call("BGSAVE"), "Background saving started")
            info = n.wait_bgsave()
            self.assertEqual(info["rdb_last_bgsave_status"], "err")
            # Nothing is left behind to keep the disk full.
            self.assertEqual(ph.temp_files(disk), [])
            self.assertFalse(os.path.exists(os.path.join(disk, "dump.rdb")))
            self.assertEqual(c.call("SET", "new", "v"), Error(ph.MISCONF_RDB))
            self.assertEqual(c.call("DEL", "k1"), Error(ph.MISCONF_RDB))
            self.assertEqual(c.call("GET", "k1"), b"x" * 1000)
            self.assertEqual(c.call("DBSIZE"), 1000)
            status, body = n.http(["SET", "new", "v"])
            self.assertEqual((status, body), (400, {"error": ph.MISCONF_RDB}))
            os.unlink(filler)
            self.assertEqual(c.call("BGSAVE"), "Background saving started")
            self.assertEqual(n.wait_bgsave()["rdb_last_bgsave_status"], "ok")
            self.assertEqual(c.call("SET", "new", "v"), "OK")

    def test_bgsave_into_a_missing_dir_recovers_when_dir_changes(self):
        gone = self.mkdir("gone")
        good = self.mkdir("good")
        # CONFIG SET dir is a protected action (Redis 7): this node allows it.
        n = self.node(good, "--save", "3600 1", "--enable-protected-configs", "yes")
        with n.client() as c:
            self.assertEqual(c.call("SET", "k", "v"), "OK")
            self.assertEqual(c.call("CONFIG", "SET", "dir", gone), "OK")
            os.rmdir(gone)
            reply = c.call("BGSAVE")
            if reply == "Background saving started":
                n.wait_bgsave()
            self.assertEqual(n.info()["rdb_last_bgsave_status"], "err")
            self.assertEqual(c.call("SET", "k", "w"), Error(ph.MISCONF_RDB))
            self.assertEqual(c.call("GET", "k"), b"v")
            self.assertEqual(c.call("CONFIG", "SET", "dir", good), "OK")
            self.assertEqual(c.call("BGSAVE"), "Background saving started")
            self.assertEqual(n.wait_bgsave()["rdb_last_bgsave_status"], "ok")
            self.assertEqual(c.call("SET", "k", "w"), "OK")

    def fill_aof_until_refused(self, n, disk, c, acked):
        for i in range(20):
            self.assertEqual(c.call("SET", "k%d" % i, "v%d" % i), "OK")
            acked[b"k%d" % i] = b"v%d" % i
        filler = ph.fill_disk(disk, 64 * 1024)
        value = b"y" * 1000
        for i in range(20, 2000):
            reply = c.call("SET", "k%d" % i, value)
            if isinstance(reply, Error):
                return filler, reply
            self.assertEqual(reply, "OK")
            acked[b"k%d" % i] = value
        self.fail("no write was refused on a full disk")

    def test_aof_on_a_full_disk_refuses_writes_and_loses_nothing_acknowledged(self):
        disk = self.small_disk()
        n = self.node(disk, "--appendonly", "yes", "--appendfsync", "everysec",
                      "--auto-aof-rewrite-percentage", "0")
        acked = {}
        with n.client() as c:
            filler, refused = self.fill_aof_until_refused(n, disk, c, acked)
            self.assertTrue(refused.startswith("MISCONF Errors writing to the AOF file: "), refused)
            self.assertEqual(n.info()["aof_last_write_status"], "err")
            self.assertEqual(c.call("GET", "k0"), b"v0")
            self.assertEqual(c.call("SET", "more", "x"), refused)
            status, body = n.http(["INCR", "more"])
            self.assertEqual((status, body), (400, {"error": refused}))
            os.unlink(filler)
            wait_until(lambda: c.call("SET", "after", "ok") == "OK", 10, "writes to be accepted")
            acked[b"after"] = b"ok"
            self.assertEqual(n.info()["aof_last_write_status"], "ok")
        self.assertEqual(n.stop(), 0)
        code, out = ph.check_aof(os.path.join(disk, "appendonlydir", "appendonly.aof.manifest"))
        self.assertEqual(code, 0, out)
        n2 = self.node(disk, "--appendonly", "yes")
        with n2.client() as c:
            keys = sorted(acked)
            self.assertEqual(dict(zip(keys, c.pipeline([("GET", k) for k in keys]))), acked)
            self.assertIsNone(c.call("GET", "more"))

    def test_aof_full_disk_error_text_is_redis(self):
        disk = self.small_disk()
        n = self.node(disk, "--appendonly", "yes", "--appendfsync", "everysec",
                      "--auto-aof-rewrite-percentage", "0")
        with n.client() as c:
            _, refused = self.fill_aof_until_refused(n, disk, c, {})
            self.assertEqual(refused,
                             "MISCONF Errors writing to the AOF file: No space left on device")

# --- SHUTDOWN, SIGTERM, FLUSHALL -----------------------------------------------------------------


class ShutdownTest(PersistenceTest):
    SHUTDOWN_FAILED = Error("ERR Errors trying to SHUTDOWN. Check logs.")

    def shutdown(self, n, *args):
        """SHUTDOWN: None when the connection closed without a reply (success), else the reply."""
        with n.client() as c:
            try:
                return c.call("SHUTDOWN", *args)
            except (ConnectionError, OSError):
                return None

    def keys_after_restart(self, d, *extra):
        n = self.node(d, *extra)
        with n.client() as c:
            return sorted(c.call("KEYS", "*"))

    def test_sigterm_saves_with_save_rules_and_not_without(self):
        d = self.mkdir("rules")
        n = self.node(d, "--save", "3600 1")
        self.assertEqual(n.call("SET", "k", "v"), "OK")
        self.assertEqual(n.stop(), 0)
        self.assertEqual(ph.check_rdb(os.path.join(d, "dump.rdb"))[0], 0)
        self.assertEqual(self.keys_after_restart(d), [b"k"])
        d2 = self.mkdir("norules")
        n = self.node(d2)
        self.assertEqual(n.call("SET", "k", "v"), "OK")
        self.assertEqual(n.stop(), 0)
        self.assertFalse(os.path.exists(os.path.join(d2, "dump.rdb")))

    def test_shutdown_on_sigterm_and_sigint_choose_the_save(self):
        # Redis 7's shutdown-on-sigterm / shutdown-on-sigint: nosave skips the save rules' final
        # save, save makes one without rules; each signal reads its own parameter.
        d = self.mkdir("nosave")
        n = self.node(d, "--save", "3600 1", "--shutdown-on-sigterm", "nosave", "now")
        self.assertEqual(n.call("CONFIG", "GET", "shutdown-on-sigterm"),
                         [b"shutdown-on-sigterm", b"nosave now"])
        self.assertEqual(n.call("SET", "k", "v"), "OK")
        self.assertEqual(n.stop(), 0)  # SIGTERM
        self.assertFalse(os.path.exists(os.path.join(d, "dump.rdb")))
        d2 = self.mkdir("save")
        n = self.node(d2, "--shutdown-on-sigint", "save")
        self.assertEqual(n.call("SET", "k", "v"), "OK")
        n.proc.send_signal(signal.SIGINT)
        self.assertEqual(n.proc.wait(timeout=30), 0)
        self.assertEqual(self.keys_after_restart(d2), [b"k"])

    def test_a_second_sigint_cuts_the_final_save_short(self):
        # Redis's shutdown.tcl "Temp rdb will be deleted in signal handle": the final save
        # writes Redis's temp-<pid>.rdb; a second SIGINT removes it and exits at once, with
        # status 1, leaving the previous dump (none here) in place.
        d = self.mkdir("insist")
        n = self.node(d, "--save", "3600 1", "--rdb-key-save-delay", "100000")
        with n.client() as c:
            for i in range(20):
                c.call("SET", str(i), str(i))
        temp = os.path.join(d, "temp-%d.rdb" % n.proc.pid)
        n.proc.send_signal(signal.SIGINT)
        ph.wait_until(lambda: os.path.exists(temp), 10, "the final save's temp file")
        n.proc.send_signal(signal.SIGINT)
        self.assertEqual(n.proc.wait(timeout=1.5), 1)  # the save alone would take 2 s
        self.assertFalse(os.path.exists(temp))
        self.assertEqual(ph.temp_files(d), [])
        self.assertFalse(os.path.exists(os.path.join(d, "dump.rdb")))
        self.assertIn("You insist... exiting now.", n.log())
        # A temp-<pid>.rdb left by a process that is gone is removed at the next start.
        with open(os.path.join(d, "temp-%d.rdb" % n.proc.pid), "wb") as f:
            f.write(b"REDIS0010")
        n2 = self.node(d)
        self.assertEqual(ph.temp_files(d), [])
        self.assertIn("left by a save that did not finish", n2.log())

    def test_shutdown_nosave_and_save(self):
        d = self.mkdir("data")
        n = self.node(d, "--save", "3600 1")
        self.assertEqual(n.call("SET", "saved", "1"), "OK")
        self.assertEqual(n.call("SAVE"), "OK")
        self.assertEqual(n.call("SET", "unsaved", "1"), "OK")
        self.assertIsNone(self.shutdown(n, "NOSAVE"))
        self.assertEqual(n.proc.wait(30), 0)
        self.assertEqual(self.keys_after_restart(d), [b"saved"])
        d2 = self.mkdir("save")
        n = self.node(d2)  # no save rules: SHUTDOWN SAVE saves anyway
        self.assertEqual(n.call("SET", "k", "1"), "OK")
        self.assertIsNone(self.shutdown(n, "SAVE"))
        self.assertEqual(n.proc.wait(30), 0)
        self.assertEqual(self.keys_after_restart(d2), [b"k"])

    def test_shutdown_refused_when_the_dump_cant_be_written(self):
        d = self.mkdir("data")
        n = self.node(d, "--save", "3600 1")
        blocker = os.path.join(d, "dump.rdb")
        os.mkdir(blocker)  # rename(2) onto a directory fails, even for root
        self.assertEqual(n.call("SET", "k", "v"), "OK")
        self.assertEqual(self.shutdown(n), self.SHUTDOWN_FAILED)
        self.assertEqual(n.call("PING"), "PONG")
        # SIGTERM is refused the same way: the server keeps serving.
        n.proc.send_signal(signal.SIGTERM)
        wait_until(lambda: "can't exit" in n.log() or n.proc.poll() is not None, 10,
                   "the refused save")
        self.assertIsNone(n.proc.poll())
        self.assertEqual(n.call("GET", "k"), b"v")
        self.assertEqual(ph.temp_files(d), [])
        os.rmdir(blocker)
        self.assertEqual(n.stop(), 0)
        self.assertEqual(self.keys_after_restart(d), [b"k"])

    def test_refused_shutdown_keeps_the_aof_open(self):
        # A SHUTDOWN refused because the dump can't be written goes on serving: its writes must
        # still reach the AOF (they were acknowledged and lost when the AOF was closed first).
        d = self.mkdir("data")
        n = self.node(d, "--save", "3600 1", "--appendonly", "yes", "--appendfsync", "always")
        blocker = os.path.join(d, "dump.rdb")
        os.mkdir(blocker)
        self.assertEqual(n.call("SET", "before", "1"), "OK")
        self.assertEqual(self.shutdown(n), self.SHUTDOWN_FAILED)
        try:
            reply = n.call("SET", "after", "1")
        except (ConnectionError, OSError) as e:
            reply = e
        self.assertEqual(reply, "OK", n.log()[-1500:])
        n.kill()
        os.rmdir(blocker)
        self.assertEqual(self.keys_after_restart(d, "--appendonly", "yes"), [b"after", b"before"])

    def test_flushall_with_save_rules_leaves_an_empty_dump(self):
        d = self.mkdir("data")
        n = self.node(d, "--save", "3600 1")
        with n.client() as c:
            ph.fill(c, "k", 100, b"v")
            self.assertEqual(c.call("SAVE"), "OK")
            self.assertEqual(c.call("FLUSHALL"), "OK")
            self.assertEqual(n.info()["rdb_changes_since_last_save"], "0")
        n.kill()  # no shutdown save: the dump FLUSHALL wrote is what a restart finds
        self.assertEqual(self.keys_after_restart(d), [])


# --- CONFIG SET at runtime -----------------------------------------------------------------------


class RuntimeConfigTest(PersistenceTest):
    def test_appendonly_switched_on_and_off_at_runtime(self):
        d = self.mkdir("data")
        n = self.node(d)
        with n.client() as c:
            ph.fill(c, "a", 100, b"v")
            self.assertEqual(c.call("CONFIG", "SET", "appendfsync", "always"), "OK")
            self.assertEqual(c.call("CONFIG", "GET", "appendfsync"), [b"appendfsync", b"always"])
            self.assertEqual(c.call("CONFIG", "SET", "appendonly", "yes"), "OK")
            self.assertEqual(n.wait_rewrite()["aof_enabled"], "1")
            self.assertEqual(c.call("RPUSH", "b", "1", "2"), 2)
        n.kill()
        n2 = self.node(d, "--appendonly", "yes")
        with n2.client() as c:
            self.assertEqual(c.call("DBSIZE"), 101)
            self.assertEqual(c.call("LRANGE", "b", 0, -1), [b"1", b"2"])
            aof_dir = os.path.join(d, "appendonlydir")
            incr = ph.last_incr_file(aof_dir)
            size = os.path.getsize(incr)
            self.assertEqual(c.call("CONFIG", "SET", "appendonly", "no"), "OK")
            self.assertEqual(n2.info()["aof_enabled"], "0")
            self.assertEqual(c.call("SET", "c", "1"), "OK")
            self.assertEqual(os.path.getsize(incr), size)
        n2.kill()
        n3 = self.node(d, "--appendonly", "yes")
        self.assertEqual(n3.call("DBSIZE"), 101)  # the write made with appendonly no is not there

    def test_appendonly_at_runtime_writes_its_base_in_the_background(self):
        # Redis's startAppendOnly: the base is a background rewrite; CONFIG SET replies at once,
        # the server serves meanwhile, and writes made during the walk are in the incr file.
        d = self.mkdir("data")
        n = self.node(d)
        with n.client() as c:
            ph.fill(c, "k", 200000, b"v" * 20)
            replies = c.pipeline([("CONFIG", "SET", "appendonly", "yes"),
                                  ("INFO", "persistence"), ("INCR", "k0n"), ("SET", "k1", "new"),
                                  ("DEL", "k2")])
            self.assertEqual(replies[0], "OK")
            info = ph.parse_info(replies[1])
            self.assertEqual(info["aof_enabled"], "1")
            self.assertEqual(info["aof_rewrite_in_progress"], "1")
            self.assertEqual(replies[2:], [1, "OK", 1])
            self.assertEqual(n.wait_rewrite()["aof_last_bgrewrite_status"], "ok")
            self.assertEqual(c.call("INCR", "k0n"), 2)
        n.kill()
        n2 = self.node(d, "--appendonly", "yes")
        with n2.client() as c:
            self.assertEqual(c.call("DBSIZE"), 200000)
            self.assertEqual(c.call("MGET", "k0n", "k1", "k2", "k3"),
                             [b"2", b"new", None, b"v" * 20])

    def test_appendonly_at_runtime_waits_for_a_running_bgsave(self):
        d = self.mkdir("data")
        n = self.node(d)
        with n.client() as c:
            ph.fill(c, "k", 100000, b"v")
            # One turn: the BGSAVE's walk is running when appendonly is switched on.
            replies = c.pipeline([("BGSAVE",), ("CONFIG", "SET", "appendonly", "yes"),
                                  ("INFO", "persistence"), ("SET", "during", "1")])
            self.assertEqual(replies[:2], ["Background saving started", "OK"])
            self.assertEqual(ph.parse_info(replies[2])["aof_enabled"], "1")
            n.wait_bgsave()
            n.wait_rewrite()
            self.assertEqual(c.call("SET", "after", "1"), "OK")
        n.kill()
        n2 = self.node(d, "--appendonly", "yes")
        with n2.client() as c:
            self.assertEqual(c.call("DBSIZE"), 100002)

    def test_rdb_key_save_delay_keeps_a_bgsave_running_while_the_loop_sleeps(self):
        # What Redis's test suites set to hold a BGSAVE open: 300 keys at 5 ms each.
        d = self.mkdir("data")
        n = self.node(d)
        with n.client() as c:
            ph.fill(c, "k", 300, b"v")
            self.assertEqual(c.call("CONFIG", "SET", "rdb-key-save-delay", "5000"), "OK")
            self.assertEqual(c.call("BGSAVE"), "Background saving started")
            cpu_before = h.cpu_seconds(n.proc.pid)
            time.sleep(0.5)
            info = ph.parse_info(c.call("INFO", "persistence"))
            self.assertEqual(info["rdb_bgsave_in_progress"], "1")
            self.assertEqual(c.call("PING"), "PONG")
            # The paced walk waits on a timer: the loop does not spin meanwhile (a spinning idle
            # handle costs a whole core, 0.5 s here).
            self.assertLess(h.cpu_seconds(n.proc.pid) - cpu_before, 0.2)
            n.wait_bgsave()
            info = ph.parse_info(c.call("INFO", "persistence"))
            self.assertEqual(info["rdb_last_bgsave_status"], "ok")

    def test_appendonly_no_stops_a_running_rewrite(self):
        # Redis's aofrw.tcl "Turning off AOF kills the background writing child if any" looks
        # for its log line.
        d = self.mkdir("data")
        n = self.node(d, "--appendonly", "yes")
        with n.client() as c:
            c.call("SET", "k", "v")
            c.call("CONFIG", "SET", "rdb-key-save-delay", "10000000")
            self.assertIn("rewriting started", c.call("BGREWRITEAOF"))
            self.assertEqual(ph.parse_info(c.call("INFO", "persistence"))[
                "aof_rewrite_in_progress"], "1")
            self.assertEqual(c.call("CONFIG", "SET", "appendonly", "no"), "OK")
            info = ph.parse_info(c.call("INFO", "persistence"))
            self.assertEqual((info["aof_enabled"], info["aof_rewrite_in_progress"]), ("0", "0"))
            self.assertEqual(c.call("CONFIG", "SET", "rdb-key-save-delay", "0"), "OK")
        self.assertIn("Killing running AOF rewrite child", n.log())
        self.assertEqual(ph.temp_files(os.path.join(d, "appendonlydir")), [])

    def test_shutdown_while_the_first_base_is_written_completes_it(self):
        d = self.mkdir("data")
        n = self.node(d)
        with n.client() as c:
            ph.fill(c, "k", 200000, b"v")
            c.send([("CONFIG", "SET", "appendonly", "yes"), ("SET", "late", "1"),
                    ("SHUTDOWN", "NOSAVE")])
            self.assertEqual([c.read(), c.read()], ["OK", "OK"])
        n.proc.wait(timeout=60)
        n2 = self.node(d, "--appendonly", "yes")
        with n2.client() as c:
            self.assertEqual(c.call("DBSIZE"), 200001)
            self.assertEqual(c.call("GET", "late"), b"1")

    def test_appendonly_switched_off_before_its_base_leaves_no_aof(self):
        d = self.mkdir("data")
        n = self.node(d)
        with n.client() as c:
            ph.fill(c, "k", 200000, b"v")
            replies = c.pipeline([("CONFIG", "SET", "appendonly", "yes"),
                                  ("CONFIG", "SET", "appendonly", "no"), ("INFO", "persistence")])
            self.assertEqual(replies[:2], ["OK", "OK"])
            info = ph.parse_info(replies[2])
            self.assertEqual((info["aof_enabled"], info["aof_rewrite_in_progress"]), ("0", "0"))
            aof_dir = os.path.join(d, "appendonlydir")
            self.assertEqual(os.listdir(aof_dir) if os.path.isdir(aof_dir) else [], [])
            self.assertEqual(ph.temp_files(d), [])

    def test_appendfsync_changes_apply(self):
        d = self.mkdir("data")
        n = self.node(d, "--appendonly", "yes", "--appendfsync", "everysec")
        with n.client() as c:
            for i, policy in enumerate(("no", "everysec", "always")):
                self.assertEqual(c.call("CONFIG", "SET", "appendfsync", policy), "OK")
                self.assertEqual(c.call("CONFIG", "GET", "appendfsync"),
                                 [b"appendfsync", policy.encode()])
                self.assertEqual(c.call("SET", "k%d" % i, policy), "OK")
            self.assertIsInstance(c.call("CONFIG", "SET", "appendfsync", "sometimes"), Error)
        n.kill()  # with appendfsync always, everything acknowledged is on disk
        n2 = self.node(d, "--appendonly", "yes")
        self.assertEqual(n2.call("MGET", "k0", "k1", "k2"), [b"no", b"everysec", b"always"])

    def test_save_rules_fire(self):
        d = self.mkdir("data")
        n = self.node(d)
        with n.client() as c:
            self.assertEqual(c.call("CONFIG", "SET", "save", "1 1"), "OK")
            self.assertEqual(c.call("CONFIG", "GET", "save"), [b"save", b"1 1"])
            saves = int(n.info()["rdb_saves"])
            self.assertEqual(c.call("SET", "k", "v"), "OK")
            info = wait_until(lambda: (lambda i: i if int(i["rdb_saves"]) > saves and
                                       i["rdb_bgsave_in_progress"] == "0" else None)(n.info()),
                              10, "a BGSAVE from the save rule")
            self.assertEqual(info["rdb_last_bgsave_status"], "ok")
            self.assertEqual(info["rdb_changes_since_last_save"], "0")
            self.assertTrue(os.path.exists(os.path.join(d, "dump.rdb")))
            self.assertIn("1 changes in 1 seconds. Saving...", n.log())
        n.kill()
        n2 = self.node(d)
        self.assertEqual(n2.call("GET", "k"), b"v")


# --- Round trips with redis-server 7.0.15 --------------------------------------------------------


def random_session(rng, count=400):
    """Commands building strings (raw, integer-encoded, compressible, binary), lists (short,
    long, mixed), hashes (listpack and table) and TTLs in several databases."""
    def value():
        kind = rng.randrange(6)
        if kind == 0:
            return str(rng.randrange(-10 ** 12, 10 ** 12))
        if kind == 1:
            return "a" * rng.randrange(20, 400)  # LZF-compressed
        if kind == 2:
            return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
        if kind == 3:
            return ""
        return "v%d" % rng.randrange(1000)

    commands = []
    for db in (0, 1, 5, 15):
        commands.append(("SELECT", db))
        for _ in range(count // 4):
            key = "k%d" % rng.randrange(60)
            lkey = "l%d" % rng.randrange(20)
            op = rng.randrange(9)
            if op < 2:
                commands.append(("SET", key, value()))
            elif op == 2:
                commands.append(("SET", key, value(), "PX", rng.randrange(60000, 3600000)))
            elif op in (3, 4):
                items = tuple(value() for _ in range(rng.randrange(1, 8)))
                commands.append(("RPUSH" if op == 3 else "LPUSH", lkey) + items)
            elif op == 5:
                commands.append(("PEXPIRE", lkey if rng.randrange(2) else key,
                                 rng.randrange(60000, 3600000)))
            elif op == 6:
                commands.append(("DEL", key))
            elif op == 8:
                pairs = tuple(x for _ in range(rng.randrange(1, 4))
                              for x in ("f%d" % rng.randrange(10), value()))
                commands.append(("HSET", "h%d" % rng.randrange(20)) + pairs)
            else:
                commands.append(("INCRBY", "n%d" % rng.randrange(5), rng.randrange(100)))
    commands.append(("SELECT", 2))
    # A long list (several quicklist nodes) and a big value.
    commands.append(("RPUSH", "long") + tuple("e%d" % i for i in range(3000)))
    commands.append(("SET", "big", "x" * 100000))
    # A hash past the listpack limits (a hash table in both servers).
    commands.append(("HSET", "bighash") + tuple(x for i in range(700) for x in ("f%d" % i, i)))
    commands.append(("SELECT", 0))
    return commands


class RoundTripTest(PersistenceTest):
    def run_session(self, node, commands):
        with node.client() as c:
            replies = c.pipeline(commands)
        # WRONGTYPE is fine (a key changed type), anything else is not.
        bad = [r for r in replies if isinstance(r, Error) and not r.startswith("WRONGTYPE")]
        self.assertEqual(bad, [])

    def snapshot(self, node):
        with node.client() as c:
            return ph.dump_keyspace(c)

    def test_redis_dump_loads_in_basalt(self):
        d = self.mkdir("data")
        r = self.node(d, redis=True)
        self.run_session(r, random_session(random.Random(1)))
        self.assertEqual(r.call("SAVE"), "OK")
        want = self.snapshot(r)
        self.assertEqual(r.stop(), 0)
        b = self.node(d)
        ph.assert_same_keyspace(self, self.snapshot(b), want)
        self.assertGreater(int(b.info()["rdb_last_load_keys_loaded"]), 100)

    def test_basalt_dump_loads_in_redis_and_passes_redis_check_rdb(self):
        for compression in ("yes", "no"):
            d = self.mkdir("data-" + compression)
            b = self.node(d, "--rdbcompression", compression)
            self.run_session(b, random_session(random.Random(2)))
            self.assertEqual(b.call("SAVE"), "OK")
            want = self.snapshot(b)
            self.assertEqual(b.stop(), 0)
            code, out = ph.check_rdb(os.path.join(d, "dump.rdb"))
            self.assertEqual(code, 0, out)
            r = self.node(d, redis=True)
            ph.assert_same_keyspace(self, self.snapshot(r), want)

    def aof_session(self, node, seed):
        rng = random.Random(seed)
        self.run_session(node, random_session(rng))
        reply = node.call("BGREWRITEAOF")
        self.assertIn(reply, ("Background append only file rewriting started",
                              "Background append only file rewriting scheduled"))
        node.wait_rewrite()
        self.assertEqual(node.info()["aof_last_bgrewrite_status"], "ok")
        self.run_session(node, random_session(rng, 200))
        return self.snapshot(node)

    def test_basalt_aof_loads_in_redis_and_passes_redis_check_aof(self):
        for preamble in ("yes", "no"):
            d = self.mkdir("aof-" + preamble)
            b = self.node(d, "--appendonly", "yes", "--aof-use-rdb-preamble", preamble)
            want = self.aof_session(b, 3)
            b.kill()  # no shutdown save: the AOF alone holds the data
            manifest = os.path.join(d, "appendonlydir", "appendonly.aof.manifest")
            code, out = ph.check_aof(manifest)
            self.assertEqual(code, 0, out)
            self.assertIn("is valid", out)
            r = self.node(d, "--appendonly", "yes", redis=True)
            ph.assert_same_keyspace(self, self.snapshot(r), want)

    def test_redis_aof_loads_in_basalt(self):
        for preamble in ("yes", "no"):
            d = self.mkdir("aof-" + preamble)
            r = self.node(d, "--appendonly", "yes", "--aof-use-rdb-preamble", preamble,
                          redis=True)
            want = self.aof_session(r, 4)
            self.assertEqual(r.stop(), 0)
            b = self.node(d, "--appendonly", "yes")
            ph.assert_same_keyspace(self, self.snapshot(b), want)


# --- Loading at start ----------------------------------------------------------------------------


class LoadingTest(PersistenceTest):
    KEYS = 1500000

    def test_clients_get_loading_while_the_dump_loads(self):
        d = self.mkdir("data")
        r = self.node(d, redis=True)
        self.assertEqual(r.call("DEBUG", "POPULATE", self.KEYS, "key"), "OK")
        self.assertEqual(r.call("SAVE"), "OK")
        self.assertEqual(r.stop(), 0)
        b = self.node(d, "--loglevel", "verbose", wait_loaded=False)
        loading = Error("LOADING Redis is loading the dataset in memory")
        seen = {"resp": 0, "info": 0, "readyz": 0, "http": 0}
        deadline = time.time() + 120
        with b.client() as c:
            while time.time() < deadline:
                reply = c.call("GET", "key:7")
                if reply == b"value:7":
                    break
                self.assertEqual(reply, loading)
                seen["resp"] += 1
                if ph.parse_info(c.call("INFO", "persistence"))["loading"] == "1":
                    seen["info"] += 1
                if b.admin_get("/readyz")[0] == 503:
                    seen["readyz"] += 1
                status, body = b.http(["GET", "key:7"])
                if body.get("error") == loading:
                    seen["http"] += 1
                time.sleep(0.01)
            self.assertEqual(reply, b"value:7")
            # Each probe saw the loading state at least once (the last round may have raced the
            # end of loading, so not necessarily every time).
            self.assertTrue(all(seen.values()), seen)
            self.assertEqual(c.call("DBSIZE"), self.KEYS)
            info = ph.parse_info(c.call("INFO", "persistence"))
            self.assertEqual(info["loading"], "0")
            self.assertEqual(info["rdb_last_load_keys_loaded"], str(self.KEYS))
        self.assertEqual(b.admin_get("/readyz")[0], 200)
        self.assertEqual(b.http(["GET", "key:7"]), (200, {"result": "value:7"}))
        log = b.log()
        self.assertIn("Loading RDB", log)
        self.assertIn("DB loaded from RDB", log)

    def test_key_load_delay_holds_the_loading_state(self):
        # What Redis's test suites set to watch a load: 200 keys at 5 ms each, from a dump and
        # from an AOF of commands.
        for name, extra in (("rdb", ()), ("aof", ("--appendonly", "yes",
                                                  "--aof-use-rdb-preamble", "no"))):
            with self.subTest(name):
                d = self.mkdir(name)
                n = self.node(d, *extra)
                with n.client() as c:
                    ph.fill(c, "k", 200, b"v", batch=1)  # 200 commands in the AOF
                    if name == "rdb":
                        self.assertEqual(c.call("SAVE"), "OK")
                n.stop()
                b = self.node(d, *extra, "--key-load-delay", "5000", wait_loaded=False)
                with b.client() as c:
                    started = time.time()
                    self.assertEqual(c.call("GET", "k1"),
                                     Error("LOADING Redis is loading the dataset in memory"))
                    time.sleep(0.3)
                    self.assertEqual(ph.parse_info(c.call("INFO", "persistence"))["loading"], "1")
                    wait_until(lambda: ph.parse_info(c.call("INFO", "persistence"))["loading"]
                               == "0", 60, "the load")
                    # 200 pauses of 5 ms: the load took a second at least.
                    self.assertGreaterEqual(time.time() - started, 0.9)
                    self.assertEqual(c.call("DBSIZE"), 200)


if __name__ == "__main__":
    unittest.main()
