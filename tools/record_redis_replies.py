#!/usr/bin/python3
"""Record Redis's exact reply bytes for a session of commands, as C++ test vectors.

Usage: /usr/bin/python3 tools/record_redis_replies.py CASES.py [PORT]

CASES.py defines SEQ, a list of argv lists (latin-1 strings). The script sends FLUSHALL and then
each command, in order, to a redis-server 7.0.15 listening on 127.0.0.1:PORT (default 6379; start
one with `redis-server --port PORT --save ''`), and prints one `{{argv...}, reply, hash}`
initializer per command, with every string a std::string literal (the bytes may hold NULs).
An argument "@range:PREFIX:N" stands for the N arguments PREFIX0 ... PREFIX<N-1> (the C++ side
expands it the same way). A reply longer than 512 bytes is recorded as its 64-bit FNV-1a hash,
with "" for the reply.

Standard library only.
"""

import importlib.util
import socket
import sys


class Resp:
    """A raw RESP client that returns each reply's exact bytes."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def _line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.sock.recv(65536)
        i = self.buf.index(b"\r\n")
        line, self.buf = self.buf[:i + 2], self.buf[i + 2:]
        return line

    def _take(self, n):
        while len(self.buf) < n:
            self.buf += self.sock.recv(65536)
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read(self):
        line = self._line()
        kind = line[:1]
        if kind in b"+-:_#,(":
            return line
        n = int(line[1:-2])
        if n < 0:
            return line
        if kind == b"$":
            return line + self._take(n + 2)
        count = n * 2 if kind == b"%" else n
        return line + b"".join(self.read() for _ in range(count))

    def call(self, *argv):
        out = b"*%d\r\n" % len(argv)
        for a in argv:
            a = a.encode("latin1")
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self.read()


def cpp_string(data):
    """A std::string literal (suffix s) of exactly these bytes."""
    out = '"'
    for c in data:
        if c == 0x22:
            out += '\\"'
        elif c == 0x5C:
            out += "\\\\"
        elif c == 13:
            out += "\\r"
        elif c == 10:
            out += "\\n"
        elif 32 <= c < 127:
            out += chr(c)
        else:
            out += '\\x%02x""' % c  # close the literal: a hex escape would eat following digits
    out += '"s'
    return out.replace('"""s', '"s')


def expand(argv):
    out = []
    for a in argv:
        if a.startswith("@range:"):
            _, prefix, n = a.split(":")
            out += ["%s%d" % (prefix, i) for i in range(int(n))]
        else:
            out.append(a)
    return out


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for c in data:
        h = ((h ^ c) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def main():
    spec = importlib.util.spec_from_file_location("cases", sys.argv[1])
    cases = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cases)
    r = Resp(int(sys.argv[2]) if len(sys.argv) > 2 else 6379)
    r.call("FLUSHALL")
    for argv in cases.SEQ:
        reply = r.call(*expand(argv))
        args = ", ".join(cpp_string(a.encode("latin1")) for a in argv)
        if len(reply) > 512:
            print("    {{%s}, \"\"s, 0x%016xull}," % (args, fnv1a64(reply)))
        else:
            print("    {{%s}, %s, 0}," % (args, cpp_string(reply)))


if __name__ == "__main__":
    main()
