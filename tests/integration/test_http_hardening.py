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
# Under ASan freed memory waits in a quarantine (RSS keeps it) and the allocator needs the whole
# address space: memory bounds are checked in the release build only; behaviour in both.
SANITIZED = os.environ.get("BASALT_SANITIZED") == "1"


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

    def assert_rss_growth_below(self, grown_kb, limit_kb, what):
        if not SANITIZED:
            self.assertLess(grown_kb, limit_kb, "%s: RSS grew by %d kB" % (what, grown_kb))

    def flood_without_reading(self, request, target, seconds):
        """Sends `request` over and over on one connection that never reads, until `target`
        bytes went out, the server stopped taking them (or closed), or `seconds` passed. Returns
        (bytes sent, peak RSS growth in kB, whether the sender was still blocked at the end)."""
        pid = self.server.proc.pid
        before = rss_kb(pid)
        batch = request * 1000
        sent = [0]
        s = self.connect()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)

        def flood():
            try:
                while sent[0] < target:
                    s.sendall(batch)
                    sent[0] += len(batch)
            except OSError:
                pass

        t = threading.Thread(target=flood)
        t.start()
        peak = before
        deadline = time.time() + seconds
        while t.is_alive() and time.time() < deadline:
            peak = max(peak, rss_kb(pid))
            time.sleep(0.01)
        stalled = t.is_alive()
        s.close()  # unblocks a sendall stuck on a full socket
        t.join()
        return sent[0], max(peak, rss_kb(pid)) - before, stalled

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
        self.assert_rss_growth_below(grown, 32 * 1024, "1 MiB received")
        s.close()
        self.assert_serves()

    @unittest.skipIf(SANITIZED, "ASan needs the address space this test takes away")
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


# --- 6: auth at the headers; what an unauthenticated connection may hold ------------------------

class AuthBeforeBodyTest(HardeningTest):
    password = PASSWORD
    extra = ("--http-max-body", "100000000")

    def refused_unread(self, request):
        s = self.connect()
        try:
            s.sendall(request)
            got = read_response(s, timeout=3)  # no body sent: answered at the headers
            self.assertIsNotNone(got, "not answered before the body")
            status, head, body = got
            self.assertIn(b"Connection: close", head)
            self.assertIn(b'WWW-Authenticate: Bearer realm="basalt"', head)
            # The connection ends (a lingering close: it reads and drops what follows).
            s.settimeout(5)
            rest = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                rest += chunk
            self.assertEqual(rest, b"")
            return status, body
        finally:
            s.close()

    def test_resource_api_refused_at_headers(self):
        for auth in (b"", b"Authorization: Bearer wrong\r\n"):
            status, body = self.refused_unread(
                b"PUT /api/v1/keys/x HTTP/1.1\r\nHost: x\r\n" + auth +
                b"Content-Type: application/json\r\nContent-Length: 50000000\r\n\r\n")
            self.assertEqual(status, 401)
            self.assertEqual(js(body)["error"]["code"], "UNAUTHENTICATED")

    def test_command_api_refused_at_headers(self):
        status, body = self.refused_unread(
            b"POST /api/v1/redis HTTP/1.1\r\nHost: x\r\nContent-Length: 50000000\r\n\r\n")
        self.assertEqual((status, js(body)), (401, {"error": "Unauthorized"}))

    def test_no_100_continue_before_auth(self):
        for method, target in ((b"POST", b"/api/v1/redis/set/k"), (b"PUT", b"/api/v1/keys/k"),
                               (b"POST", b"/api/v1/redis?_token=wrong")):
            status, _ = self.refused_unread(
                method + b" " + target + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                b"Expect: 100-continue\r\n\r\n")
            self.assertEqual(status, 401, target)

    def test_100_continue_after_auth(self):
        for target, auth in ((b"/api/v1/redis/set/k100", self.auth_line()),
                             (b"/api/v1/redis/set/k100?_token=" + PASSWORD.encode(), b"")):
            s = self.connect()
            s.sendall(b"POST " + target + b" HTTP/1.1\r\nHost: x\r\n" + auth +
                      b"Content-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            self.assertEqual(s.recv(100), b"HTTP/1.1 100 Continue\r\n\r\n")
            s.sendall(b"hello")
            got = read_response(s)
            s.close()
            self.assertEqual((got[0], js(got[2])), (200, {"result": "OK"}))

    def test_body_nobody_uses_is_dropped(self):
        # No route (404) or no such method (405): the answer does not depend on the body, so it
        # is neither invited with 100 Continue nor buffered, and the connection stays usable.
        pid = self.server.proc.pid
        before = rss_kb(pid)
        s = self.connect()
        try:
            size = 40 << 20
            s.sendall(b"POST /api/v1/nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
                      b"Expect: 100-continue\r\n\r\n" % size)
            s.settimeout(0.5)
            with self.assertRaises(socket.timeout):
                s.recv(100)
            s.settimeout(10)
            chunk = b"z" * (1 << 20)
            for _ in range(size >> 20):
                s.sendall(chunk)
            reader = ResponseReader(s)
            got = reader.next()
            self.assertEqual(got[0], 404, got)
            grown = rss_kb(pid) - before
            self.assertLess(grown, 8 * 1024, "a 40 MB body nobody reads grew RSS by %d kB" % grown)
            s.sendall(b"POST /api/v1/keys/k HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc")
            got = reader.next()
            self.assertEqual(got[0], 405, got)
            self.assertNotIn(b"Connection: close", got[1])
        finally:
            s.close()

    def test_unauthenticated_pipelining_is_bounded(self):
        # Requests that need no token (the OpenAPI document, 26 KB each) sent without reading the
        # responses: the server must stop holding them long before its 16 MB limit for clients
        # that have authenticated, and must not buffer the unread requests either.
        target = 64 << 20
        sent, grown, stalled = self.flood_without_reading(
            b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n", target, 20)
        sys.stderr.write("unauthenticated pipelining: sent %d bytes, RSS +%d kB\n" % (sent, grown))
        self.assert_rss_growth_below(grown, 8 * 1024, "an unauthenticated connection")
        self.assertFalse(stalled and sent >= target, "the server read everything")
        self.assert_serves()

    def test_authenticated_connection_keeps_the_large_limit(self):
        # Once a request on it has authenticated, a pipelining connection is paused, not closed.
        c = http.client.HTTPConnection("127.0.0.1", self.server.http_port, timeout=5)
        try:
            self.assertEqual(self.command(c, "PING"), (200, {"result": "PONG"}))
            for _ in range(3):
                c.request("GET", "/api/v1/openapi.json")
                r = c.getresponse()
                self.assertEqual(r.status, 200)
                r.read()
        finally:
            c.close()


class UnreadResponsesTest(HardeningTest):
    def test_reading_stops_while_responses_wait(self):
        # A connection allowed the large limit that pipelines without reading: once 16 MB of
        # responses wait, the server stops reading its requests too, instead of buffering them up
        # to client-query-buffer-limit (1 GB).
        target = 256 << 20
        sent, grown, _ = self.flood_without_reading(
            b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: x\r\n" + self.auth_line() + b"\r\n",
            target, 10)
        sys.stderr.write("pipelining without reading: sent %d bytes, RSS +%d kB\n" % (sent, grown))
        self.assertLess(sent, target, "the server read every request")
        self.assert_rss_growth_below(grown, 64 * 1024, "a connection")
        self.assert_serves()


class UnreadResponsesPasswordTest(UnreadResponsesTest):
    password = PASSWORD


class ShutdownTest(HardeningTest):
    """SHUTDOWN over the command API: nothing pipelined behind it runs."""

    def tearDown(self):
        pass

    def test_nothing_runs_after_shutdown(self):
        body = json.dumps(["SHUTDOWN", "NOSAVE"]).encode()
        shutdown = (b"POST /api/v1/redis HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + self.auth_line() + b"Content-Length: %d\r\n\r\n" % len(body) + body)
        ping = b"GET /api/v1/redis/ping HTTP/1.1\r\nHost: x\r\n" + self.auth_line() + b"\r\n"
        s = self.connect()
        try:
            s.sendall(shutdown + ping)
            got = b""
            while True:
                try:
                    chunk = s.recv(65536)
                except (socket.timeout, ConnectionResetError):
                    break
                if not chunk:
                    break
                got += chunk
        finally:
            s.close()
        self.assertNotIn(b"PONG", got)
        self.assertEqual(self.server.proc.wait(timeout=10), 0)


# --- 15: request smuggling ----------------------------------------------------------------------

class SmugglingTest(HardeningTest):
    def smuggled(self, key):
        return (b"GET /api/v1/redis/set/" + key + b"/1 HTTP/1.1\r\nHost: x\r\n" + self.auth_line() +
                b"\r\n")

    def exchange(self, data):
        out = raw_exchange(self.server.http_port, data, timeout=5)
        self.assertTrue(out.startswith(b"HTTP/1.1 "), out)
        return out

    def assert_not_run(self, out, key):
        self.assertEqual(out.count(b"HTTP/1.1 "), 1, out)  # one response, no second request
        self.assertIn(b"Connection: close", out)
        self.assertEqual(self.resp_get(key), b"$-1\r\n", "the hidden request ran")

    def test_chunk_data_without_crlf(self):
        # llhttp 8.1.0 skips the two bytes after chunk data whatever they are.
        out = self.exchange(b"POST /api/v1/redis/set/outer HTTP/1.1\r\nHost: x\r\n" +
                            self.auth_line() + b"Transfer-Encoding: chunked\r\n\r\n"
                            b"5\r\nhelloXX0\r\n\r\n" + self.smuggled(b"smuggled_chunk"))
        self.assertTrue(out.startswith(b"HTTP/1.1 411 "), out)
        self.assert_not_run(out, b"smuggled_chunk")
        self.assertEqual(self.resp_get("outer"), b"$-1\r\n")

    def test_chunked_body_is_refused(self):
        out = self.exchange(b"PUT /api/v1/keys/chunked HTTP/1.1\r\nHost: x\r\n" +
                            self.auth_line() + b"Content-Type: application/octet-stream\r\n"
                            b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 411 "), out)
        self.assertIn(b"LENGTH_REQUIRED", out)
        out = self.exchange(b"POST /api/v1/redis HTTP/1.1\r\nHost: x\r\n" + self.auth_line() +
                            b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 411 "), out)
        body = js(out.split(b"\r\n\r\n", 1)[1])
        self.assertTrue(body["error"].startswith("ERR "), body)  # the command API's envelope

    def test_space_around_header_names(self):
        for header in (b"Content-Length : 0", b"Transfer-Encoding : chunked",
                       b"Transfer Encoding: chunked", b"Content Length: 0", b"X\x01Y: z"):
            key = b"smuggled_name"
            out = self.exchange(b"POST /api/v1/redis/set/outer2 HTTP/1.1\r\nHost: x\r\n" +
                                self.auth_line() + header + b"\r\n\r\n" + self.smuggled(key))
            self.assertTrue(out.startswith(b"HTTP/1.1 400 "), (header, out))
            self.assert_not_run(out, key)

    def test_header_name_split_across_reads(self):
        # The name arrives in pieces: the space is found whichever piece holds it.
        s = self.connect()
        try:
            s.sendall(b"GET /api/v1/redis/set/split/1 HTTP/1.1\r\nHost: x\r\n" + self.auth_line() +
                      b"Transfer")
            time.sleep(0.2)
            s.sendall(b" Encoding: chunked\r\n\r\n")
            got = read_response(s)
        finally:
            s.close()
        self.assertEqual(got[0], 400)
        self.assertEqual(self.resp_get("split"), b"$-1\r\n")

    def test_content_length_with_transfer_encoding(self):
        hidden = self.smuggled(b"smuggled_clte")
        body = b"0\r\n\r\n" + hidden
        out = self.exchange(b"POST /api/v1/redis/set/outer3 HTTP/1.1\r\nHost: x\r\n" +
                            self.auth_line() + b"Content-Length: %d\r\n" % len(body) +
                            b"Transfer-Encoding: chunked\r\n\r\n" + body)
        self.assertTrue(out.startswith(b"HTTP/1.1 400 "), out)
        self.assert_not_run(out, b"smuggled_clte")

    def test_obs_fold(self):
        # A proxy that reads the folded line as a header of its own sees a chunked body; llhttp
        # joins it to the previous value. RFC 9112 5.2: reject it.
        hidden = self.smuggled(b"smuggled_fold")
        out = self.exchange(b"POST /api/v1/redis/set/outer4 HTTP/1.1\r\nHost: x\r\n" +
                            self.auth_line() + b"X-Pad: a\r\n Transfer-Encoding: chunked\r\n"
                            b"Content-Length: 5\r\n\r\n0\r\n\r\n" + hidden)
        self.assertTrue(out.startswith(b"HTTP/1.1 400 "), out)
        self.assert_not_run(out, b"smuggled_fold")
        self.assertEqual(self.resp_get("outer4"), b"$-1\r\n")

    def test_obs_fold_split_across_reads(self):
        s = self.connect()
        try:
            s.sendall(b"GET /api/v1/redis/set/fold2/1 HTTP/1.1\r\nHost: x\r\n" + self.auth_line() +
                      b"X-Pad: a\r\n")
            time.sleep(0.2)
            s.sendall(b"\tmore\r\n\r\n")
            got = read_response(s)
        finally:
            s.close()
        self.assertEqual(got[0], 400)
        self.assertEqual(self.resp_get("fold2"), b"$-1\r\n")

    def test_obs_fold_after_an_empty_value(self):
        # llhttp reads "X-Pad:\r\n\tTransfer-Encoding: chunked" as X-Pad's leading whitespace.
        hidden = self.smuggled(b"smuggled_fold3")
        out = self.exchange(b"POST /api/v1/redis/set/outer5 HTTP/1.1\r\nHost: x\r\n" +
                            self.auth_line() + b"X-Pad:\r\n\tTransfer-Encoding: chunked\r\n"
                            b"Content-Length: 5\r\n\r\n0\r\n\r\n" + hidden)
        self.assertTrue(out.startswith(b"HTTP/1.1 400 "), out)
        self.assert_not_run(out, b"smuggled_fold3")

    def test_empty_header_values_are_fine(self):
        # Empty values (which llhttp reports as an empty piece at the start of the next line) are
        # not folds, whichever read the line ends in.
        head = (b"POST /api/v1/redis/set/empty_values HTTP/1.1\r\nHost: x\r\n" + self.auth_line() +
                b"X-Empty:\r\nX-Blank:   \r\nUpstash-Sync-Token: \r\nContent-Length: 2\r\n\r\nok")
        for cut in range(1, len(head)):
            s = self.connect()
            try:
                s.sendall(head[:cut])
                time.sleep(0.002)
                s.sendall(head[cut:])
                got = ResponseReader(s).next()
            finally:
                s.close()
            self.assertEqual((got[0], js(got[2])), (200, {"result": "OK"}), cut)

    def test_bare_lf(self):
        out = self.exchange(b"GET /api/v1/redis/set/smuggled_lf/1 HTTP/1.1\nHost: x\n" +
                            self.auth_line().replace(b"\r\n", b"\n") + b"\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 400 "), out)
        self.assert_not_run(out, b"smuggled_lf")

    def test_content_length_requests_still_pipeline(self):
        one = (b"POST /api/v1/redis/incr/piped HTTP/1.1\r\nHost: x\r\n" + self.auth_line() +
               b"Content-Length: 0\r\n\r\n")
        s = self.connect()
        try:
            s.sendall(one * 3)
            reader = ResponseReader(s)
            results = [reader.next() for _ in range(3)]
        finally:
            s.close()
        self.assertEqual([js(r[2]) for r in results], [{"result": n} for n in (1, 2, 3)])


class SmugglingPasswordTest(SmugglingTest):
    password = PASSWORD


# --- 16: per-request session state; where ?_token= is accepted ----------------------------------

class SessionResetTest(HardeningTest):
    def test_state_does_not_carry_over(self):
        c = http.client.HTTPConnection("127.0.0.1", self.server.http_port, timeout=5)
        try:
            self.assertEqual(self.command(c, "CLIENT", "SETNAME", "leaky"), (200, {"result": "OK"}))
            self.assertEqual(self.command(c, "CLIENT", "GETNAME"), (200, {"result": None}))
            self.assertEqual(self.command(c, "CLIENT", "SETINFO", "LIB-NAME", "leaklib")[0], 200)
            status, r = self.command(c, "CLIENT", "INFO")
            self.assertNotIn("lib-name=leaklib", r["result"])
            self.assertEqual(self.command(c, "HELLO", "2")[0], 200)
            status, r = self.command(c, "CLIENT", "INFO")
            self.assertIn(" resp=3 ", r["result"])
            status, r = self.command(c, "HELLO")
            self.assertEqual(r["result"]["proto"], 3)
            self.assertEqual(self.command(c, "SELECT", "3")[0], 200)
            self.assertEqual(self.command(c, "CLIENT", "INFO")[1]["result"].count(" db=0 "), 1)
        finally:
            c.close()

    def test_token_parameter_is_for_the_command_api_only(self):
        if not self.password:
            # Without a password any token is accepted and ignored, on both APIs.
            s, _, _ = self.server.request("GET", "/api/v1/keys/t16?_token=anything")
            self.assertEqual(s, 404)
            return
        s, h, b = self.server.request("GET", "/api/v1/keys/t16?_token=" + self.password)
        self.assertEqual(s, 401)
        self.assertEqual(js(b)["error"]["code"], "UNAUTHENTICATED")
        s, _, b = self.server.request("GET", "/api/v1/redis/get/t16?_token=" + self.password)
        self.assertEqual((s, js(b)), (200, {"result": None}))


class SessionResetPasswordTest(SessionResetTest):
    password = PASSWORD


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    failed = len(result.failures) + len(result.errors)
    print("%d passed, %d failed" % (result.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
