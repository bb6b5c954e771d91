"""basalt-server driven by the stock Redis tools: redis-cli (one-shot, RESP3, interactive with
command hints, --pipe mass insert), redis-benchmark (pipelined, zero errors; the README's list of
the tests that pass) and redis-py."""

import fcntl
import os
import pty
import select
import struct
import subprocess
import termios
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import basalt_harness as h  # noqa: E402


def cli(port, *args, stdin=None, extra=()):
    r = subprocess.run(["redis-cli", "-p", str(port), *extra, *args], input=stdin,
                       capture_output=True, timeout=60)
    return r.stdout.decode()


class RedisCliTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = h.basalt()
        cls.port = cls.server.port

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_readme_session(self):
        p = self.port
        self.assertEqual(cli(p, "SET", "greeting", "hello", "EX", "60"), "OK\n")
        self.assertEqual(cli(p, "SET", "greeting", "hi", "XX"), "OK\n")
        self.assertEqual(cli(p, "RPUSH", "jobs", "a", "b", "c"), "3\n")
        self.assertEqual(cli(p, "LPOP", "jobs", "2"), "a\nb\n")
        self.assertEqual(cli(p, "--no-raw", "LPOP", "jobs", "2"), '1) "c"\n')
        self.assertEqual(cli(p, "SET", "greeting", "hello", "EX", "60"), "OK\n")
        self.assertIn(cli(p, "TTL", "greeting"), ("60\n", "59\n"))

    def test_resp3_types(self):
        p = self.port
        out = cli(p, "HELLO", "3", extra=("-3", "--no-raw"))
        self.assertIn('"proto"', out)
        self.assertIn("(integer) 3", out)
        self.assertEqual(cli(p, "GET", "nope", extra=("-3", "--no-raw")), "(nil)\n")
        self.assertIn("1#", cli(p, "CONFIG", "GET", "port", extra=("-3", "--no-raw")))

    def test_pipe_mass_insert(self):
        n = 100_000
        payload = b"".join(h.resp_encode("SET", f"mass:{i}", f"value-{i}") for i in range(n))
        out = cli(self.port, "--pipe", stdin=payload)
        self.assertIn(f"errors: 0, replies: {n}", out)
        self.assertEqual(cli(self.port, "GET", "mass:99999"), "value-99999\n")
        self.assertEqual(cli(self.port, "EXISTS", "mass:0", "mass:50000"), "2\n")

    def test_interactive_mode_shows_command_hints(self):
        # redis-cli fetches COMMAND DOCS when it starts interactively and shows argument hints as
        # a command is typed; drive it through a pseudo-terminal as a person would.
        pid, fd = pty.fork()
        if pid == 0:
            # A terminal with a size: without one, linenoise asks the terminal for the cursor
            # position (ESC [6n) and waits for an answer a pipe never gives.
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 200, 0, 0))
            os.execvp("redis-cli", ["redis-cli", "-p", str(self.port)])
        try:
            screen = self._read_until(fd, b"> ")
            self.assertIn(b"127.0.0.1:%d>" % self.port, screen)
            os.write(fd, b"set ")
            screen = self._read_until(fd, b"KEEPTTL")
            self.assertIn(b"key value", screen)
            os.write(fd, b"hinted 1\r")
            prompt = b"127.0.0.1:%d> " % self.port
            screen = self._read_until(fd, b"OK")
            self.assertIn(b"OK", screen)
            # Type only at the next prompt: linenoise re-enters raw mode with TCSAFLUSH, which
            # throws away whatever was typed while the command ran.
            if prompt not in screen.split(b"OK", 1)[1]:
                self.assertIn(prompt, self._read_until(fd, prompt))
            os.write(fd, b"lpush ")
            self.assertIn(b"element", self._read_until(fd, b"element"))
        finally:
            os.write(fd, b"\x03")
            os.kill(pid, 9)
            os.waitpid(pid, 0)

    @staticmethod
    def _read_until(fd, marker, timeout=10):
        data = b""
        deadline = time.time() + timeout
        while marker not in data and time.time() < deadline:
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                try:
                    data += os.read(fd, 4096)
                except OSError:
                    break
        return data


class RedisBenchmarkTest(unittest.TestCase):
    def test_pipelined_benchmark_has_no_errors(self):
        with h.basalt() as server:
            r = subprocess.run(
                ["redis-benchmark", "-p", str(server.port), "-P", "16", "-c", "50", "-n", "100000",
                 "-t", "set,get,lpush,rpop", "--csv"], capture_output=True, timeout=300)
            out, err = r.stdout.decode(), r.stderr.decode()
            self.assertEqual(r.returncode, 0, err)
            self.assertNotIn("ERR", out + err)
            self.assertNotIn("Error", out + err)
            for test in ("SET", "GET", "LPUSH", "RPOP"):
                self.assertIn(f'"{test}"', out)
            rps = [float(line.split(",")[1].strip('"')) for line in out.splitlines()[1:] if line]
            self.assertTrue(all(v > 0 for v in rps), out)


    def test_the_readme_list_of_tests_runs(self):
        # The README names the redis-benchmark tests that pass today; every one of them must.
        readme = open(os.path.join(os.path.dirname(__file__), "..", "..", "README.md")).read()
        prefix = "redis-benchmark -q -n 100000 -t "
        lines = [line for line in readme.splitlines() if line.startswith(prefix)]
        self.assertEqual(len(lines), 1, "the README's redis-benchmark -t line")
        tests = lines[0][len(prefix):].split()[0]
        with h.basalt() as server:
            r = subprocess.run(["redis-benchmark", "-p", str(server.port), "-q", "-n", "2000",
                                "-t", tests], capture_output=True, timeout=300)
        out, err = r.stdout.decode().replace("\r", "\n"), r.stderr.decode()
        self.assertEqual(r.returncode, 0, out + err)
        self.assertNotIn("ERR", out + err)
        done = [line.split(":")[0] for line in out.splitlines() if "requests per second" in line]
        expected = []
        for test in tests.split(","):
            expected += {"ping": ["PING_INLINE", "PING_MBULK"],
                         "lrange": ["LPUSH (needed to benchmark LRANGE)"] + [
                             f"LRANGE_{n} (first {n} elements)" for n in (100, 300, 500, 600)],
                         "mset": ["MSET (10 keys)"]}.get(test, [test.upper()])
        self.assertEqual(sorted(done), sorted(expected), out)


class RedisPyTest(unittest.TestCase):
    def test_redis_py_client(self):
        import redis

        with h.basalt() as server:
            r = redis.Redis(port=server.port)
            self.assertTrue(r.set("k", "v", ex=30))
            self.assertEqual(r.get("k"), b"v")
            self.assertEqual(r.rpush("l", "a", "b", "c"), 3)
            self.assertEqual(r.lrange("l", 0, -1), [b"a", b"b", b"c"])
            self.assertEqual(r.incr("n"), 1)
            with r.pipeline(transaction=True) as p:
                p.incr("n").incr("n").get("n")
                self.assertEqual(p.execute(), [2, 3, b"3"])
            self.assertEqual(r.blpop(["empty"], timeout=1), None)
            self.assertEqual(r.type("l"), b"list")
            self.assertGreaterEqual(len(list(r.scan_iter(count=2))), 3)
            self.assertEqual(r.info()["redis_mode"], "standalone")

    def test_redis_py_lock_needs_scripting(self):
        # The README's compatibility table says redis-py's Lock needs EVAL: keep that row true.
        import redis

        with h.basalt() as server:
            r = redis.Redis(port=server.port)
            lock = r.lock("resource", timeout=5)
            self.assertTrue(lock.acquire(blocking=False))  # SET NX PX: works
            with self.assertRaises(redis.exceptions.ResponseError) as caught:
                lock.release()  # a Lua script (EVALSHA): Basalt has no scripting yet
            self.assertIn("unknown command", str(caught.exception))


if __name__ == "__main__":
    unittest.main(verbosity=2)
