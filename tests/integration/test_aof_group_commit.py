"""appendfsync always, pipelined group commit: no reply to a write leaves before the log holding
that write is on disk. The server runs under strace, and the order of its system calls is
checked: every "+OK" a client receives for a SET is written to its socket only after an
fdatasync of the AOF that began after the SET was written to the log had returned. Writes from
RESP clients and from HTTP requests alike; replies to reads that could see an unsynced write
wait too.
"""

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request

import basalt_harness as h

STRACE = shutil.which("strace")
HTTP_OK = b'\\"result\\":\\"OK\\"'


@unittest.skipIf(STRACE is None and os.environ.get("CI") != "true", "strace is not installed")
class GroupCommitTest(unittest.TestCase):
    def test_no_reply_leaves_before_its_write_is_on_disk(self):
        # Every fsync on a worker while the loop serves on (the slow-disk path), then every fsync
        # on the loop as Redis does (a fast disk's).
        for inline_us in ("0", "1000000"):
            with self.subTest(aof_fsync_inline_us=inline_us):
                self.check_order(inline_us)

    def check_order(self, inline_us):
        self.assertIsNotNone(STRACE, "strace is needed (tools/dev.sh deps installs it)")
        work = tempfile.mkdtemp(prefix="basalt-gc-")
        self.addCleanup(shutil.rmtree, work, ignore_errors=True)
        trace = os.path.join(work, "trace.txt")
        port, http_port = h.free_port(), h.free_port()
        argv = [STRACE, "-f", "-qq", "-s", "1000000", "-e", "trace=write,writev,fdatasync",
                "-o", trace, os.environ["BASALT_SERVER_BIN"], "--port", str(port),
                "--http-port", str(http_port), "--admin-port", "0", "--save", "",
                "--dir", work, "--appendonly", "yes", "--appendfsync", "always",
                "--aof-fsync-inline-us", inline_us,
                "--loglevel", "warning"]
        server = h.Server(argv, port)
        try:
            # The port accepts before start-up's AOF work (creating the first base, fsynced) is
            # done, and clients get -LOADING until then: slow under strace on a loaded machine.
            deadline = time.monotonic() + 60
            while True:
                probe = h.RawClient(port)
                reply = probe.call("PING")
                probe.close()
                if reply == b"+PONG\r\n" or time.monotonic() > deadline:
                    break
                time.sleep(0.05)
            self.assertEqual(reply, b"+PONG\r\n", "the server never finished loading")
            clients, per_client = 12, 25

            def resp_client(i):
                c = h.RawClient(port)
                for j in range(per_client):
                    self.assertEqual(c.call("SET", f"c{i}:{j}", "v"), b"+OK\r\n")
                c.close()

            def http_client():
                for j in range(per_client):
                    req = urllib.request.Request(
                        f"http://127.0.0.1:{http_port}/", method="POST",
                        data=f'["SET","http:{j}","v"]'.encode(),
                        headers={"Content-Type": "application/json"})
                    with urllib.request.urlopen(req, timeout=10) as r:
                        self.assertEqual(r.status, 200)

            threads = [threading.Thread(target=resp_client, args=(i,)) for i in range(clients)]
            threads.append(threading.Thread(target=http_client))
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(h.RawClient(port).call("DBSIZE"),
                             b":%d\r\n" % ((clients + 1) * per_client))
        finally:
            # The process is strace, which a SIGTERM makes detach and leave basalt-server running:
            # the server is told to go first, and strace ends with it.
            try:
                h.RawClient(port).call("SHUTDOWN", "NOSAVE")
            except OSError:
                pass
            server.stop()

        # Replay the trace: SETs written to the log, fsyncs begun and finished, replies sent.
        written = 0          # SET commands written to the AOF so far
        syncing = {}         # pid of a running fdatasync -> SETs written when it began
        synced = 0           # SETs known to be on disk
        replies = 0
        fsyncs = 0
        set_in_log = re.compile(rb"\*3\\r\\n\$3\\r\\nSET\\r\\n")
        with open(trace, "rb") as f:
            for line in f:
                pid = line.split(b" ", 1)[0]
                if b"fdatasync(" in line:
                    if b"<unfinished" in line:
                        syncing[pid] = written
                        continue
                    if b" = 0" in line:
                        synced = max(synced, written)
                        fsyncs += 1
                    continue
                if b"fdatasync resumed" in line:
                    if line.rstrip().endswith(b"= 0"):
                        synced = max(synced, syncing.pop(pid, 0))
                        fsyncs += 1
                    continue
                if b"SET" in line and (b"write(" in line or b"writev(" in line):
                    written += len(set_in_log.findall(line))
                    continue
                # strace escapes the JSON's quotes: {\"result\":\"OK\"}.
                if (b"write(" in line or b"writev(" in line) and (
                        b'"+OK\\r\\n' in line or HTTP_OK in line):
                    n = line.count(b"+OK\\r\\n") + line.count(HTTP_OK)
                    replies += n
                    self.assertLessEqual(
                        replies, synced,
                        f"reply #{replies} sent with only {synced} SETs on disk: {line[:200]!r}")
        total = (clients + 1) * per_client
        self.assertGreaterEqual(written, total)
        self.assertGreaterEqual(replies, total)
        # Group commit: far fewer fsyncs than writes.
        self.assertLess(fsyncs, total)


if __name__ == "__main__":
    unittest.main()
