"""Black-box tests of the HTTP front end against the real basalt-server binary: every route and
status code of the resource API, the Upstash-compatible command API, the admin port, auth, CORS,
limits, malformed and slow requests, keep-alive and pipelining, binary values, and keys seen the
same way over RESP and HTTP. Only the standard library (http.client, sockets)."""

import base64
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import sys
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from basalt_harness import RawClient, free_port, wait_for_port  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class HttpServer:
    """basalt-server on free RESP, HTTP and admin ports."""

    def __init__(self, *extra, env=None):
        for attempt in range(3):
            try:
                self._start(extra, env)
                return
            except RuntimeError:
                # A "free" port taken by a parallel test before the server bound it: retry.
                if self.proc.poll() is None:
                    self.proc.kill()
                    self.proc.wait()
                if attempt == 2:
                    self.log.seek(0)
                    sys.stderr.write(self.log.read().decode(errors="replace")[-4000:])
                    raise
                self.log.close()

    def _start(self, extra, env):
        self.port, self.http_port, self.admin_port = free_port(), free_port(), free_port()
        argv = [os.environ["BASALT_SERVER_BIN"], "--port", str(self.port), "--http-port",
                str(self.http_port), "--admin-port", str(self.admin_port), "--loglevel", "warning",
                "--save", "", *extra]
        full_env = dict(os.environ)
        full_env.update(env or {})
        # The server's log goes to a file (a pipe nobody reads could fill and stall it); it is
        # printed if the server dies abnormally.
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=self.log,
                                     env=full_env)
        for p in (self.port, self.http_port, self.admin_port):
            wait_for_port(p, self.proc)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.returncode not in (0, -signal.SIGTERM):
            self.log.seek(0)
            sys.stderr.write("basalt-server exited with %d; its log:\n%s\n" % (
                self.proc.returncode, self.log.read().decode(errors="replace")[-20000:]))
        self.log.close()
        return self.proc.returncode

    def resp(self):
        return RawClient(self.port)

    def conn(self, admin=False):
        return http.client.HTTPConnection("127.0.0.1", self.admin_port if admin else self.http_port,
                                          timeout=10)

    def request(self, method, path, body=None, headers=None, admin=False):
        """One request on a fresh connection: (status, headers dict lowercased, body bytes)."""
        c = self.conn(admin)
        try:
            return send(c, method, path, body, headers)
        finally:
            c.close()


def send(c, method, path, body=None, headers=None):
    headers = dict(headers or {})
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
        headers.setdefault("Content-Type", "application/json")
    if isinstance(body, str):
        body = body.encode()
    c.request(method, path, body=body, headers=headers)
    r = c.getresponse()
    data = r.read()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def js(data):
    return json.loads(data) if data else None


def key_path(key, suffix=""):
    if isinstance(key, str):
        key = key.encode()
    return "/api/v1/keys/" + urllib.parse.quote(key, safe="") + suffix


def raw_exchange(port, data, read_until_close=True, timeout=5):
    """Sends raw bytes and returns everything read until the server closes (or the timeout)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        s.sendall(data)
        out = b""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
            if not read_until_close:
                break
        return out
    finally:
        s.close()


class ServerTest(unittest.TestCase):
    extra = ()
    env = None

    @classmethod
    def setUpClass(cls):
        cls.server = HttpServer(*cls.extra, env=cls.env)

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        if code not in (0, -signal.SIGTERM):
            raise AssertionError("basalt-server exited with %d" % code)

    def req(self, *args, **kwargs):
        return self.server.request(*args, **kwargs)


class ResourceApiTest(ServerTest):
    def test_put_get_head_patch_delete(self):
        s, h, b = self.req("PUT", key_path("crud"), {"value": "hello"})
        self.assertEqual(s, 201)
        self.assertEqual(h["location"], "/api/v1/keys/crud")
        item = js(b)
        self.assertEqual(item, {"key": "crud", "type": "string", "value": "hello", "ttl_ms": None,
                                "expires_at": None})
        s, _, b = self.req("PUT", key_path("crud"), {"value": "again"})
        self.assertEqual(s, 200)
        s, h, b = self.req("GET", key_path("crud"))
        self.assertEqual(s, 200)
        self.assertEqual(js(b)["value"], "again")
        self.assertRegex(h["etag"], r'^"[0-9a-f]{16}"$')
        self.assertEqual(h["content-type"], "application/json")
        s, h, b = self.req("HEAD", key_path("crud"))
        self.assertEqual((s, b), (200, b""))
        self.assertIn("etag", h)
        s, _, b = self.req("HEAD", key_path("nope"))
        self.assertEqual((s, b), (404, b""))
        s, _, b = self.req("PATCH", key_path("crud"), {"value": "patched"})
        self.assertEqual((s, js(b)["value"]), (200, "patched"))
        s, _, b = self.req("PATCH", key_path("missing"), {"value": "x"})
        self.assertEqual(s, 404)
        self.assertEqual(js(b)["error"]["code"], "NOT_FOUND")
        s, _, b = self.req("DELETE", key_path("crud"))
        self.assertEqual((s, b), (204, b""))
        s, _, b = self.req("DELETE", key_path("crud"))
        self.assertEqual(s, 404)
        s, _, b = self.req("GET", key_path("crud"))
        self.assertEqual(s, 404)
        self.assertEqual(js(b), {"error": {"code": "NOT_FOUND", "message": "no such key"}})

    def test_lists_as_items(self):
        s, _, b = self.req("PUT", key_path("alist"), {"value": ["a", "b", 3]})
        self.assertEqual(s, 201)
        self.assertEqual(js(b)["type"], "list")
        self.assertEqual(js(b)["value"], ["a", "b", "3"])
        s, _, b = self.req("PUT", key_path("alist"), {"value": "now a string"})
        self.assertEqual((s, js(b)["type"]), (200, "string"))
        s, _, b = self.req("PUT", key_path("alist"), {"value": []})
        self.assertEqual(s, 400)

    def test_hashes_sets_and_sorted_sets(self):
        # A hash is a JSON object, its fields sorted whatever order HSET saw them in.
        s, _, b = self.req("PUT", key_path("ahash"), {"value": {"b": "2", "a": 1}, "ttl_ms": 100000})
        self.assertEqual(s, 201)
        item = js(b)
        self.assertEqual((item["type"], item["value"]), ("hash", {"a": "1", "b": "2"}))
        self.assertEqual(list(item["value"]), ["a", "b"])
        self.assertTrue(0 < item["ttl_ms"] <= 100000)
        # PUT replaces the whole hash (no field of the old one survives).
        s, _, b = self.req("PUT", key_path("ahash"), {"value": {"c": "3"}})
        self.assertEqual((s, js(b)["value"], js(b)["ttl_ms"]), (200, {"c": "3"}, None))
        # A set needs its type named (a bare array is a list); members come back sorted.
        s, _, b = self.req("PUT", key_path("aset"), {"type": "set", "value": ["z", "a", "m", "a"]})
        self.assertEqual((s, js(b)["type"], js(b)["value"]), (201, "set", ["a", "m", "z"]))
        # A sorted set is an array of {member, score}, in score order; infinities as strings.
        zs = [{"member": "top", "score": "inf"}, {"member": "b", "score": 2.5},
              {"member": "a", "score": -1}, {"member": "low", "score": "-inf"}]
        s, _, b = self.req("PUT", key_path("azset"), {"value": zs})
        self.assertEqual((s, js(b)["type"]), (201, "zset"))
        self.assertEqual(js(b)["value"], [{"member": "low", "score": "-inf"},
                                          {"member": "a", "score": -1},
                                          {"member": "b", "score": 2.5},
                                          {"member": "top", "score": "inf"}])
        s, _, b = self.req("PUT", key_path("azset"),
                           {"type": "zset", "value": [{"member": "x", "score": 0.1}]})
        self.assertEqual((s, js(b)["value"]), (200, [{"member": "x", "score": 0.1}]))
        self.assertIn(b'"score":0.1}', b)  # the shortest form, not 0.10000000000000001
        # Written over RESP, read over HTTP (and back), byte for byte.
        r = self.server.resp()
        self.assertEqual(r.call("HGETALL", "ahash"), b"*2\r\n$1\r\nc\r\n$1\r\n3\r\n")
        self.assertEqual(r.call("SCARD", "aset"), b":3\r\n")
        self.assertEqual(float(r.call("ZSCORE", "azset", "x").split(b"\r\n")[1]), 0.1)
        r.call("HSET", "bhash", "f", b"\xff", "e", "v")
        r.call("SADD", "bset", "b", "a")
        r.call("ZADD", "bzset", "2", "two", "1", "one")
        r.close()
        s, _, b = self.req("GET", key_path("bhash"))
        self.assertEqual(js(b)["value_base64"], {"ZQ==": "dg==", "Zg==": "/w=="})
        s, _, b = self.req("GET", key_path("bset"))
        self.assertEqual(js(b)["value"], ["a", "b"])
        s, _, b = self.req("GET", key_path("bzset"))
        self.assertEqual(js(b)["value"], [{"member": "one", "score": 1}, {"member": "two", "score": 2}])
        # Binary values: the whole value (hash field names included) goes to value_base64.
        s, _, b = self.req("PUT", key_path("binhash"), {"value_base64": {"/w==": "YQ=="}})
        self.assertEqual((s, js(b)["value_base64"]), (201, {"/w==": "YQ=="}))
        s, _, b = self.req("PUT", key_path("binset"), {"type": "set", "value_base64": ["/w==", "YQ=="]})
        self.assertEqual(js(b)["value_base64"], ["YQ==", "/w=="])
        s, _, b = self.req("GET", key_path("azset") + "?encoding=base64")
        self.assertEqual(js(b)["value_base64"], [{"member": "eA==", "score": 0.1}])
        s, _, b = self.req("GET", key_path("aset"), headers={"Accept": "application/octet-stream"})
        self.assertEqual(s, 406)
        # A PATCH of the value may change the type too, and keeps the TTL.
        self.req("PUT", key_path("ahash"), {"value": {"c": "3"}, "ttl_ms": 100000})
        s, _, b = self.req("PATCH", key_path("ahash"), {"type": "set", "value": ["q"]})
        self.assertEqual((s, js(b)["type"], js(b)["value"]), (200, "set", ["q"]))
        self.assertTrue(0 < js(b)["ttl_ms"] <= 100000)

    def test_invalid_typed_bodies_leave_the_key_alone(self):
        self.req("PUT", key_path("keepme"), {"value": {"f": "v"}})
        for body in ({"value": {}}, {"type": "set", "value": []}, {"type": "hash", "value": ["a"]},
                     {"type": "set", "value": {"f": "v"}}, {"type": "list", "value": "x"},
                     {"type": "stream", "value": ["a"]}, {"type": "set"},
                     {"value": [{"member": "a"}]}, {"value": [{"member": "a", "score": "x"}]},
                     {"value": [{"member": "a", "score": "nan"}]},
                     {"value": [{"member": "a", "score": 1, "rank": 2}]},
                     {"value": [{"member": "a", "score": 1}, "b"]},
                     {"value": {"f": ["nested"]}}, {"value_base64": {"not base64!": "YQ=="}}):
            s, _, b = self.req("PUT", key_path("keepme"), body)
            self.assertEqual(s, 400, body)
            self.assertEqual(js(b)["error"]["code"], "BAD_REQUEST", body)
        s, _, b = self.req("GET", key_path("keepme"))
        self.assertEqual((s, js(b)["value"]), (200, {"f": "v"}))
        # The items routes are for lists: a hash there is the wrong type.
        s, _, b = self.req("POST", key_path("keepme", "/items"), {"value": "y"})
        self.assertEqual((s, js(b)["error"]["code"]), (409, "WRONGTYPE"))
        s, _, b = self.req("POST", key_path("newlist", "/items"), {"values": [{"member": "a", "score": 1}]})
        self.assertEqual(s, 400)

    def test_values_are_strings_never_retyped(self):
        for raw, expected in (("1.10", "1.10"), ("12345678901234567890123", "12345678901234567890123"),
                              ("-0", "-0"), ("1e5", "1e5")):
            body = '{"value": %s}' % raw
            s, _, b = self.req("PUT", key_path("num"), body, {"Content-Type": "application/json"})
            self.assertEqual(s, 200 if js(b) and s == 200 else s)
            self.assertEqual(js(b)["value"], expected)
        r = self.server.resp()
        self.assertEqual(r.call("GET", "num"), b"$3\r\n1e5\r\n")
        r.close()
        for bad in ('{"value": true}', '{"value": null}', '{"value": {"a": true}}', '{"valu": "x"}',
                    '{}', '[1]', '"x"'):
            s, _, b = self.req("PUT", key_path("num"), bad, {"Content-Type": "application/json"})
            self.assertEqual(s, 400, bad)

    def test_etags_and_conditional_requests(self):
        s, h, _ = self.req("PUT", key_path("cas"), {"value": "v1"})
        etag1 = h["etag"]
        s, h, _ = self.req("GET", key_path("cas"), headers={"If-None-Match": etag1})
        self.assertEqual(s, 304)
        self.assertEqual(h["etag"], etag1)
        s, _, _ = self.req("GET", key_path("cas"), headers={"If-None-Match": '"0000000000000000"'})
        self.assertEqual(s, 200)
        # Compare-and-swap.
        s, h, b = self.req("PUT", key_path("cas"), {"value": "v2"}, {"If-Match": '"0000000000000000"'})
        self.assertEqual(s, 412)
        self.assertEqual(js(b)["error"]["code"], "PRECONDITION_FAILED")
        self.assertEqual(h["etag"], etag1)
        s, h, b = self.req("PUT", key_path("cas"), {"value": "v2"}, {"If-Match": etag1})
        self.assertEqual(s, 200)
        etag2 = h["etag"]
        self.assertNotEqual(etag1, etag2)
        s, _, _ = self.req("PATCH", key_path("cas"), {"value": "v3"}, {"If-Match": etag1})
        self.assertEqual(s, 412)
        s, _, _ = self.req("DELETE", key_path("cas"), headers={"If-Match": etag1})
        self.assertEqual(s, 412)
        # Every write gives a new tag, a TTL change too, and an old tag never matches again even
        # when the value comes back to what it was (A -> B -> A).
        s, h, _ = self.req("PATCH", key_path("cas"), {"ttl_ms": 100000}, {"If-Match": etag2})
        self.assertEqual(s, 200)
        self.assertNotIn(h["etag"], (etag1, etag2))
        s, h, _ = self.req("PUT", key_path("cas"), {"value": "v1"})
        self.assertNotIn(h["etag"], (etag1, etag2))
        s, _, _ = self.req("PUT", key_path("cas"), {"value": "v9"}, {"If-Match": etag1})
        self.assertEqual(s, 412)
        # A write over RESP, even of the same bytes, changes it as well.
        _, h, _ = self.req("GET", key_path("cas"))
        before = h["etag"]
        conn = self.server.resp()
        self.assertEqual(conn.call("SET", "cas", "v1", "KEEPTTL"), b"+OK\r\n")
        conn.close()
        s, h, _ = self.req("GET", key_path("cas"), headers={"If-None-Match": before})
        self.assertEqual(s, 200)
        etag2 = h["etag"]
        self.assertNotEqual(etag2, before)
        # Reads leave it alone.
        s, h, _ = self.req("GET", key_path("cas"), headers={"If-None-Match": etag2})
        self.assertEqual((s, h["etag"]), (304, etag2))
        # Create-only.
        s, _, _ = self.req("PUT", key_path("cas"), {"value": "x"}, {"If-None-Match": "*"})
        self.assertEqual(s, 412)
        s, _, _ = self.req("PUT", key_path("cas-new"), {"value": "x"}, {"If-None-Match": "*"})
        self.assertEqual(s, 201)
        s, _, _ = self.req("PUT", key_path("cas-none"), {"value": "x"}, {"If-Match": "*"})
        self.assertEqual(s, 412)
        s, _, _ = self.req("DELETE", key_path("cas"), headers={"If-Match": etag2})
        self.assertEqual(s, 204)

    def test_ttl_routes_and_expiry(self):
        s, _, b = self.req("PUT", key_path("t"), {"value": "x", "ttl_ms": 60000})
        item = js(b)
        self.assertTrue(59000 < item["ttl_ms"] <= 60000)
        self.assertRegex(item["expires_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        s, _, b = self.req("GET", key_path("t", "/ttl"))
        self.assertEqual(s, 200)
        self.assertTrue(59000 < js(b)["ttl_ms"] <= 60000)
        s, _, b = self.req("PUT", key_path("t", "/ttl"), {"ttl": 5})
        self.assertTrue(4000 < js(b)["ttl_ms"] <= 5000)
        s, _, b = self.req("PUT", key_path("t", "/ttl"), {"expires_at": "2999-01-01T00:00:00Z"})
        self.assertEqual(js(b)["expires_at"], "2999-01-01T00:00:00.000Z")
        s, _, b = self.req("DELETE", key_path("t", "/ttl"))
        self.assertEqual((s, js(b)["ttl_ms"], js(b)["expires_at"]), (200, None, None))
        s, _, b = self.req("GET", key_path("missing", "/ttl"))
        self.assertEqual(s, 404)
        s, _, b = self.req("PUT", key_path("missing", "/ttl"), {"ttl_ms": 1000})
        self.assertEqual(s, 404)
        for bad in ({"ttl_ms": 0}, {"ttl_ms": -5}, {"ttl_ms": "soon"}, {"ttl_ms": 1.5}, {"ttl": 0},
                    {"expires_at": "2001-01-01T00:00:00Z"}, {"expires_at": "tomorrow"}, {}):
            s, _, b = self.req("PUT", key_path("t", "/ttl"), bad)
            self.assertEqual(s, 422, bad)
            self.assertEqual(js(b)["error"]["code"], "INVALID_TTL")
        s, _, b = self.req("PUT", key_path("t2"), {"value": "x", "ttl_ms": -1})
        self.assertEqual(s, 422)
        s, _, _ = self.req("PUT", key_path("t2"), {"value": "x", "ttl_ms": 1, "ttl": 1})
        self.assertEqual(s, 400)
        # keep_ttl and PATCH keep the TTL; "ttl_ms": null removes it.
        self.req("PUT", key_path("k"), {"value": "a", "ttl_ms": 50000})
        s, _, b = self.req("PUT", key_path("k"), {"value": "b", "keep_ttl": True})
        self.assertGreater(js(b)["ttl_ms"], 40000)
        s, _, b = self.req("PATCH", key_path("k"), {"value": "c"})
        self.assertGreater(js(b)["ttl_ms"], 40000)
        s, _, b = self.req("PATCH", key_path("k"), {"value": ["l1", "l2"]})
        self.assertEqual(js(b)["type"], "list")
        self.assertGreater(js(b)["ttl_ms"], 40000)
        s, _, b = self.req("PATCH", key_path("k"), {"ttl_ms": None})
        self.assertEqual(js(b)["ttl_ms"], None)
        s, _, b = self.req("PUT", key_path("k"), {"value": "d"})
        self.assertEqual(js(b)["ttl_ms"], None)

    def test_expiry_seen_over_http(self):
        self.req("PUT", key_path("short"), {"value": "x", "ttl_ms": 200})
        s, _, _ = self.req("GET", key_path("short"))
        self.assertEqual(s, 200)
        time.sleep(0.35)
        for method in ("GET", "HEAD"):
            s, _, _ = self.req(method, key_path("short"))
            self.assertEqual(s, 404, method)

    def test_items_push_pop_range(self):
        s, _, b = self.req("POST", key_path("q", "/items"), {"values": ["a", "b"]})
        self.assertEqual((s, js(b)), (200, {"length": 2}))
        s, _, b = self.req("POST", key_path("q", "/items?end=head"), {"value": "z"})
        self.assertEqual(js(b), {"length": 3})
        s, _, b = self.req("POST", key_path("q", "/items"), b"raw\x00bytes",
                           {"Content-Type": "application/octet-stream"})
        self.assertEqual(js(b), {"length": 4})
        s, _, b = self.req("GET", key_path("q", "/items"))
        self.assertEqual(js(b), {"values": ["z", "a", "b", "raw\u0000bytes"]})
        s, _, b = self.req("GET", key_path("q", "/items?start=1&stop=2"))
        self.assertEqual(js(b), {"values": ["a", "b"]})
        s, _, b = self.req("DELETE", key_path("q", "/items?end=tail"))
        self.assertEqual(js(b), {"values": ["raw\u0000bytes"]})
        s, _, b = self.req("DELETE", key_path("q", "/items?count=5"))
        self.assertEqual((s, js(b)), (200, {"values": ["z", "a", "b"]}))
        s, _, b = self.req("DELETE", key_path("q", "/items"))
        self.assertEqual(s, 404)
        s, _, b = self.req("GET", key_path("q", "/items"))
        self.assertEqual(s, 404)
        for bad in ("?end=middle", "?count=0", "?count=x", "?wait_ms=-1"):
            s, _, _ = self.req("DELETE", key_path("q", "/items" + bad))
            self.assertEqual(s, 400, bad)
        s, _, _ = self.req("GET", key_path("q", "/items?start=x"))
        self.assertEqual(s, 400)

    def test_wrong_type_is_409(self):
        self.req("PUT", key_path("str"), {"value": "x"})
        s, _, b = self.req("POST", key_path("str", "/items"), {"value": "y"})
        self.assertEqual(s, 409)
        self.assertEqual(js(b)["error"]["code"], "WRONGTYPE")
        s, _, _ = self.req("GET", key_path("str", "/items"))
        self.assertEqual(s, 409)
        s, _, _ = self.req("DELETE", key_path("str", "/items"))
        self.assertEqual(s, 409)

    def test_blocking_pop_times_out_with_204(self):
        t0 = time.time()
        s, _, b = self.req("DELETE", key_path("empty-q", "/items?wait_ms=300"))
        self.assertEqual((s, b), (204, b""))
        self.assertGreater(time.time() - t0, 0.25)

    def test_blocking_pop_woken_by_resp_push(self):
        def push():
            time.sleep(0.3)
            r = self.server.resp()
            r.call("RPUSH", "jobs", "j1", "j2")
            r.close()

        t = threading.Thread(target=push)
        t.start()
        t0 = time.time()
        s, _, b = self.req("DELETE", key_path("jobs", "/items?wait_ms=5000&count=5"))
        t.join()
        self.assertEqual((s, js(b)), (200, {"values": ["j1", "j2"]}))
        self.assertLess(time.time() - t0, 3)

    def test_blocked_request_holds_the_pipeline_behind_it(self):
        s = socket.create_connection(("127.0.0.1", self.server.http_port), timeout=5)
        s.sendall(b"DELETE /api/v1/keys/pq/items?wait_ms=3000 HTTP/1.1\r\nHost: x\r\n\r\n"
                  b"GET /api/v1/keys/pq/items HTTP/1.1\r\nHost: x\r\n\r\n")
        time.sleep(0.2)
        r = self.server.resp()
        r.call("RPUSH", "pq", "first", "second")
        r.close()
        data = b""
        while data.count(b"HTTP/1.1") < 2 or not data.endswith(b"}"):
            data += s.recv(65536)
        s.close()
        first, second = data.split(b"HTTP/1.1 ")[1:]
        self.assertTrue(first.startswith(b"200"))
        self.assertIn(b'{"values":["first"]}', first)
        self.assertIn(b'{"values":["second"]}', second)

    def test_scan(self):
        for i in range(30):
            self.req("PUT", key_path("scan:%d" % i), {"value": "v"})
        self.req("PUT", key_path("scanlist"), {"value": ["x"]})
        seen, cursor = set(), "0"
        for _ in range(100):
            s, _, b = self.req("GET", "/api/v1/keys?match=scan:*&count=7&cursor=" + cursor)
            self.assertEqual(s, 200)
            page = js(b)
            seen.update(page["keys"])
            cursor = page["cursor"]
            if cursor == "0":
                break
        self.assertEqual(seen, {"scan:%d" % i for i in range(30)})
        s, _, b = self.req("GET", "/api/v1/keys?match=scan*&type=list&count=1000")
        self.assertEqual(js(b)["keys"], ["scanlist"])
        s, _, b = self.req("GET", "/api/v1/keys?cursor=notanumber")
        self.assertEqual(s, 400)

    def test_binary_values(self):
        blob = bytes(range(256))
        s, _, b = self.req("PUT", key_path("bin"), blob, {"Content-Type": "application/octet-stream"})
        self.assertEqual(s, 201)
        self.assertEqual(base64.b64decode(js(b)["value_base64"]), blob)
        self.assertNotIn("value", js(b))
        s, h, b = self.req("GET", key_path("bin"), headers={"Accept": "application/octet-stream"})
        self.assertEqual((s, b), (200, blob))
        self.assertEqual(h["content-type"], "application/octet-stream")
        self.assertNotIn("x-ttl-ms", h)
        s, _, b = self.req("PUT", key_path("bin2") + "?ttl_ms=50000", blob,
                           {"Content-Type": "application/octet-stream"})
        s, h, b = self.req("GET", key_path("bin2"), headers={"Accept": "application/octet-stream"})
        self.assertTrue(40000 < int(h["x-ttl-ms"]) <= 50000)
        r = self.server.resp()
        self.assertEqual(r.call("GET", "bin"), b"$256\r\n" + blob + b"\r\n")
        r.close()
        s, _, b = self.req("PUT", key_path("b64"), {"value_base64": base64.b64encode(b"\xff\x00").decode()})
        self.assertEqual(js(b)["value_base64"], "/wA=")
        s, _, b = self.req("GET", key_path("b64"))
        self.assertEqual(js(b)["value_base64"], "/wA=")
        s, _, b = self.req("PUT", key_path("b64"), {"value_base64": "!!"})
        self.assertEqual(s, 400)
        s, _, b = self.req("PUT", key_path("text"), {"value": "caf\u00e9"})
        s, _, b = self.req("GET", key_path("text") + "?encoding=base64")
        self.assertEqual(base64.b64decode(js(b)["value_base64"]), "caf\u00e9".encode())
        s, _, b = self.req("GET", key_path("text") + "?encoding=hex")
        self.assertEqual(s, 400)
        # A list with one binary element comes back entirely as values_base64.
        self.req("PUT", key_path("binlist"), {"value_base64": ["YQ==", "/w=="]})
        s, _, b = self.req("GET", key_path("binlist", "/items"))
        self.assertEqual(js(b), {"values_base64": ["YQ==", "/w=="]})
        s, _, b = self.req("GET", key_path("binlist"), headers={"Accept": "application/octet-stream"})
        self.assertEqual(s, 406)

    def test_awkward_keys_and_resp_agreement(self):
        r = self.server.resp()
        for key in ("a/b", "dot.key", ".", "..", "with space", "100%", "caf\u00e9".encode(),
                    b"\xff\xfe", "q?x=1&y#z", "plus+sign"):
            kb = key.encode() if isinstance(key, str) else key
            s, _, b = self.req("PUT", key_path(key), {"value": "v-" + repr(key)})
            self.assertEqual(s, 201, key)
            self.assertEqual(r.call("GET", kb), b"$%d\r\n%s\r\n" % (len("v-" + repr(key)),
                                                                   ("v-" + repr(key)).encode()))
            r.call("SET", kb, "from-resp")
            s, _, b = self.req("GET", key_path(key))
            self.assertEqual(js(b)["value"], "from-resp", key)
            if isinstance(key, bytes) and key == b"\xff\xfe":
                self.assertEqual(base64.b64decode(js(b)["key_base64"]), key)
            else:
                self.assertEqual(js(b)["key"].encode(), kb)
            s, _, _ = self.req("DELETE", key_path(key))
            self.assertEqual(s, 204)
            self.assertEqual(r.call("EXISTS", kb), b":0\r\n")
        r.close()

    def test_same_data_over_resp_and_http(self):
        r = self.server.resp()
        r.call("RPUSH", "shared:list", "1", "2", "3")
        r.call("SET", "shared:str", "resp", "PX", "100000")
        s, h, b = self.req("GET", key_path("shared:list"))
        self.assertEqual(js(b)["value"], ["1", "2", "3"])
        s, h, b = self.req("GET", key_path("shared:str"))
        self.assertEqual(js(b)["value"], "resp")
        self.assertTrue(0 < js(b)["ttl_ms"] <= 100000)
        self.req("POST", key_path("shared:list", "/items"), {"value": "4"})
        self.assertEqual(r.call("LRANGE", "shared:list", "0", "-1"),
                         b"*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n")
        self.req("PUT", key_path("shared:new"), {"value": "http", "ttl": 100})
        self.assertEqual(r.call("GET", "shared:new"), b"$4\r\nhttp\r\n")
        ttl = int(r.call("PTTL", "shared:new")[1:-2])
        self.assertTrue(90000 < ttl <= 100000)
        r.close()

    def test_route_and_request_errors(self):
        s, _, b = self.req("GET", "/api/v1/nope")
        self.assertEqual(s, 404)
        self.assertEqual(js(b)["error"]["code"], "NOT_FOUND")
        s, h, b = self.req("POST", key_path("k"))
        self.assertEqual(s, 405)
        self.assertEqual(h["allow"], "GET, HEAD, PUT, PATCH, DELETE, OPTIONS")
        self.assertEqual(js(b)["error"]["code"], "METHOD_NOT_ALLOWED")
        s, h, _ = self.req("PUT", "/api/v1/keys")
        self.assertEqual((s, h["allow"]), (405, "GET, HEAD, OPTIONS"))
        s, _, b = self.req("PUT", key_path("k"), "{bad json", {"Content-Type": "application/json"})
        self.assertEqual((s, js(b)["error"]["code"]), (400, "BAD_JSON"))
        s, _, b = self.req("PUT", key_path("k"), "value=x",
                           {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual((s, js(b)["error"]["code"]), (415, "UNSUPPORTED_MEDIA_TYPE"))
        s, _, b = self.req("PUT", key_path("k"))
        self.assertEqual(s, 400)
        s, _, b = self.req("PATCH", key_path("k"), {})
        self.assertEqual(s, 400)
        s, _, b = self.req("GET", "/api/v1/keys/bad%zzescape")
        self.assertEqual(s, 400)

    def test_request_ids(self):
        s, h, _ = self.req("GET", "/nope", headers={"X-Request-Id": "trace-123"})
        self.assertEqual(h["x-request-id"], "trace-123")
        s, h1, _ = self.req("GET", "/nope")
        s, h2, _ = self.req("GET", "/nope")
        self.assertTrue(h1["x-request-id"])
        self.assertNotEqual(h1["x-request-id"], h2["x-request-id"])

    def test_keep_alive_many_requests_one_connection(self):
        c = self.server.conn()
        for i in range(300):
            s, h, b = send(c, "PUT", key_path("ka:%d" % (i % 10)), {"value": str(i)})
            self.assertIn(s, (200, 201))
        s, _, b = send(c, "GET", key_path("ka:9"))
        self.assertEqual(js(b)["value"], "299")
        c.close()

    def test_pipelining_in_one_write(self):
        n = 200
        reqs = b"".join(b"GET /api/v1/redis/incr/pipelined HTTP/1.1\r\nHost: x\r\n\r\n" for _ in range(n))
        s = socket.create_connection(("127.0.0.1", self.server.http_port), timeout=10)
        s.sendall(reqs)
        data = b""
        while data.count(b'{"result":') < n:
            chunk = s.recv(65536)
            self.assertTrue(chunk)
            data += chunk
        s.close()
        results = [int(m) for m in re.findall(rb'\{"result":(\d+)\}', data)]
        self.assertEqual(results, list(range(1, n + 1)))  # in order

    def test_malformed_http_gets_400_and_close(self):
        out = raw_exchange(self.server.http_port, b"GARBAGE\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 400 "), out)
        self.assertIn(b"Connection: close", out)
        out = raw_exchange(self.server.http_port,
                           b"GET / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 400 "), out)
        # The server goes on.
        s, _, _ = self.req("GET", "/api/v1/redis/ping")
        self.assertEqual(s, 200)

    def test_http_1_0_closes(self):
        out = raw_exchange(self.server.http_port, b"GET /api/v1/redis/ping HTTP/1.0\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 200 OK"))
        self.assertIn(b"Connection: close", out)
        self.assertTrue(out.endswith(b'{"result":"PONG"}'))
        # Asked to keep the connection, an HTTP/1.0 response says it did.
        out = raw_exchange(self.server.http_port,
                           b"GET /api/v1/redis/ping HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
                           read_until_close=False)
        self.assertIn(b"Connection: keep-alive\r\n", out)
        self.assertNotIn(b"Connection: close", out)

    def test_options_without_cors_config(self):
        s, h, b = self.req("OPTIONS", key_path("k"), headers={"Origin": "http://x.example",
                                                              "Access-Control-Request-Method": "PUT"})
        self.assertEqual(s, 204)
        self.assertEqual(h["allow"], "GET, HEAD, PUT, PATCH, DELETE, OPTIONS")
        self.assertNotIn("access-control-allow-origin", h)


class CommandApiTest(ServerTest):
    def cmd(self, body, headers=None, path="/api/v1/redis"):
        s, h, b = self.req("POST", path, body, headers)
        return s, js(b)

    def test_path_commands(self):
        s, _, b = self.req("GET", "/api/v1/redis/set/greeting/hello")
        self.assertEqual((s, js(b)), (200, {"result": "OK"}))
        s, _, b = self.req("GET", "/api/v1/redis/GET/greeting")
        self.assertEqual(js(b), {"result": "hello"})
        s, _, b = self.req("POST", "/api/v1/redis/set/k%2Fslash", "body value")
        self.assertEqual(js(b), {"result": "OK"})
        s, _, b = self.req("GET", "/api/v1/redis/get/k%2Fslash")
        self.assertEqual(js(b), {"result": "body value"})
        s, _, b = self.req("GET", "/api/v1/redis/get/nothing")
        self.assertEqual(js(b), {"result": None})
        s, _, b = self.req("GET", "/api/v1/redis/ping")
        self.assertEqual(js(b), {"result": "PONG"})

    def test_json_commands_and_reply_types(self):
        self.assertEqual(self.cmd(["SET", "n", 10, "EX", 100]), (200, {"result": "OK"}))
        self.assertEqual(self.cmd(["INCRBY", "n", 5]), (200, {"result": 15}))
        self.assertEqual(self.cmd(["INCRBYFLOAT", "f", 1.5]), (200, {"result": "1.5"}))
        self.assertEqual(self.cmd(["RPUSH", "l", "a", "b"]), (200, {"result": 2}))
        self.assertEqual(self.cmd(["LRANGE", "l", 0, -1]), (200, {"result": ["a", "b"]}))
        self.assertEqual(self.cmd(["LPOP", "nolist"]), (200, {"result": None}))
        s, r = self.cmd(["CONFIG", "GET", "http-port"])
        self.assertEqual(r, {"result": {"http-port": str(self.server.http_port)}})
        s, r = self.cmd(["HELLO"])
        self.assertEqual(r["result"]["proto"], 3)

    def test_errors_are_400(self):
        s, r = self.cmd(["NOSUCHCOMMAND", "x"])
        self.assertEqual(s, 400)
        self.assertTrue(r["error"].startswith("ERR unknown command"))
        s, r = self.cmd(["GET"])
        self.assertEqual((s, r), (400, {"error": "ERR wrong number of arguments for 'get' command"}))
        self.cmd(["SET", "s", "x"])
        s, r = self.cmd(["LPUSH", "s", "x"])
        self.assertEqual(s, 400)
        self.assertTrue(r["error"].startswith("WRONGTYPE"))
        for bad in ("not json", "[]", "{}", '["GET", true]', '[["GET"]]'):
            s, r = self.cmd(bad, {"Content-Type": "application/json"})
            self.assertEqual(s, 400, bad)
            self.assertIn("error", r)

    def test_pipeline(self):
        s, r = self.cmd([["SET", "p", "1"], ["INCR", "p"], ["LPUSH", "p", "x"], ["GET", "p"]],
                        path="/api/v1/redis/pipeline")
        self.assertEqual(s, 200)
        self.assertEqual(r[0], {"result": "OK"})
        self.assertEqual(r[1], {"result": 2})
        self.assertTrue(r[2]["error"].startswith("WRONGTYPE"))
        self.assertEqual(r[3], {"result": "2"})
        s, r = self.cmd([], path="/api/v1/redis/pipeline")
        self.assertEqual(s, 400)

    def test_multi_exec(self):
        s, r = self.cmd([["SET", "m", "1"], ["INCR", "m"], ["LPUSH", "m", "x"], ["GET", "m"]],
                        path="/api/v1/redis/multi-exec")
        self.assertEqual(s, 200)
        self.assertEqual(r[:2], [{"result": "OK"}, {"result": 2}])
        self.assertTrue(r[2]["error"].startswith("WRONGTYPE"))
        self.assertEqual(r[3], {"result": "2"})
        # A command refused while queueing aborts the whole transaction: nothing runs.
        s, r = self.cmd([["SET", "m2", "1"], ["GET"]], path="/api/v1/redis/multi-exec")
        self.assertEqual(s, 400)
        self.assertTrue(r["error"].startswith("EXECABORT"))
        self.assertEqual(self.cmd(["EXISTS", "m2"]), (200, {"result": 0}))
        s, r = self.cmd([["MULTI"]], path="/api/v1/redis/multi-exec")
        self.assertEqual(s, 400)

    def test_state_does_not_leak_between_requests(self):
        c = self.server.conn()
        _, _, b = send(c, "POST", "/api/v1/redis/pipeline", [["SELECT", 5], ["SET", "leak", "db5"]])
        self.assertEqual(js(b), [{"result": "OK"}, {"result": "OK"}])
        _, _, b = send(c, "POST", "/api/v1/redis", ["GET", "leak"])
        self.assertEqual(js(b), {"result": None})  # the next request is back in db 0
        _, _, b = send(c, "POST", "/api/v1/redis/pipeline", [["SELECT", 5], ["GET", "leak"]])
        self.assertEqual(js(b)[1], {"result": "db5"})
        send(c, "POST", "/api/v1/redis", ["SELECT", 5])
        _, _, b = send(c, "POST", "/api/v1/redis", ["GET", "leak"])
        self.assertEqual(js(b), {"result": None})
        send(c, "POST", "/api/v1/redis", ["MULTI"])
        _, _, b = send(c, "POST", "/api/v1/redis", ["PING"])
        self.assertEqual(js(b), {"result": "PONG"})  # not QUEUED
        c.close()

    def test_client_kill_of_the_requesting_connection(self):
        c = self.server.conn()
        _, _, b = send(c, "POST", "/api/v1/redis", ["CLIENT", "ID"])
        client_id = js(b)["result"]
        _, _, b = send(c, "POST", "/api/v1/redis", ["CLIENT", "LIST", "ID", client_id])
        self.assertIn("id=%d " % client_id, js(b)["result"])
        self.assertRegex(js(b)["result"],
                         r" addr=127\.0\.0\.1:\d+ laddr=127\.0\.0\.1:%d fd=\d+ " % self.server.http_port)
        s, h, b = send(c, "POST", "/api/v1/redis", ["CLIENT", "KILL", "ID", client_id, "SKIPME", "no"])
        self.assertEqual((s, js(b)), (200, {"result": 1}))
        self.assertEqual(h.get("connection"), "close")
        c.close()
        s, _, _ = self.req("GET", "/api/v1/redis/ping")
        self.assertEqual(s, 200)

    def test_upstash_base64_encoding(self):
        h = {"Upstash-Encoding": "base64"}
        self.assertEqual(self.cmd(["SET", "e", "h\u00e9"], h), (200, {"result": "OK"}))
        self.assertEqual(self.cmd(["GET", "e"], h), (200, {"result": base64.b64encode("h\u00e9".encode()).decode()}))
        self.assertEqual(self.cmd(["PING"], h), (200, {"result": "UE9ORw=="}))
        self.assertEqual(self.cmd(["INCR", "ctr"], h), (200, {"result": 1}))
        self.cmd(["RPUSH", "el", "a", "b"])
        self.assertEqual(self.cmd(["LRANGE", "el", 0, -1], h), (200, {"result": ["YQ==", "Yg=="]}))
        s, r = self.cmd([["GET", "e"], ["GET", "none"]], h, path="/api/v1/redis/pipeline")
        self.assertEqual(r, [{"result": "aMOp"}, {"result": None}])
        s, r = self.cmd(["GET"], h)
        self.assertEqual(r, {"error": "ERR wrong number of arguments for 'get' command"})

    def test_resp2_response_format(self):
        h = {"Upstash-Response-Format": "resp2"}
        self.cmd(["RPUSH", "r2", "a", "b"])
        s, _, b = self.req("POST", "/api/v1/redis", ["LRANGE", "r2", 0, -1], h)
        self.assertEqual((s, b), (200, b"*2\r\n$1\r\na\r\n$1\r\nb\r\n"))
        s, _, b = self.req("POST", "/api/v1/redis", ["GET", "nothing"], h)
        self.assertEqual(b, b"$-1\r\n")
        s, _, b = self.req("POST", "/api/v1/redis/pipeline", [["PING"], ["INCR", "r2c"]], h)
        self.assertEqual(b, b"+PONG\r\n:1\r\n")

    def test_blocking_command(self):
        def push():
            time.sleep(0.3)
            r = self.server.resp()
            r.call("LPUSH", "bq", "v")
            r.close()

        t = threading.Thread(target=push)
        t.start()
        s, r = self.cmd(["BLPOP", "bq", 5])
        t.join()
        self.assertEqual(r, {"result": ["bq", "v"]})
        s, r = self.cmd(["BLPOP", "bq", "0.1"])
        self.assertEqual(r, {"result": None})


class CommandApiAtRootTest(ServerTest):
    """The command API at the root of the API port, as Upstash serves it; /api stays the API's."""

    def test_path_json_pipeline_and_multi_exec(self):
        s, _, b = self.req("GET", "/set/rk/hello")
        self.assertEqual((s, js(b)), (200, {"result": "OK"}))
        s, _, b = self.req("GET", "/GET/rk")
        self.assertEqual((s, js(b)), (200, {"result": "hello"}))
        s, _, b = self.req("GET", "/ping")
        self.assertEqual(js(b), {"result": "PONG"})
        s, _, b = self.req("POST", "/set/r%2Fslash", "body value")
        self.assertEqual(js(b), {"result": "OK"})
        s, _, b = self.req("POST", "/", ["GET", "r/slash"])
        self.assertEqual((s, js(b)), (200, {"result": "body value"}))
        s, _, b = self.req("POST", "/pipeline", [["INCR", "rn"], ["LPUSH", "rn", "x"]])
        self.assertEqual(s, 200)
        self.assertEqual(js(b)[0], {"result": 1})
        self.assertTrue(js(b)[1]["error"].startswith("WRONGTYPE"))
        s, _, b = self.req("POST", "/multi-exec", [["INCR", "rm"], ["INCR", "rm"]])
        self.assertEqual((s, js(b)), (200, [{"result": 1}, {"result": 2}]))
        # The same keys through /api/v1: one keyspace.
        s, _, b = self.req("GET", "/api/v1/redis/get/rm")
        self.assertEqual(js(b), {"result": "2"})
        s, _, b = self.req("GET", key_path("rk"))
        self.assertEqual(js(b)["value"], "hello")

    def test_errors_are_upstash_shaped(self):
        s, _, b = self.req("GET", "/nosuchcommand/x")
        self.assertEqual(s, 400)
        self.assertTrue(js(b)["error"].startswith("ERR unknown command"))
        s, h, b = self.req("GET", "/")
        self.assertEqual((s, h["allow"]), (405, "POST, OPTIONS"))
        self.assertIsInstance(js(b)["error"], str)
        s, _, b = self.req("GET", "/pipeline")
        self.assertEqual(s, 405)
        self.assertIsInstance(js(b)["error"], str)
        s, _, b = self.req("POST", "/", "not json", {"Content-Type": "application/json"})
        self.assertEqual(s, 400)
        self.assertIsInstance(js(b)["error"], str)

    def test_api_paths_are_not_commands(self):
        for path in ("/api", "/api/v2/get/k", "/api/v1/nope", "/api/v1/keys/k/x/y"):
            s, _, b = self.req("GET", path)
            self.assertEqual(s, 404, path)
            self.assertEqual(js(b)["error"]["code"], "NOT_FOUND", path)
        # ...except for a client that speaks Upstash's protocol: it can print a string error.
        s, _, b = self.req("POST", "/api/v1", ["GET", "k"], {"Upstash-Encoding": "base64"})
        self.assertEqual(s, 404)
        self.assertEqual(js(b), {"error": "no such route"})
        s, _, b = self.req("GET", "/api/v1/docs/")
        self.assertEqual(s, 200)
        s, _, b = self.req("GET", "/api/v1/openapi.json")
        self.assertIn("/{command}/{args}", js(b)["paths"])

    def test_preflight_at_the_root(self):
        s, h, _ = self.req("OPTIONS", "/get/k", headers={"Origin": "http://x.example",
                                                         "Access-Control-Request-Method": "GET"})
        self.assertEqual((s, h["allow"]), (204, "GET, HEAD, POST, OPTIONS"))


class AuthTest(ServerTest):
    extra = ("--requirepass", "s3cret", "--http-readonly-token", "reader", "--loglevel", "debug")

    def test_token_in_the_url_is_not_logged(self):
        s, _, b = self.req("GET", "/api/v1/redis/ping?x=1&_token=s3cret")
        self.assertEqual(js(b), {"result": "PONG"})
        self.server.log.seek(0)
        log = self.server.log.read()
        self.assertIn(b"/api/v1/redis/ping?x=1&_token=*** -> 200", log)
        self.assertNotIn(b"s3cret", log)

    def test_resource_api_auth(self):
        s, h, b = self.req("GET", key_path("k"))
        self.assertEqual(s, 401)
        self.assertEqual(h["www-authenticate"], 'Bearer realm="basalt"')
        self.assertEqual(js(b)["error"]["code"], "UNAUTHENTICATED")
        s, _, _ = self.req("GET", key_path("k"), headers={"Authorization": "Bearer wrong"})
        self.assertEqual(s, 401)
        s, _, _ = self.req("PUT", key_path("k"), {"value": "v"}, {"Authorization": "Bearer s3cret"})
        self.assertEqual(s, 201)
        s, _, b = self.req("GET", key_path("k"), headers={"Authorization": "bearer s3cret"})
        self.assertEqual((s, js(b)["value"]), (200, "v"))
        # The read-only token reads but may not write.
        s, _, b = self.req("GET", key_path("k"), headers={"Authorization": "Bearer reader"})
        self.assertEqual(s, 200)
        s, _, b = self.req("PUT", key_path("k"), {"value": "w"}, {"Authorization": "Bearer reader"})
        self.assertEqual(s, 403)
        self.assertEqual(js(b)["error"]["code"], "NOPERM")
        s, _, _ = self.req("DELETE", key_path("k"), headers={"Authorization": "Bearer reader"})
        self.assertEqual(s, 403)

    def test_command_api_auth(self):
        s, h, b = self.req("POST", "/api/v1/redis", ["PING"])
        self.assertEqual((s, js(b)), (401, {"error": "Unauthorized"}))
        s, _, b = self.req("POST", "/api/v1/redis", ["PING"], {"Authorization": "Bearer s3cret"})
        self.assertEqual(js(b), {"result": "PONG"})
        s, _, b = self.req("GET", "/api/v1/redis/ping?_token=s3cret")
        self.assertEqual(js(b), {"result": "PONG"})
        # At the root, the same rules.
        s, h, b = self.req("POST", "/", ["PING"])
        self.assertEqual((s, js(b)), (401, {"error": "Unauthorized"}))
        s, _, b = self.req("POST", "/pipeline", [["PING"]], {"Authorization": "Bearer s3cret"})
        self.assertEqual(js(b), [{"result": "PONG"}])
        s, _, b = self.req("GET", "/ping?_token=s3cret")
        self.assertEqual(js(b), {"result": "PONG"})
        s, _, b = self.req("GET", "/api/v1/keys/x?_token=s3cret")
        self.assertEqual(s, 401)  # still not on the resource API
        s, _, b = self.req("POST", "/api/v1/redis", ["SET", "x", "1"], {"Authorization": "Bearer reader"})
        self.assertEqual(s, 400)
        self.assertTrue(js(b)["error"].startswith("NOPERM"))
        # The read-only token cannot use AUTH or HELLO to test passwords...
        reader = {"Authorization": "Bearer reader"}
        for cmd in (["AUTH", "s3cret"], ["AUTH", "wrong"], ["HELLO", "3", "AUTH", "default", "s3cret"]):
            s, _, b = self.req("POST", "/api/v1/redis", cmd, reader)
            self.assertEqual(s, 400, cmd)
            self.assertTrue(js(b)["error"].startswith("NOPERM"), (cmd, b))
        # ...but may run a transaction of reads.
        s, _, b = self.req("POST", "/api/v1/redis/multi-exec", [["GET", "x"], ["PING"]], reader)
        self.assertEqual((s, js(b)), (200, [{"result": None}, {"result": "PONG"}]))
        s, _, b = self.req("POST", "/api/v1/redis/multi-exec", [["GET", "x"], ["SET", "x", "1"]], reader)
        self.assertEqual(s, 400, b)

    def test_docs_and_admin_need_no_token(self):
        s, _, _ = self.req("GET", "/api/v1/openapi.json")
        self.assertEqual(s, 200)
        s, _, _ = self.req("GET", "/healthz", admin=True)
        self.assertEqual(s, 200)


class NoPasswordTokenTest(ServerTest):
    def test_token_is_accepted_and_ignored(self):
        s, _, b = self.req("POST", "/api/v1/redis", ["PING"], {"Authorization": "Bearer anything"})
        self.assertEqual((s, js(b)), (200, {"result": "PONG"}))


class CorsTest(ServerTest):
    extra = ("--http-cors-origins", "http://app.example,http://other.example")

    def test_preflight(self):
        s, h, b = self.req("OPTIONS", key_path("k"), headers={
            "Origin": "http://app.example", "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type,if-match"})
        self.assertEqual((s, b), (204, b""))
        self.assertEqual(h["access-control-allow-origin"], "http://app.example")
        self.assertIn("PUT", h["access-control-allow-methods"])
        self.assertEqual(h["access-control-allow-headers"], "content-type,if-match")
        # What @upstash/redis sends from a browser: its own headers are allowed too.
        upstash = "authorization,content-type,upstash-encoding,upstash-sync-token,upstash-telemetry-sdk"
        s, h, b = self.req("OPTIONS", "/api/v1/redis/get/x", headers={
            "Origin": "http://app.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": upstash})
        self.assertEqual((s, h["access-control-allow-headers"]), (204, upstash))
        s, h, b = self.req("OPTIONS", key_path("k"), headers={"Origin": "http://app.example"})
        self.assertIn("Authorization", h["access-control-allow-headers"])
        s, h, b = self.req("OPTIONS", "/api/v1/nowhere", headers={"Origin": "http://app.example"})
        self.assertEqual(s, 404)

    def test_simple_requests_expose_headers(self):
        self.req("PUT", key_path("c"), {"value": "v"})
        s, h, _ = self.req("GET", key_path("c"), headers={"Origin": "http://other.example"})
        self.assertEqual(h["access-control-allow-origin"], "http://other.example")
        self.assertEqual(h["vary"], "Origin")
        for name in ("ETag", "X-Ttl-Ms", "X-Request-Id"):
            self.assertIn(name, h["access-control-expose-headers"])
        s, h, _ = self.req("GET", key_path("c"), headers={"Origin": "http://evil.example"})
        self.assertNotIn("access-control-allow-origin", h)
        s, h, _ = self.req("GET", key_path("c"))
        self.assertNotIn("access-control-allow-origin", h)


class AdminCorsTest(ServerTest):
    """The admin port's CORS: the docs page of the same server (its API port, on the host the
    request went to) may read the admin routes out of the box; other origins only through
    --http-cors-origins, as on the API port."""

    def admin(self, method, path, origin, host=None, headers=None):
        h = {"Origin": origin, "Host": host or "127.0.0.1:%d" % self.server.admin_port}
        h.update(headers or {})
        return self.req(method, path, headers=h, admin=True)

    def test_the_docs_page_may_read_admin_routes(self):
        page = "http://127.0.0.1:%d" % self.server.http_port
        for path in ("/healthz", "/readyz", "/metrics", "/info"):
            s, h, _ = self.admin("GET", path, page)
            self.assertEqual((s, h.get("access-control-allow-origin")), (200, page), path)
            self.assertEqual(h["vary"], "Origin")
        # The same page reached as localhost.
        page = "http://localhost:%d" % self.server.http_port
        s, h, _ = self.admin("GET", "/healthz", page, host="localhost:%d" % self.server.admin_port)
        self.assertEqual(h.get("access-control-allow-origin"), page)
        s, h, b = self.admin("OPTIONS", "/info", page, host="localhost:%d" % self.server.admin_port,
                             headers={"Access-Control-Request-Method": "GET"})
        self.assertEqual((s, b), (204, b""))
        self.assertEqual(h["allow"], "GET, HEAD, OPTIONS")
        self.assertEqual(h["access-control-allow-methods"], "GET, HEAD, OPTIONS")

    def test_other_origins_are_not_let_in(self):
        for origin in ("http://evil.example", "http://127.0.0.1:%d" % self.server.admin_port,
                       "http://127.0.0.1:%d" % (self.server.http_port + 1),
                       "https://127.0.0.1:%d" % self.server.http_port):
            s, h, _ = self.admin("GET", "/healthz", origin)
            self.assertEqual(s, 200)
            self.assertNotIn("access-control-allow-origin", h, origin)
        # The page's host must be the one the admin request went to.
        s, h, _ = self.admin("GET", "/healthz", "http://evil.example:%d" % self.server.http_port)
        self.assertNotIn("access-control-allow-origin", h)
        s, h, _ = self.admin("OPTIONS", "/healthz", "http://evil.example",
                             headers={"Access-Control-Request-Method": "GET"})
        self.assertEqual(s, 204)
        self.assertNotIn("access-control-allow-methods", h)

    def test_served_document_names_the_admin_port(self):
        s, _, b = self.req("GET", "/api/v1/openapi.json")
        doc = js(b)
        for path in ("/healthz", "/readyz", "/metrics", "/info"):
            self.assertEqual(doc["paths"][path]["servers"][0]["url"],
                             "http://127.0.0.1:%d" % self.server.admin_port)
        s, h, b = self.req("GET", "/api/v1/openapi.json", headers={"Host": "localhost:8080"})
        self.assertEqual(js(b)["paths"]["/healthz"]["servers"][0]["url"],
                         "http://localhost:%d" % self.server.admin_port)
        self.assertEqual(h["vary"], "Host")
        s, h, b = self.req("GET", "/api/v1/openapi.json", headers={"Host": 'x"/><script>'})
        self.assertEqual(js(b)["paths"]["/healthz"]["servers"][0]["url"],
                         "http://127.0.0.1:%d" % self.server.admin_port)


class AdminCorsOriginsTest(ServerTest):
    extra = ("--http-cors-origins", "http://app.example")

    def test_http_cors_origins_applies_to_the_admin_port(self):
        s, h, _ = self.req("GET", "/metrics", headers={"Origin": "http://app.example"}, admin=True)
        self.assertEqual(h.get("access-control-allow-origin"), "http://app.example")
        s, h, _ = self.req("OPTIONS", "/metrics", admin=True, headers={
            "Origin": "http://app.example", "Access-Control-Request-Method": "GET"})
        self.assertEqual(s, 204)
        self.assertEqual(h["access-control-allow-methods"], "GET, HEAD, OPTIONS")
        s, h, _ = self.req("GET", "/metrics", headers={"Origin": "http://evil.example"}, admin=True)
        self.assertNotIn("access-control-allow-origin", h)


class LimitsTest(ServerTest):
    extra = ("--http-max-body", "4096", "--http-header-timeout-ms", "600")
    env = {"BASALT_HTTP_BODY_TIMEOUT_MS": "600"}  # the parameters' environment form

    def test_oversized_body_refused_before_it_is_sent(self):
        s = socket.create_connection(("127.0.0.1", self.server.http_port), timeout=5)
        s.sendall(b"PUT /api/v1/keys/big HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 100000000\r\n\r\n")
        data = s.recv(65536)  # answered without waiting for any of the body
        s.close()
        self.assertTrue(data.startswith(b"HTTP/1.1 413 "), data)
        self.assertIn(b"PAYLOAD_TOO_LARGE", data)

    def test_command_api_refusals_keep_its_error_envelope(self):
        s = socket.create_connection(("127.0.0.1", self.server.http_port), timeout=5)
        s.sendall(b"POST /api/v1/redis HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 100000000\r\n\r\n")
        data = s.recv(65536)
        s.close()
        self.assertTrue(data.startswith(b"HTTP/1.1 413 "), data)
        body = js(data.split(b"\r\n\r\n", 1)[1])
        self.assertIsInstance(body["error"], str)
        self.assertTrue(body["error"].startswith("ERR "), body)

    def test_chunked_body_is_refused(self):
        # Chunked request bodies are refused whatever their size (a smuggling guard; see
        # test_http_hardening.py): 411, before any chunk is read.
        chunk = b"x" * 3000
        body = b"%x\r\n%s\r\n" % (len(chunk), chunk) * 2 + b"0\r\n\r\n"
        out = raw_exchange(self.server.http_port,
                           b"POST /api/v1/redis/set/k HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                           + body)
        self.assertTrue(out.startswith(b"HTTP/1.1 411 "), out)

    def test_body_at_the_limit_is_accepted(self):
        s, _, b = self.req("POST", "/api/v1/redis/set/fits", b"y" * 4096)
        self.assertEqual(json.loads(b), {"result": "OK"})

    def test_expect_100_continue(self):
        s = socket.create_connection(("127.0.0.1", self.server.http_port), timeout=5)
        s.sendall(b"POST /api/v1/redis/set/exp HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                  b"Expect: 100-continue\r\n\r\n")
        self.assertEqual(s.recv(100), b"HTTP/1.1 100 Continue\r\n\r\n")
        s.sendall(b"hello")
        data = s.recv(65536)
        s.close()
        self.assertTrue(data.startswith(b"HTTP/1.1 200 OK"))

    def test_slow_headers_are_cut_off(self):
        s = socket.create_connection(("127.0.0.1", self.server.http_port), timeout=5)
        s.sendall(b"GET /api/v1/redis/ping HTTP/1.1\r\nHost: x\r\n")  # never finishes
        t0 = time.time()
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        self.assertTrue(data.startswith(b"HTTP/1.1 408 "), data)
        self.assertLess(time.time() - t0, 4)

    def test_slow_body_is_cut_off(self):
        s = socket.create_connection(("127.0.0.1", self.server.http_port), timeout=5)
        s.sendall(b"POST /api/v1/redis/set/slow HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        self.assertTrue(data.startswith(b"HTTP/1.1 408 "), data)

    def test_huge_headers(self):
        out = raw_exchange(self.server.http_port,
                           b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 431 "), out[:100])


class AdminAndDocsTest(ServerTest):
    def test_health_and_readiness(self):
        s, _, b = self.req("GET", "/healthz", admin=True)
        self.assertEqual((s, js(b)), (200, {"status": "ok"}))
        s, _, b = self.req("GET", "/readyz", admin=True)
        self.assertEqual((s, js(b)), (200, {"status": "ready"}))
        s, _, _ = self.req("GET", "/api/v1/keys", admin=True)
        self.assertEqual(s, 404)  # the admin port serves no data

    def test_metrics(self):
        self.req("PUT", key_path("m1"), {"value": "x", "ttl_ms": 100})
        self.req("GET", key_path("m1"))
        self.req("GET", key_path("m-missing"))
        self.req("GET", "/api/v1/redis/nosuchcmd")
        r = self.server.resp()
        r.call("SET", "m2", "y")
        time.sleep(0.3)
        s, h, b = self.req("GET", "/metrics", admin=True)
        self.assertEqual(s, 200)
        self.assertTrue(h["content-type"].startswith("text/plain; version=0.0.4"))
        text = b.decode()
        for pattern in (
                r'basalt_commands_total\{command="set",outcome="ok"\} \d+',
                r'basalt_commands_total\{command="get",outcome="ok"\} \d+',
                r'basalt_command_duration_seconds_bucket\{frontend="resp",le="\+Inf"\} [1-9]',
                r'basalt_command_duration_seconds_bucket\{frontend="http",le="0.00001"\} \d+',
                r'basalt_connected_clients\{protocol="resp"\} 1',
                r'basalt_connected_clients\{protocol="admin"\} 1',
                r'basalt_keys\{db="0"\} \d+',
                r'basalt_expired_keys_total \d+',
                r'basalt_memory_rss_bytes [1-9]\d*',
                r'basalt_memory_dataset_bytes \d+',
                r'basalt_rdb_last_save_timestamp_seconds [1-9]\d*',
                r'basalt_rdb_changes_since_last_save [1-9]\d*',
                r'basalt_rdb_last_bgsave_ok 1',
                r'basalt_aof_enabled 0',
                r'basalt_aof_last_fsync_seconds [0-9.]+',
                r'basalt_http_requests_total\{route="/api/v1/keys/\{key\}",method="PUT",status="201"\} [1-9]',
                r'basalt_http_requests_total\{route="/api/v1/keys/\{key\}",method="GET",status="404"\} [1-9]',
                r'basalt_http_requests_total\{route="/api/v1/redis/\{command\}",method="GET",status="400"\} 1',
                r'basalt_http_request_duration_seconds_count [1-9]'):
            self.assertRegex(text, pattern)
        # Every sample line is well formed.
        for line in text.splitlines():
            if line and not line.startswith("#"):
                self.assertRegex(line, r'^[a-z_]+(\{([a-z_]+="[^"]*",?)*\})? [0-9.e+-]+$')
        # The dataset figure follows what is stored (a 2 MB value shows up in it).
        def dataset():
            _, _, b = self.req("GET", "/metrics", admin=True)
            return int(re.search(r"^basalt_memory_dataset_bytes (\d+)$", b.decode(), re.M).group(1))
        before = dataset()
        self.assertEqual(r.call("SET", "metrics:big", "x" * 2_000_000), b"+OK\r\n")
        self.assertGreater(dataset() - before, 1_900_000)
        r.call("DEL", "metrics:big")
        r.close()

    def test_info_as_json(self):
        self.req("PUT", key_path("i1"), {"value": "x"})
        s, _, b = self.req("GET", "/info", admin=True)
        info = js(b)
        self.assertEqual(info["server"]["http_port"], self.server.http_port)
        self.assertIn("keys", info["keyspace"]["db0"])
        s, _, b = self.req("GET", "/info?section=server", admin=True)
        self.assertEqual(list(js(b).keys()), ["server"])

    def test_openapi_document(self):
        s, h, b = self.req("GET", "/api/v1/openapi.json")
        self.assertEqual(s, 200)
        doc = js(b)
        self.assertEqual(doc["openapi"], "3.1.0")
        for path in ("/keys", "/keys/{key}", "/keys/{key}/ttl", "/keys/{key}/items", "/redis",
                     "/redis/pipeline", "/redis/multi-exec", "/healthz", "/metrics"):
            self.assertIn(path, doc["paths"])

    def test_openapi_embedded_copy_is_current(self):
        out = subprocess.run([sys.executable, os.path.join(ROOT, "adapters/http/gen_openapi.py"),
                              "--check"], capture_output=True, text=True)
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

    def test_docs_page(self):
        s, h, _ = self.req("GET", "/api/v1/docs")
        self.assertEqual((s, h["location"]), (301, "/api/v1/docs/"))
        s, h, b = self.req("GET", "/api/v1/docs/")
        self.assertEqual(s, 200)
        self.assertIn(b"swagger-ui-bundle.js", b)
        self.assertNotIn(b"https://", b)  # nothing from a CDN
        s, h, b = self.req("GET", "/api/v1/docs/docs.js")
        self.assertIn(b"../openapi.json", b)
        s, h, b = self.req("GET", "/api/v1/docs/swagger-ui-bundle.js")
        self.assertEqual(s, 200, b[:200])
        self.assertGreater(len(b), 100000)
        s, _, _ = self.req("GET", "/api/v1/docs/not-a-file.js")
        self.assertEqual(s, 404)


class DrainTest(unittest.TestCase):
    def test_sigterm_drains_with_readyz_503_then_exits(self):
        server = HttpServer("--shutdown-delay-ms", "1500")
        try:
            s, _, _ = server.request("GET", "/readyz", admin=True)
            self.assertEqual(s, 200)
            start = time.time()
            server.proc.send_signal(signal.SIGTERM)
            time.sleep(0.2)
            s, _, b = server.request("GET", "/readyz", admin=True)
            self.assertEqual((s, js(b)), (503, {"status": "shutting down"}))
            s, _, _ = server.request("GET", "/healthz", admin=True)
            self.assertEqual(s, 200)
            # Clients are still served during the drain.
            r = server.resp()
            self.assertEqual(r.call("PING"), b"+PONG\r\n")
            r.close()
            self.assertEqual(server.proc.wait(timeout=10), 0)
            self.assertGreaterEqual(time.time() - start, 1.4)
        finally:
            server.stop()

    def test_shutdown_abort_cancels_the_drain(self):
        server = HttpServer("--shutdown-delay-ms", "1500")
        try:
            r = server.resp()
            self.assertEqual(r.call("SHUTDOWN", "ABORT"), b"-ERR No shutdown in progress.\r\n")
            server.proc.send_signal(signal.SIGTERM)
            time.sleep(0.2)
            s, _, _ = server.request("GET", "/readyz", admin=True)
            self.assertEqual(s, 503)
            self.assertEqual(r.call("SHUTDOWN", "ABORT"), b"+OK\r\n")
            s, _, _ = server.request("GET", "/readyz", admin=True)
            self.assertEqual(s, 200)
            time.sleep(1.8)  # past the delay: the server stays up
            self.assertIsNone(server.proc.poll())
            self.assertEqual(r.call("PING"), b"+PONG\r\n")
            r.close()
        finally:
            server.stop()


if __name__ == "__main__":
    result = unittest.main(verbosity=2, exit=False).result
    failed = len(result.failures) + len(result.errors)
    print("%d passed, %d failed" % (result.testsRun - failed, failed))
    sys.exit(1 if failed else 0)
