"""Starts basalt-server (and, for differential tests, redis-server) on free ports for the
script-driven tests. Binaries: $BASALT_SERVER_BIN (set by CTest), /usr/bin/redis-server."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time


_handed_out = set()


def free_port():
    """A port nothing listens on now, never one this process handed out before: the kernel can
    give the same ephemeral port to two binds in a row once the first socket is closed, and a
    server started with that port for both RESP and HTTP fails at start-up."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port


def _listening_inodes(port):
    """Socket inodes listening on port (any address), from /proc/net/tcp{,6}."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(fields[9])
        except OSError:
            pass
    return inodes


def _process_tree(pid):
    """pid and its descendants (a server may run under a wrapper such as strace)."""
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return found


def listens_on(proc, port):
    """Whether proc (or a descendant) holds the socket listening on port. A port free_port()
    chose can be taken by another test's server before ours binds it (ctest runs tests in
    parallel): connecting would then reach that server, and ours would exit on EADDRINUSE."""
    inodes = _listening_inodes(port)
    for pid in _process_tree(proc.pid):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                link = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if link.startswith("socket:[") and link[8:-1] in inodes:
                return True
    return False


def wait_for_port(port, proc, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited at start-up with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                if listens_on(proc, port):
                    return
        except OSError:
            pass
        time.sleep(0.02)
    raise RuntimeError(f"nothing listening on {port}")


class Server:
    """A server process on a free port; use as a context manager."""

    def __init__(self, argv, port, workdir=None):
        self.port = port
        self.workdir = workdir  # removed when the server stops
        self.proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for_port(port, self.proc)
        except RuntimeError:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            raise

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def basalt(*extra):
    binary = os.environ["BASALT_SERVER_BIN"]
    for attempt in range(3):
        port = free_port()
        argv = [binary, "--port", str(port), "--http-port", str(free_port()), "--admin-port",
                str(free_port()), "--loglevel", "warning", "--save", "", *extra]
        try:
            return Server(argv, port)
        except RuntimeError:
            # A "free" port can be taken by another test between free_port() and the server's
            # bind (ctest runs tests in parallel): try other ports.
            if attempt == 2:
                raise


def redis(*extra):
    workdir = tempfile.mkdtemp(prefix="basalt-redis-")
    for attempt in range(3):
        port = free_port()
        argv = ["/usr/bin/redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save",
                "", "--appendonly", "no", "--dir", workdir, "--daemonize", "no", *extra]
        try:
            return Server(argv, port, workdir)
        except RuntimeError:
            # As for basalt(): the port was taken before redis-server bound it.
            if attempt == 2:
                shutil.rmtree(workdir, ignore_errors=True)
                raise


def cpu_seconds(pid):
    """User + system CPU time a process has used (for benchmarks: what a request cost it)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resp_encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class RawClient:
    """Sends RESP commands and reads complete raw replies (bytes), for byte-exact comparisons."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _fill(self):
        data = self.sock.recv(1 << 16)
        if not data:
            raise ConnectionError("connection closed")
        self.buf += data

    def _line(self, pos):
        while True:
            end = self.buf.find(b"\r\n", pos)
            if end >= 0:
                return end
            self._fill()

    def _skip_reply(self, pos):
        """Returns the end offset of the complete reply starting at pos."""
        while len(self.buf) <= pos:
            self._fill()
        kind = self.buf[pos:pos + 1]
        end = self._line(pos)
        header = self.buf[pos + 1:end]
        pos = end + 2
        if kind in (b"$", b"=", b"!"):
            n = int(header)
            if n < 0:
                return pos
            while len(self.buf) < pos + n + 2:
                self._fill()
            return pos + n + 2
        if kind in (b"*", b"~", b">", b"%", b"|"):
            n = int(header)
            if n < 0:
                return pos
            if kind in (b"%", b"|"):
                n *= 2
            for _ in range(n):
                pos = self._skip_reply(pos)
            if kind == b"|":  # an attribute precedes the actual reply
                pos = self._skip_reply(pos)
            return pos
        return pos  # + - : , # ( _ are single lines

    def read_reply(self):
        end = self._skip_reply(0)
        reply, self.buf = self.buf[:end], self.buf[end:]
        return reply

    def call(self, *args):
        self.sock.sendall(resp_encode(*args))
        return self.read_reply()

    def pipeline(self, commands):
        self.sock.sendall(b"".join(resp_encode(*c) for c in commands))
        return [self.read_reply() for _ in commands]
