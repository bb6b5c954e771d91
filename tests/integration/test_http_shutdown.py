"""SHUTDOWN through the HTTP command API: a command that sends no reply. The route used to read the
reply it expected anyway, past the end of the captured reply tree: as a connection's first request
that was a null-pointer read and the server died of SIGSEGV instead of shutting down, and later
it answered with a stale node of an earlier reply (seen in fuzz_http_request's verbose output while
seeding it). Now the command reads as null, the response is sent, and the server exits cleanly.
Only the standard library."""

import json
import os
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from basalt_harness import free_port, wait_for_port  # noqa: E402


def start():
    for attempt in range(3):
        http_port = free_port()
        argv = [os.environ["BASALT_SERVER_BIN"], "--port", "0", "--http-port", str(http_port),
                "--admin-port", "0", "--loglevel", "warning", "--save", ""]
        log = tempfile.TemporaryFile()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=log)
        try:
            wait_for_port(http_port, proc)
            return proc, http_port, log
        except RuntimeError:
            # A "free" port taken by a parallel test before the server bound it: retry.
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            log.close()
            if attempt == 2:
                raise


class HttpShutdown(unittest.TestCase):
    def shutdown_over_http(self, before):
        proc, port, log = start()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                requests = [json.dumps(cmd).encode() for cmd in before + [["SHUTDOWN", "NOSAVE"]]]
                for body in requests:
                    s.sendall(b"POST /api/v1/redis HTTP/1.1\r\nHost: basalt\r\n"
                              b"Content-Length: %d\r\n\r\n" % len(body) + body)
                reply = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    reply += chunk
            code = proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        log.seek(0)
        self.assertEqual(code, 0, log.read().decode(errors="replace")[-2000:])
        log.close()
        *_, last = reply.split(b"HTTP/1.1 ")
        head, _, body = last.partition(b"\r\n\r\n")
        self.assertTrue(head.startswith(b"200 "), head)
        self.assertEqual(json.loads(body), {"result": None})

    def test_first_request(self):
        self.shutdown_over_http([])

    def test_after_other_requests(self):
        # Earlier replies leave nodes behind in the connection's reply tree: SHUTDOWN must not read
        # one of them as its own.
        self.shutdown_over_http([["SET", "k", "v"], ["GET", "k"]])


if __name__ == "__main__":
    unittest.main()
