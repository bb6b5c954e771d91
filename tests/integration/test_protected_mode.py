"""Protected mode, as in Redis 7: without requirepass, clients that are not on the loopback
interface are refused with Redis's DENIED text (RESP) or 403 with that text (HTTP); with a password,
or with protected-mode no, they get in; the admin port follows admin-bind instead.

A client from another address needs an interface that is not loopback: the test makes its own
network namespace with a second address (10.99.0.1) and runs the server and the clients inside
it, so nothing leaves the namespace. It needs root and iproute2, and is skipped without them."""

import os
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

SERVER = os.environ.get("BASALT_SERVER_BIN", "build/release/basalt-server")
NS = "basalt-pm-%d" % os.getpid()
ADDR = "10.99.0.1"
RESP_PORT, HTTP_PORT, ADMIN_PORT = 16379, 18080, 18081
DENIED = b"-DENIED Redis is running in protected mode because protected mode is enabled"

# The client side runs in the namespace too: one small program, given the address and port,
# that sends a request and prints what came back.
CLIENT = r"""
import socket, sys
addr, port, payload = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode().decode("unicode_escape")
s = socket.create_connection((addr, port), timeout=5)
s.sendall(payload.encode("latin-1"))
got = b""
try:
    while len(got) < 65536:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += chunk
        if not payload.startswith("GET") and got.count(b"\r\n") >= payload.count("\r\n"):
            break
except socket.timeout:
    pass
sys.stdout.buffer.write(got)
"""


def ns(*cmd, **kw):
    return subprocess.run(["ip", "netns", "exec", NS, *cmd], check=True, **kw)


def can_make_namespaces():
    if os.geteuid() != 0:
        return False
    try:
        subprocess.run(["ip", "netns", "add", NS + "-probe"], check=True, capture_output=True)
        subprocess.run(["ip", "netns", "del", NS + "-probe"], check=True, capture_output=True)
        return True
    except (OSError, subprocess.CalledProcessError):
        return False


@unittest.skipUnless(can_make_namespaces(), "needs root and ip netns")
class ProtectedModeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        subprocess.run(["ip", "netns", "add", NS], check=True)
        # The address goes on the namespace's own lo (no dummy-interface module is needed): what
        # the server judges is the client's address, and 10.99.0.1 is not a loopback address.
        ns("ip", "addr", "add", ADDR + "/24", "dev", "lo")
        ns("ip", "link", "set", "lo", "up")

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["ip", "netns", "del", NS], check=False)

    def start(self, *extra):
        proc = subprocess.Popen(
            ["ip", "netns", "exec", NS, SERVER, "--bind", "127.0.0.1 " + ADDR,
             "--port", str(RESP_PORT), "--http-port", str(HTTP_PORT),
             "--admin-port", str(ADMIN_PORT), "--loglevel", "warning", "--save", "", *extra],
            stderr=subprocess.DEVNULL)
        self.addCleanup(self.stop, proc)
        for _ in range(500):
            if self.send("127.0.0.1", RESP_PORT, "PING\\r\\n", check=False):
                return proc
            time.sleep(0.01)
        self.fail("the server did not start")

    @staticmethod
    def stop(proc):
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def send(self, addr, port, payload, check=True):
        r = subprocess.run(["ip", "netns", "exec", NS, sys.executable, "-c", CLIENT,
                            addr, str(port), payload], capture_output=True)
        if check:
            self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout

    def http_get(self, port, path, auth=""):
        req = "GET %s HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n%s\\r\\n" % (path, auth)
        return self.send(ADDR, port, req)

    def test_remote_clients_refused_without_a_password(self):
        self.start()
        self.assertTrue(self.send(ADDR, RESP_PORT, "PING\\r\\n").startswith(DENIED))
        self.assertIn(b"PONG", self.send("127.0.0.1", RESP_PORT, "PING\\r\\n"))
        got = self.http_get(HTTP_PORT, "/api/v1/redis/ping")
        self.assertTrue(got.startswith(b"HTTP/1.1 403 "), got[:200])
        # In the command API's envelope (the path is not known yet, and a command API serves "/").
        self.assertIn(b"running in protected mode", got)
        # The admin port has no password to set: admin-bind keeps it private instead.
        self.assertTrue(self.http_get(ADMIN_PORT, "/healthz").startswith(b"HTTP/1.1 200 "))

    def test_a_password_or_protected_mode_no_lets_them_in(self):
        self.start("--requirepass", "pw")
        self.assertIn(b"NOAUTH", self.send(ADDR, RESP_PORT, "PING\\r\\n"))
        got = self.http_get(HTTP_PORT, "/api/v1/redis/ping", "Authorization: Bearer pw\\r\\n")
        self.assertTrue(got.startswith(b"HTTP/1.1 200 "), got[:200])

    def test_protected_mode_no(self):
        proc = self.start("--protected-mode", "no")
        self.assertIn(b"PONG", self.send(ADDR, RESP_PORT, "PING\\r\\n"))
        self.assertIsNone(proc.poll())

    def test_config_set_protected_mode_from_loopback(self):
        self.start()
        self.assertTrue(self.send(ADDR, RESP_PORT, "PING\\r\\n").startswith(DENIED))
        self.assertIn(b"+OK", self.send("127.0.0.1", RESP_PORT,
                                        "CONFIG SET protected-mode no\\r\\nPING\\r\\n"))
        self.assertIn(b"PONG", self.send(ADDR, RESP_PORT, "PING\\r\\n"))

    def test_admin_bind(self):
        self.start("--admin-bind", "127.0.0.1")
        self.assertTrue(self.send("127.0.0.1", ADMIN_PORT,
                                  "GET /healthz HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n")
                        .startswith(b"HTTP/1.1 200 "))
        r = subprocess.run(["ip", "netns", "exec", NS, sys.executable, "-c", CLIENT, ADDR,
                            str(ADMIN_PORT), "GET / HTTP/1.1\\r\\n\\r\\n"], capture_output=True)
        self.assertNotEqual(r.returncode, 0, "the admin port answered on " + ADDR)
        self.assertIn(b"ConnectionRefusedError", r.stderr)


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    failed = len(result.failures) + len(result.errors)
    skipped = len(result.skipped)
    print("%d passed, %d failed, %d skipped" % (result.testsRun - failed - skipped, failed, skipped))
    sys.exit(1 if failed else 0)
