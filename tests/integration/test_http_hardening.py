"""Regression tests for the HTTP front end's hardening against hostile peers, run against the real
basalt-server binary, each with and without --requirepass: a huge announced Content-Length,
allocation failure while a body arrives, auth checked at the headers (no body buffered and no
100 Continue before it), the output an unauthenticated pipelining connection may hold, request
smuggling payloads, and per-request session state. Memory figures are the server's VmRSS."""

import http.client
import json
import os
import resource
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_http_api import HttpServer, js, raw_exchange  # noqa: E402

PASSWORD = "s3cret"


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS for %d" % pid)


def vm_size_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1])
    raise AssertionError("no VmSize for %d" % pid)


class ResponseReader:
    """Reads responses (head and Content-Length body) from one socket, keeping what it read past
    the current one for the next."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def next(self, timeout=5):
        """(status, head bytes, body bytes), or None if nothing complete arrived in time."""
        self.sock.settimeout(timeout)
        deadline = time.time() + timeout
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                head = self.buf[:end]
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                if len(self.buf) >= end + 4 + length:
                    body = self.buf[end + 4:end + 4 + length]
                    self.buf = self.buf[end + 4 + length:]
                    return int(head.split(b" ")[1]), head, body
            if time.time() >= deadline:
                return None
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return None
            if not chunk:
                return None
            self.buf += chunk


def read_response(sock, timeout=5):
    return ResponseReader(sock).next(timeout)


class HardeningTest(unittest.TestCase):
    """Runs each test against a server without a password; PasswordMixin reruns them with one."""
    password = None
    extra = ()

    @classmethod
    def setUpClass(cls):
        args = list(cls.extra)
        if cls.password:
            args += ["--requirepass", cls.password]
        cls.server = HttpServer(*args)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.assertIsNone(self.server.proc.poll(), "the server died in an earlier test")

    def tearDown(self):
        self.assertIsNone(self.server.proc.poll(), "the server died")

    def auth_line(self):
        return b"Authorization: Bearer %s\r\n" % self.password.encode() if self.password else b""

    def auth_headers(self):
        return {"Authorization": "Bearer " + self.password} if self.password else {}

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.server.http_port), timeout=5)

    def resp_get(self, key):
        r = self.server.resp()
        try:
            if self.password:
                self.assertEqual(r.call("AUTH", self.password), b"+OK\r\n")
            return r.call("GET", key)
        finally:
            r.close()

    def command(self, conn, *argv):
        conn.request("POST", "/api/v1/redis", body=json.dumps(list(argv)),
                     headers={"Content-Type": "application/json", **self.auth_headers()})
        r = conn.getresponse()
        return r.status, js(r.read())

    def assert_serves(self):
        c = http.client.HTTPConnection("127.0.0.1", self.server.http_port, timeout=5)
        try:
            self.assertEqual(self.command(c, "PING"), (200, {"result": "PONG"}))
        finally:
            c.close()


# --- 1: a huge announced Content-Length; allocation failure ------------------------------------

class BodyMemoryTest(HardeningTest):
    extra = ("--http-max-body", "100000000000")  # 100 GB: above this machine's memory

    def test_announced_length_is_not_allocated(self):
        pid = self.server.proc.pid
        before = rss_kb(pid)
        s = self.connect()
        s.sendall(b"PUT /api/v1/keys/x HTTP/1.1\r\nHost: x\r\n" + self.auth_line() +
                  b"Content-Type: application/octet-stream\r\nContent-Length: 60000000000\r\n\r\n")
        s.sendall(b"a" * (1 << 20))  # some of it: held, but nothing like what was announced
        time.sleep(0.5)
        self.assertIsNone(self.server.proc.poll(), "the server died on a 60 GB Content-Length")
        grown = rss_kb(pid) - before
        self.assertLess(grown, 32 * 1024, "RSS grew by %d kB for 1 MiB received" % grown)
        s.close()
        self.assert_serves()

    def test_allocation_failure_refuses_the_request(self):
        # The body is allowed (http-max-body 100 GB) but memory runs out while it arrives: the
        # address-space limit makes the body's buffer fail to grow past about 48 MB.
        pid = self.server.proc.pid
        soft, hard = resource.prlimit(pid, resource.RLIMIT_AS)
        limit = (vm_size_kb(pid) + 48 * 1024) * 1024
        resource.prlimit(pid, resource.RLIMIT_AS, (limit, hard))
        try:
            for path, envelope in (("/api/v1/keys/big", "resource"), ("/api/v1/redis/set/big",
                                                                     "command")):
                method = b"PUT" if envelope == "resource" else b"POST"
                s = self.connect()
                total = 200 << 20
                s.sendall(method + b" " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n" +
                          self.auth_line() + b"Content-Type: application/octet-stream\r\n"
                          b"Content-Length: %d\r\n\r\n" % total)

                def send_body():
                    chunk = b"b" * (1 << 20)
                    try:
                        for _ in range(total >> 20):
                            s.sendall(chunk)
                    except OSError:
                        pass  # refused and closed: expected

                t = threading.Thread(target=send_body)
                t.start()
                got = read_response(s, timeout=20)
                t.join()
                s.close()
                self.assertIsNotNone(got, "no response")
                self.assertIsNone(self.server.proc.poll(), "the server died")
                status, head, body = got
                self.assertEqual(status, 503, head)
                self.assertIn(b"Connection: close", head)
                if envelope == "resource":
                    self.assertEqual(js(body)["error"]["code"], "SERVICE_UNAVAILABLE")
                else:
                    self.assertTrue(js(body)["error"].startswith("ERR "), body)
        finally:
            resource.prlimit(pid, resource.RLIMIT_AS, (soft, hard))
        self.assert_serves()
        self.assertEqual(self.resp_get("big"), b"$-1\r\n")


class BodyMemoryPasswordTest(BodyMemoryTest):
    password = PASSWORD


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    failed = len(result.failures) + len(result.errors)
    print("%d passed, %d failed" % (result.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
