"""Helpers for the persistence tests: a basalt-server (or redis-server) on a data directory of
the test's choosing whose log goes to a file, a RESP2 client that decodes replies, keyspace dumps
to compare two servers, and the multi-part AOF's files."""

import http.client
import json
import os
import signal
import socket
import subprocess
import tempfile
import time

import basalt_harness as h

REDIS_SERVER = "/usr/bin/redis-server"
CHECK_RDB = "/usr/bin/redis-check-rdb"
CHECK_AOF = "/usr/bin/redis-check-aof"


def sanitized():
    return os.environ.get("BASALT_SANITIZED", "").lower() in ("1", "on", "true", "yes")


class Error(str):
    """An error reply (the text after '-')."""


class Client:
    """A RESP2 client: call() and pipeline() return decoded replies (Error for errors)."""

    def __init__(self, port, timeout=60):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.pos = 0

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _fill(self):
        data = self.sock.recv(1 << 20)
        if not data:
            raise ConnectionError("connection closed")
        if self.pos:
            self.buf = self.buf[self.pos:]
            self.pos = 0
        self.buf += data

    def _line(self):
        while True:
            end = self.buf.find(b"\r\n", self.pos)
            if end >= 0:
                line = self.buf[self.pos:end]
                self.pos = end + 2
                return line
            self._fill()

    def read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return Error(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < self.pos + n + 2:
                self._fill()
            data = self.buf[self.pos:self.pos + n]
            self.pos += n + 2
            return data
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ValueError("unexpected reply %r" % line)

    def send(self, commands):
        self.sock.sendall(b"".join(h.resp_encode(*c) for c in commands))

    def call(self, *args):
        self.send([args])
        return self.read()

    def pipeline(self, commands, chunk=5000):
        out = []
        for i in range(0, len(commands), chunk):
            part = commands[i:i + chunk]
            self.send(part)
            out.extend(self.read() for _ in part)
        return out


def parse_info(text):
    if isinstance(text, bytes):
        text = text.decode()
    out = {}
    for line in text.splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            out[k] = v
    return out


def wait_until(predicate, timeout, what, interval=0.01):
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError("timed out after %.1f s waiting for %s" % (timeout, what))
        time.sleep(interval)


class Node:
    """A server process on a data directory: basalt-server by default, redis-server with
    redis=True. The log goes to a file next to (not inside) the directory."""

    def __init__(self, data_dir, *extra, redis=False, wait_loaded=True, log_dir=None):
        self.dir = data_dir
        self.redis = redis
        self.extra = extra
        fd, self.log_path = tempfile.mkstemp(prefix="basalt-ptest-log-", dir=log_dir)
        os.close(fd)
        for attempt in range(3):
            self.port, self.http_port, self.admin_port = h.free_port(), h.free_port(), h.free_port()
            if redis:
                argv = [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
                        "--save", "", "--appendonly", "no", "--dir", data_dir,
                        "--daemonize", "no", "--enable-debug-command", "yes", *extra]
            else:
                argv = [os.environ["BASALT_SERVER_BIN"], "--port", str(self.port), "--http-port",
                        str(self.http_port), "--admin-port", str(self.admin_port), "--loglevel",
                        "notice", "--save", "", "--dir", data_dir, *extra]
            with open(self.log_path, "ab") as log:
                self.proc = subprocess.Popen(argv, stdout=log, stderr=log)
            try:
                h.wait_for_port(self.port, self.proc, timeout=30)
                break
            except RuntimeError:
                if self.proc.poll() is None:
                    self.proc.kill()
                    self.proc.wait()
                if attempt == 2 or "already in use" not in self.log().lower():
                    raise RuntimeError("server did not start: " + self.log()[-3000:])
        if wait_loaded:
            self.wait_loaded()

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def client(self, timeout=60):
        return Client(self.port, timeout)

    def call(self, *args):
        with self.client() as c:
            return c.call(*args)

    def info(self, section="persistence"):
        return parse_info(self.call("INFO", section))

    def wait_loaded(self, timeout=120):
        wait_until(lambda: self.info().get("loading") == "0", timeout, "the dataset to load")

    def wait_bgsave(self, timeout=120):
        return wait_until(lambda: (lambda i: i if i["rdb_bgsave_in_progress"] == "0" else None)(
            self.info()), timeout, "BGSAVE to finish")

    def wait_rewrite(self, timeout=120):
        return wait_until(lambda: (lambda i: i if i["aof_rewrite_in_progress"] == "0" and
                                   i.get("aof_rewrite_scheduled", "0") == "0" else None)(
            self.info()), timeout, "the AOF rewrite to finish")

    def http(self, args, path="/api/v1/redis", timeout=30):
        c = http.client.HTTPConnection("127.0.0.1", self.http_port, timeout=timeout)
        try:
            c.request("POST", path, body=json.dumps(args),
                      headers={"Content-Type": "application/json"})
            r = c.getresponse()
            return r.status, json.loads(r.read())
        finally:
            c.close()

    def admin_get(self, path):
        c = http.client.HTTPConnection("127.0.0.1", self.admin_port, timeout=10)
        try:
            c.request("GET", path)
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self, timeout=60):
        """SIGTERM; returns the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("server did not exit on SIGTERM: " + self.log()[-2000:])
        return self.proc.returncode

    def cleanup(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        try:
            os.unlink(self.log_path)
        except OSError:
            pass


def run_to_exit(data_dir, *extra, timeout=60):
    """Starts basalt-server expecting it to exit by itself (a refused start): (code, log)."""
    argv = [os.environ["BASALT_SERVER_BIN"], "--port", str(h.free_port()), "--http-port",
            str(h.free_port()), "--admin-port", str(h.free_port()), "--loglevel", "notice",
            "--save", "", "--dir", data_dir, *extra]
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return None, (e.output or b"").decode(errors="replace")
    return p.returncode, p.stdout.decode(errors="replace")


def dump_keyspace(client, dbs=16):
    """{db: {key: (type, value, pttl)}} of every key: value is bytes, a list of bytes, or (hashes)
    sorted (field, value) pairs."""
    out = {}
    for db in range(dbs):
        if client.call("SELECT", db) != "OK":
            break
        keys = client.call("KEYS", "*")
        if not keys:
            continue
        types = client.pipeline([("TYPE", k) for k in keys])
        reads = client.pipeline([("GET", k) if t == "string" else ("HGETALL", k) if t == "hash"
                                 else ("LRANGE", k, 0, -1) for k, t in zip(keys, types)])
        # A hash's order is its encoding's: compared as sorted (field, value) pairs.
        reads = [sorted(zip(v[0::2], v[1::2])) if t == "hash" else v
                 for t, v in zip(types, reads)]
        ttls = client.pipeline([("PTTL", k) for k in keys])
        out[db] = {k: (t, v, p) for k, t, v, p in zip(keys, types, reads, ttls)}
    client.call("SELECT", 0)
    return out


def assert_same_keyspace(test, ours, theirs, ttl_tolerance_ms=5000):
    """Equal keys, types and values in every database; TTLs equal within the tolerance."""
    test.assertEqual(sorted(ours), sorted(theirs), "databases holding keys")
    for db in theirs:
        test.assertEqual(sorted(ours[db]), sorted(theirs[db]), "keys of db %d" % db)
        for k, (t, v, p) in theirs[db].items():
            ot, ov, op = ours[db][k]
            test.assertEqual((ot, ov), (t, v), "db %d key %r" % (db, k))
            if p < 0 or op < 0:
                test.assertEqual(op, p, "db %d key %r PTTL" % (db, k))
            else:
                test.assertLessEqual(abs(op - p), ttl_tolerance_ms, "db %d key %r PTTL" % (db, k))


def read_manifest(aof_dir, filename="appendonly.aof"):
    """[(name, seq, type)] of the manifest's lines."""
    out = []
    with open(os.path.join(aof_dir, filename + ".manifest")) as f:
        for line in f:
            fields = line.split()
            d = dict(zip(fields[0::2], fields[1::2]))
            out.append((d["file"], int(d["seq"]), d["type"]))
    return out


def last_incr_file(aof_dir):
    incrs = [(seq, name) for name, seq, t in read_manifest(aof_dir) if t == "i"]
    return os.path.join(aof_dir, max(incrs)[1])


def parse_aof_commands(data):
    """[(start, end, argv)] of a file of RESP commands (whole commands only)."""
    out = []
    pos = 0
    while pos < len(data):
        start = pos
        end = data.index(b"\r\n", pos)
        assert data[pos:pos + 1] == b"*", (pos, data[pos:pos + 20])
        n = int(data[pos + 1:end])
        pos = end + 2
        argv = []
        for _ in range(n):
            end = data.index(b"\r\n", pos)
            length = int(data[pos + 1:end])
            argv.append(data[end + 2:end + 2 + length])
            pos = end + 2 + length + 2
        out.append((start, pos, argv))
    return out


def check_rdb(path):
    p = subprocess.run([CHECK_RDB, path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=120)
    return p.returncode, p.stdout.decode(errors="replace")


def check_aof(manifest_path):
    p = subprocess.run([CHECK_AOF, manifest_path], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=120)
    return p.returncode, p.stdout.decode(errors="replace")


def temp_files(directory):
    return [n for n in os.listdir(directory) if n.startswith("temp-")]


def fill(client, prefix, count, value, batch=200, db=None):
    """MSETs count keys <prefix><i> = value (bytes) in pipelined batches."""
    if db is not None:
        client.call("SELECT", db)
    commands = []
    for i in range(0, count, batch):
        args = ["MSET"]
        for j in range(i, min(i + batch, count)):
            args += [prefix + str(j), value]
        commands.append(args)
    replies = client.pipeline(commands, chunk=50)
    bad = [r for r in replies if r != "OK"]
    if bad:
        raise AssertionError("fill failed: %r" % bad[:3])


def mount_tmpfs(path, size):
    """Mounts a small tmpfs at path; returns False when this environment can't mount."""
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s" % size, "tmpfs", path],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return p.returncode == 0


def umount(path):
    subprocess.run(["umount", "-l", path], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def free_bytes(path):
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


def fill_disk(path, leave):
    """Creates <path>/filler taking all but about `leave` bytes of the file system."""
    size = free_bytes(path) - leave
    filler = os.path.join(path, "filler")
    with open(filler, "wb") as f:
        if size > 0:
            f.write(b"\0" * size)
    return filler


MISCONF_RDB = ("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to "
               "persist to disk. Commands that may modify the data set are disabled, because this "
               "instance is configured to report errors during writes if RDB snapshotting fails "
               "(stop-writes-on-bgsave-error option). Please check the Redis logs for details "
               "about the RDB error.")

