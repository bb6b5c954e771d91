"""basalt-server under a process manager, as redis-server runs: Debian's stock redis.conf loads
(daemonize yes, pidfile, tcp-backlog and the replication and fsync parameters it sets), the
daemon detaches and writes its pid file and removes it at SHUTDOWN, and `supervised systemd`
sends READY=1 once the server answers and STOPPING=1 when it stops, over $NOTIFY_SOCKET as
Debian's redis-server.service (Type=notify) expects. And `unixsocket`, which local deployments
use instead of TCP: redis-cli -s, redis-benchmark -s and redis-py reach it."""

import os
import shutil
import stat
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import basalt_harness as h  # noqa: E402

STOCK_CONF = "/etc/redis/redis.conf"  # Debian's redis-server package


def wait_for(predicate, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead for our purposes.
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(") ")[1][0] != "Z"


def read(path):
    with open(path) as f:
        return f.read()


def pong(port):
    try:
        c = h.RawClient(port)
        try:
            return c.call("PING") == b"+PONG\r\n"
        finally:
            c.close()
    except OSError:
        return False


class Daemonize(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="basalt-daemon-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def start_daemon(self, *args):
        """Runs basalt-server as an init script would: the command returns once the daemon has
        detached; its pid is the pid file's."""
        port = h.free_port()
        pidfile = os.path.join(self.dir, "basalt.pid")
        argv = [os.environ["BASALT_SERVER_BIN"], *args, "--port", str(port), "--http-port", "0",
                "--admin-port", "0", "--dir", self.dir, "--pidfile", pidfile, "--logfile",
                os.path.join(self.dir, "basalt.log"), "--save", ""]
        done = subprocess.run(argv, timeout=30, capture_output=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertTrue(wait_for(lambda: os.path.exists(pidfile)), "no pid file")
        self.assertTrue(wait_for(lambda: pong(port)), read(os.path.join(self.dir, "basalt.log")))
        pid = int(read(pidfile))
        self.addCleanup(lambda: alive(pid) and os.kill(pid, signal.SIGKILL))
        return port, pid, pidfile

    def test_daemonize_detaches_writes_the_pid_file_and_removes_it_at_shutdown(self):
        port, pid, pidfile = self.start_daemon("--daemonize", "yes")
        self.assertNotEqual(os.getsid(pid), os.getsid(0), "the daemon leads its own session")
        c = h.RawClient(port)
        self.assertIn(b"process_id:%d\r\n" % pid, c.call("INFO", "server"))
        self.assertIn(b"process_supervised:no\r\n", c.call("INFO", "server"))
        c.sock.sendall(h.resp_encode("SHUTDOWN", "NOSAVE"))
        c.close()
        self.assertTrue(wait_for(lambda: not alive(pid)))
        self.assertFalse(os.path.exists(pidfile))

    @unittest.skipUnless(os.path.exists(STOCK_CONF), "Debian's redis-server is not installed")
    def test_debian_s_stock_redis_conf_loads(self):
        # As Debian's init script starts redis-server: the packaged file, with this test's port,
        # directories and pid file given after it on the command line.
        conf = os.path.join(self.dir, "redis.conf")
        shutil.copy(STOCK_CONF, conf)
        port, pid, _ = self.start_daemon(conf)
        c = h.RawClient(port)
        self.assertEqual(c.call("SET", "k", "v"), b"+OK\r\n")
        self.assertEqual(c.call("CONFIG", "GET", "tcp-backlog"),
                         b"*2\r\n$11\r\ntcp-backlog\r\n$3\r\n511\r\n")
        self.assertEqual(c.call("CONFIG", "GET", "daemonize"),
                         b"*2\r\n$9\r\ndaemonize\r\n$3\r\nyes\r\n")
        c.close()
        os.kill(pid, signal.SIGTERM)
        self.assertTrue(wait_for(lambda: not alive(pid)))


class UnixSocket(unittest.TestCase):
    def test_clients_reach_the_unix_socket(self):
        import redis
        d = tempfile.mkdtemp(prefix="basalt-unix-")
        self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, "basalt.sock")
        with open(path, "w"):
            pass  # a regular file there is not taken for a stale socket
        with self.assertRaises(RuntimeError):
            h.basalt("--unixsocket", path)
        os.unlink(path)
        stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        stale.bind(path)  # one left by an earlier run is replaced
        stale.close()
        # Protected mode (no password) lets local unix-socket clients in.
        with h.basalt("--unixsocket", path, "--unixsocketperm", "700",
                      "--protected-mode", "yes") as s:
            mode = os.stat(path).st_mode
            self.assertTrue(stat.S_ISSOCK(mode))
            self.assertEqual(stat.S_IMODE(mode), 0o700)
            out = subprocess.run(["redis-cli", "-s", path, "SET", "k", "v"], capture_output=True,
                                 text=True, timeout=30)
            self.assertEqual(out.stdout, "OK\n")
            r = redis.Redis(unix_socket_path=path)
            self.assertEqual(r.get("k"), b"v")
            me = r.client_list()[0]
            self.assertEqual((me["addr"], me["laddr"], me["flags"]),
                             ("/unixsocket:0", "/unixsocket:0", "U"))
            self.assertEqual(r.config_get("unixsocketperm"), {"unixsocketperm": "700"})
            bench = subprocess.run(["redis-benchmark", "-s", path, "-t", "set,get", "-n", "2000",
                                    "-q"], capture_output=True, text=True, timeout=60)
            self.assertIn("SET:", bench.stdout)
            self.assertIn("GET:", bench.stdout)
            # TCP clients are still served, and count against maxclients with the others.
            self.assertTrue(pong(s.port))
            r.close()
        self.assertFalse(os.path.exists(path), "the socket file is removed at shutdown")


class OomScoreAdj(unittest.TestCase):
    """Redis's oom-score-adj.tcl, less what needs replicas and a fork: the master's value, added
    to the score the process started with (relative, yes) or as it is (absolute); no restores."""

    @unittest.skipUnless(os.geteuid() == 0, "lowering a score back needs CAP_SYS_RESOURCE")
    def test_the_process_score_follows_the_setting(self):
        def score(pid):
            return int(read(f"/proc/{pid}/oom_score_adj"))

        base = score("self")  # the server inherits it
        with h.basalt("--oom-score-adj-values", "10 20 30", "--oom-score-adj", "yes") as s:
            pid = s.proc.pid
            self.assertEqual(score(pid), base + 10)
            c = h.RawClient(s.port)
            self.assertEqual(c.call("CONFIG", "SET", "oom-score-adj-values", "15 20 30"),
                             b"+OK\r\n")
            self.assertEqual(score(pid), base + 15)
            self.assertEqual(c.call("CONFIG", "SET", "oom-score-adj", "absolute"), b"+OK\r\n")
            self.assertEqual(score(pid), 15)
            self.assertEqual(c.call("CONFIG", "SET", "oom-score-adj-values", "2000 0 0"),
                             b"+OK\r\n")
            self.assertEqual(score(pid), 1000, "clamped to the kernel's range")
            self.assertEqual(c.call("CONFIG", "SET", "oom-score-adj", "no"), b"+OK\r\n")
            self.assertEqual(score(pid), base)
            c.close()


class Systemd(unittest.TestCase):
    def test_ready_and_stopping_go_to_notify_socket(self):
        d = tempfile.mkdtemp(prefix="basalt-notify-")
        self.addCleanup(shutil.rmtree, d, True)
        path = os.path.join(d, "notify")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        sock.settimeout(10)
        self.addCleanup(sock.close)
        port = h.free_port()
        env = dict(os.environ, NOTIFY_SOCKET=path)
        # Debian's redis-server.service: --supervised systemd --daemonize no; daemonize yes
        # must be ignored under a supervisor as well.
        proc = subprocess.Popen([os.environ["BASALT_SERVER_BIN"], "--port", str(port),
                                 "--http-port", "0", "--admin-port", "0", "--save", "",
                                 "--supervised", "systemd", "--daemonize", "yes"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        message = sock.recv(4096)
        self.assertIn(b"READY=1\n", message)
        self.assertTrue(pong(port), "READY=1 only once clients are served")
        c = h.RawClient(port)
        self.assertIn(b"process_supervised:systemd\r\n", c.call("INFO", "server"))
        c.close()
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(sock.recv(4096), b"STOPPING=1\n")
        self.assertEqual(proc.wait(timeout=10), 0)

    def test_systemd_without_notify_socket_runs_unsupervised(self):
        env = {k: v for k, v in os.environ.items() if k != "NOTIFY_SOCKET"}
        port = h.free_port()
        proc = subprocess.Popen([os.environ["BASALT_SERVER_BIN"], "--port", str(port),
                                 "--http-port", "0", "--admin-port", "0", "--save", "",
                                 "--supervised", "systemd"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            self.assertTrue(wait_for(lambda: pong(port)))
            c = h.RawClient(port)
            self.assertIn(b"process_supervised:no\r\n", c.call("INFO", "server"))
            c.close()
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=10)
        self.assertIn(b"NOTIFY_SOCKET environment variable not found", err)


if __name__ == "__main__":
    unittest.main()
