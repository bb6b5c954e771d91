"""Pub/Sub and keyspace notifications on the real server, where sockets and timing matter: a
subscriber that stops reading is closed at the pubsub class's output limit (and the server goes
on), PUBLISH from the HTTP API reaches RESP subscribers, and the notifications that come from the
server's own work (active expiry, eviction) arrive without any client touching the keys."""

import http.client
import json
import os
import socket
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
import basalt_harness as h  # noqa: E402


def http_call(port, method, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path)
        res = conn.getresponse()
        return res.status, json.loads(res.read() or b"null")
    finally:
        conn.close()


def http_port(server):
    args = server.proc.args
    return int(args[args.index("--http-port") + 1])


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


class PubSubServerTest(unittest.TestCase):
    def test_a_subscriber_that_stops_reading_is_closed_at_the_pubsub_limit(self):
        with h.basalt("--client-output-buffer-limit", "pubsub 1mb 256kb 60") as s:
            sub = h.RawClient(s.port)
            sub.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            self.assertIn(b"subscribe", sub.call("SUBSCRIBE", "flood"))
            pub = h.RawClient(s.port)
            # The normal class has no limit: only the subscriber's class closes it.
            self.assertIn(b"normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 262144 60",
                          pub.call("CONFIG", "GET", "client-output-buffer-limit"))
            payload = "x" * 65536
            receivers = []
            for _ in range(200):  # 12.5 MB, far more than the socket buffers and the limit
                receivers.append(int(pub.call("PUBLISH", "flood", payload)[1:-2]))
                if receivers[-1] == 0:
                    break
            self.assertEqual(receivers[0], 1)
            self.assertEqual(receivers[-1], 0, "the subscriber was never closed")
            self.assertEqual(pub.call("PUBSUB", "NUMSUB", "flood"),
                             b"*2\r\n$5\r\nflood\r\n:0\r\n")
            self.assertEqual(pub.call("PING"), b"+PONG\r\n")
            pub.close()
            sub.close()

    def test_http_publish_reaches_resp_subscribers_and_http_cannot_subscribe(self):
        with h.basalt() as s:
            sub = h.RawClient(s.port)
            sub.call("SUBSCRIBE", "news")
            status, body = http_call(http_port(s), "GET", "/api/v1/redis/publish/news/hello")
            self.assertEqual((status, body), (200, {"result": 1}))
            self.assertEqual(sub.read_reply(), b"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n")
            status, body = http_call(http_port(s), "GET", "/api/v1/redis/subscribe/news")
            self.assertEqual(status, 400)
            self.assertIn("needs a RESP connection", body["error"])
            sub.close()

    def test_client_reply_off_keeps_pushes_of_a_served_blocked_command(self):
        # The served BLPOP's reply is withheld (CLIENT REPLY OFF); the keyspace event it caused
        # for its own client is out-of-band data, which Redis never withholds.
        with h.basalt() as s:
            c, other = h.RawClient(s.port), h.RawClient(s.port)
            other.call("CONFIG", "SET", "notify-keyspace-events", "El")
            c.call("HELLO", "3")
            self.assertTrue(c.call("SUBSCRIBE", "__keyevent@0__:lpop").startswith(b">3"))
            c.sock.sendall(h.resp_encode("CLIENT", "REPLY", "OFF") + h.resp_encode("BLPOP", "q", "0"))
            time.sleep(0.1)
            self.assertEqual(other.call("LPUSH", "q", "a"), b":1\r\n")
            self.assertEqual(c.read_reply(),
                             b">3\r\n$7\r\nmessage\r\n$19\r\n__keyevent@0__:lpop\r\n$1\r\nq\r\n")
            c.sock.sendall(h.resp_encode("CLIENT", "REPLY", "ON") + h.resp_encode("PING"))
            self.assertEqual(c.read_reply(), b"+OK\r\n")
            self.assertEqual(c.read_reply(), b"+PONG\r\n")
            c.close()
            other.close()

    def test_a_client_s_own_pushes_follow_its_command_s_reply(self):
        # As Redis 7.2 (#12326, "Fix broken protocol when PUBLISH emits local push inside
        # MULTI"): push frames for the client running a command (a message it published to
        # itself, its own keyspace events) go after that command's whole reply. Redis 7.0.15
        # writes them wherever its reply has got to: before SET's +OK, after RPUSH's :1, inside
        # ZPOPMIN's array and inside EXEC's, where no client can parse them. SUBSCRIBE's notices
        # are the command's reply and stay inside EXEC's array.
        with h.basalt() as b:
            c = h.RawClient(b.port)
            c.call("HELLO", "3")
            c.call("CONFIG", "SET", "notify-keyspace-events", "KEA")
            c.call("PSUBSCRIBE", "__keyspace@0__:*")

            def push(key, event):
                return (b">4\r\n$8\r\npmessage\r\n$16\r\n__keyspace@0__:*\r\n$%d\r\n"
                        b"__keyspace@0__:%s\r\n$%d\r\n%s\r\n" % (15 + len(key), key,
                                                                   len(event), event))

            def run(*args, frames):
                c.sock.sendall(h.resp_encode(*args))
                want = b"".join(frames)
                got = b""
                while len(got) < len(want):
                    chunk = c.sock.recv(65536)
                    self.assertTrue(chunk)
                    got += chunk
                self.assertEqual(got, want, args)

            run("SET", "s", "1", frames=[b"+OK\r\n", push(b"s", b"set")])
            run("ZADD", "z", "1", "a", frames=[b":1\r\n", push(b"z", b"zadd")])
            run("ZPOPMIN", "z", frames=[b"*2\r\n$1\r\na\r\n,1\r\n", push(b"z", b"zpopmin"),
                                        push(b"z", b"del")])
            c.sock.sendall(h.resp_encode("MULTI") + h.resp_encode("SUBSCRIBE", "inmulti") +
                           h.resp_encode("PUBLISH", "inmulti", "m") + h.resp_encode("EXEC"))
            run("PING", frames=[
                b"+OK\r\n+QUEUED\r\n+QUEUED\r\n",
                b"*2\r\n>3\r\n$9\r\nsubscribe\r\n$7\r\ninmulti\r\n:2\r\n:1\r\n",
                b">3\r\n$7\r\nmessage\r\n$7\r\ninmulti\r\n$1\r\nm\r\n",
                b"+PONG\r\n"])
            c.close()

    def test_active_expiry_and_eviction_send_their_events(self):
        with h.basalt("--hz", "50") as s:
            sub, c = h.RawClient(s.port), h.RawClient(s.port)
            self.assertEqual(c.call("CONFIG", "SET", "notify-keyspace-events", "Exe"), b"+OK\r\n")
            sub.call("SUBSCRIBE", "__keyevent@0__:expired", "__keyevent@0__:evicted")
            sub.read_reply()  # the second channel's notice
            c.call("SET", "short", "v", "PX", "30")
            # Nobody reads the key: only the expiry cycle can find it.
            self.assertEqual(sub.read_reply(),
                             b"*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:expired\r\n"
                             b"$5\r\nshort\r\n")
            c.call("CONFIG", "SET", "maxmemory-policy", "allkeys-random")
            info = c.call("INFO", "memory").decode()
            used = int(info.split("used_memory:")[1].split("\r\n")[0])
            c.call("CONFIG", "SET", "maxmemory", str(used + 2 * 1024 * 1024))
            for i in range(200):
                c.call("SET", f"k{i}", "v" * 65536)
            reply = sub.read_reply()
            self.assertTrue(reply.startswith(b"*3\r\n$7\r\nmessage\r\n$22\r\n__keyevent@0__:evicted"),
                            reply)
            sub.close()
            c.close()


if __name__ == "__main__":
    unittest.main()
