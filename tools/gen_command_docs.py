#!/usr/bin/python3
"""Generate Basalt's COMMAND DOCS table and COMMAND INFO reference from a real redis-server.

Starts its own redis-server (free port, temporary directory, no persistence), asks it over a raw
RESP socket for COMMAND DOCS (RESP3) and COMMAND INFO (RESP2) of the commands Basalt implements,
and writes:

  src/commands/command_docs.inc                   the doc replies as flat prefix-order node arrays
  src/commands/command_info.inc                   the parts of COMMAND INFO that Basalt's command
                                                  table does not hold: tips and key specs
  tests/differential/reference/command_info.json  COMMAND INFO replies (RESP2), for later tests

Usage (from anywhere; paths are relative to the repository root):
  /usr/bin/python3 tools/gen_command_docs.py            regenerate both files
  /usr/bin/python3 tools/gen_command_docs.py --check    exit 1 if the committed files are stale
  /usr/bin/python3 tools/gen_command_docs.py --dump-raw get lpush
      print Redis's exact `COMMAND DOCS <name>` reply bytes as C++ string literals (used to write
      the expectations in tests/unit/commands/command_docs_test.cpp)

Deviations from a live Redis, both deliberate:
  * Containers keep only the subcommands Basalt implements (SUBCOMMANDS below); subcommands that
    this Redis does not have (e.g. CLIENT SETINFO before 7.2) are skipped and listed in the output.
  * Redis iterates subcommands in hash order, which differs from run to run (the dict seed is
    random), so subcommands are sorted by name to keep the output deterministic.
Everything else is kept exactly as Redis sends it; the script checks that its parse re-encodes to
the very bytes it received before it writes anything.

Standard library only.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INC_PATH = os.path.join("src", "commands", "command_docs.inc")
INFO_INC_PATH = os.path.join("src", "commands", "command_info.inc")
JSON_PATH = os.path.join("tests", "differential", "reference", "command_info.json")

# Top-level commands Basalt implements, lowercase.
COMMANDS = """
get set setnx setex psetex getset getdel getex mget mset msetnx append strlen getrange substr
setrange incr decr incrby decrby incrbyfloat lcs
lpush rpush lpushx rpushx lpop rpop llen lrange lindex lset linsert lrem ltrim lpos lmove
rpoplpush lmpop blpop brpop blmove brpoplpush blmpop
hset hsetnx hmset hget hmget hdel hlen hstrlen hexists hkeys hvals hgetall hincrby hincrbyfloat
hrandfield hscan
sadd srem scard sismember smismember smembers srandmember spop smove sinter sintercard sinterstore
sunion sunionstore sdiff sdiffstore sscan sort sort_ro
zadd zincrby zrem zcard zscore zmscore zcount zlexcount zrank zrevrank zrange zrevrange zrangebyscore
zrevrangebyscore zrangebylex zrevrangebylex zrangestore zremrangebyrank zremrangebyscore zremrangebylex
zpopmin zpopmax zmpop bzpopmin bzpopmax bzmpop zrandmember zscan zunion zinter zdiff zunionstore
zinterstore zdiffstore zintercard
del unlink exists type rename renamenx copy move keys scan randomkey dbsize touch flushdb flushall
swapdb expire pexpire expireat pexpireat ttl pttl expiretime pexpiretime persist
ping echo hello auth select client reset quit info config command time debug shutdown lastsave
save bgsave bgrewriteaof dump restore
multi exec discard watch unwatch object memory slowlog latency monitor role wait
setbit getbit bitcount bitpos bitop bitfield bitfield_ro
pfadd pfcount pfmerge pfdebug pfselftest
subscribe unsubscribe psubscribe punsubscribe ssubscribe sunsubscribe publish spublish pubsub
""".split()

# Subcommands Basalt implements, per container; all others are dropped from the container's reply.
SUBCOMMANDS = {
    "client": ("id setname getname list info kill setinfo no-evict reply help pause unpause "
               "unblock").split(),
    "config": "get set resetstat rewrite help".split(),
    "command": "count info docs list getkeys getkeysandflags help".split(),
    "object": "encoding refcount idletime freq help".split(),
    "memory": "doctor malloc-stats purge usage stats help".split(),
    "slowlog": "get len reset help".split(),
    "latency": "doctor graph latest history reset histogram help".split(),
    "pubsub": "channels numpat numsub shardchannels shardnumsub help".split(),
}


# ---------------------------------------------------------------------------------------------
# RESP: a typed tree that round-trips exactly.  A value is (kind, payload):
#   ("map", [(k, v), ...]) ("array", [...]) ("set", [...]) ("bulk", bytes) ("simple", bytes)
#   ("int", int) ("null", the line read, e.g. b"_" or b"$-1")
# Anything else (errors included) stops the generator: the C++ table cannot represent it.


class RespError(Exception):
    pass


class RespConnection:
    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.pos = 0
        self.tap = None  # bytearray collecting the raw bytes of the reply being read

    def close(self):
        self.sock.close()

    def send(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))

    def _fill(self, need):
        while len(self.buf) - self.pos < need:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise RespError("connection closed by redis-server")
            self.buf = self.buf[self.pos:] + chunk
            self.pos = 0

    def _take(self, n):
        self._fill(n)
        data = self.buf[self.pos:self.pos + n]
        self.pos += n
        if self.tap is not None:
            self.tap += data
        return data

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                return self._take(i - self.pos + 2)[:-2]
            self._fill(len(self.buf) - self.pos + 1)

    def read(self):
        """Returns (tree, raw bytes) of the next reply."""
        self.tap = bytearray()
        try:
            tree = self._value()
            return tree, bytes(self.tap)
        finally:
            self.tap = None

    def call(self, *args):
        self.send(*args)
        tree, raw = self.read()
        if encode(tree, resp3=True) != raw:
            raise RespError("parse of %r does not re-encode to the bytes received" % (args,))
        return tree, raw

    def _value(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"$":
            n = int(rest)
            if n < 0:
                return ("null", line)
            data = self._take(n + 2)
            if data[-2:] != b"\r\n":
                raise RespError("bulk string not terminated by CRLF")
            return ("bulk", data[:-2])
        if t == b"+":
            return ("simple", rest)
        if t == b":":
            return ("int", int(rest))
        if t == b"_":
            return ("null", line)
        if t in (b"*", b"~"):
            n = int(rest)
            if n < 0:
                return ("null", line)
            return ("array" if t == b"*" else "set", [self._value() for _ in range(n)])
        if t == b"%":
            n = int(rest)
            return ("map", [(self._value(), self._value()) for _ in range(n)])
        if t == b"-":
            text = rest.decode(errors="replace")
            raise RespError("redis-server replied with an error: %s" % text)
        raise RespError("unsupported RESP type %r in reply" % t)


def encode(tree, resp3):
    """RESP encoding of a tree; with resp3=False maps become flat arrays, sets arrays and the
    RESP3 null a RESP2 null bulk string. A null keeps the line it was read from."""
    kind, payload = tree
    if kind == "bulk":
        return b"$%d\r\n%s\r\n" % (len(payload), payload)
    if kind == "simple":
        return b"+%s\r\n" % payload
    if kind == "int":
        return b":%d\r\n" % payload
    if kind == "null":
        return (b"$-1" if payload == b"_" and not resp3 else payload) + b"\r\n"
    if kind == "map":
        head = b"%%%d\r\n" % len(payload) if resp3 else b"*%d\r\n" % (2 * len(payload))
        return head + b"".join(encode(k, resp3) + encode(v, resp3) for k, v in payload)
    if kind in ("array", "set"):
        head = b"~%d\r\n" if kind == "set" and resp3 else b"*%d\r\n"
        return (head % len(payload)) + b"".join(encode(v, resp3) for v in payload)
    raise AssertionError(kind)


def map_get(tree, key):
    assert tree[0] == "map", tree[0]
    for k, v in tree[1]:
        if k[1] == key:
            return v
    return None


def to_json(tree):
    """Plain JSON view of a tree: maps become objects, sets/arrays lists, strings text."""
    kind, payload = tree
    if kind in ("bulk", "simple"):
        return payload.decode("utf-8")
    if kind == "int":
        return payload
    if kind == "null":
        return None
    if kind == "map":
        return {to_json(k): to_json(v) for k, v in payload}
    return [to_json(v) for v in payload]


# ---------------------------------------------------------------------------------------------
# redis-server lifecycle


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, binary):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="gen_command_docs.")
        self.proc = None
        self.port = None

    def __enter__(self):
        for _ in range(5):  # another process may grab the port between probe and bind: retry
            self.port = free_port()
            log = open(os.path.join(self.dir, "redis.log"), "wb")
            self.proc = subprocess.Popen(
                [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", self.dir, "--daemonize", "no"],
                stdout=log, stderr=subprocess.STDOUT, cwd=self.dir)
            log.close()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.proc.poll() is None:
                try:
                    socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                    return self
                except OSError:
                    time.sleep(0.05)
            self._stop()
        raise RuntimeError("could not start %s; log in %s" % (self.binary, self.dir))

    def _stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def __exit__(self, *exc):
        self._stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Fetching


def fetch(port):
    """Returns (version, docs, infos, infos3, skipped): docs[name] and infos[name] (RESP2)
    are trees for every command and kept subcommand ("client|id"), containers already filtered and
    sorted; infos3[name] is the RESP3 COMMAND INFO entry (its key specs keep their maps)."""
    r3 = RespConnection(port)
    r2 = RespConnection(port)
    try:
        hello, _ = r3.call("HELLO", "3")
        version = map_get(hello, b"version")[1].decode()

        doc_map, _ = r3.call("COMMAND", "DOCS", *COMMANDS)
        docs = {k[1].decode(): v for k, v in doc_map[1]}
        missing = [c for c in COMMANDS if c not in docs]
        if missing:
            raise RuntimeError("redis-server %s has no docs for: %s" % (version, " ".join(missing)))

        info_arr, _ = r2.call("COMMAND", "INFO", *COMMANDS)
        infos = {}
        for c, entry in zip(COMMANDS, info_arr[1]):
            if entry[0] != "array" or entry[1][0][1].decode() != c:
                raise RuntimeError("unexpected COMMAND INFO entry for %s" % c)
            infos[c] = entry

        skipped = []
        for container in sorted(docs):
            keep = SUBCOMMANDS.get(container, [])
            docs[container], kept_docs = filter_doc_subcommands(container, docs[container], keep)
            infos[container], kept_infos = filter_info_subcommands(container, infos[container],
                                                                   keep)
            for sub in keep:
                full = "%s|%s" % (container, sub)
                if full not in kept_docs:
                    if full in kept_infos:
                        raise RuntimeError("%s has COMMAND INFO but no docs" % full)
                    skipped.append(full)
                    continue
                # Redis answers `COMMAND DOCS client|id` with the same doc it nests in CLIENT's.
                alone, _ = r3.call("COMMAND", "DOCS", full)
                if alone != ("map", [(("bulk", full.encode()), kept_docs[full])]):
                    raise RuntimeError("COMMAND DOCS %s differs from the nested doc" % full)
                docs[full] = kept_docs[full]
                alone, _ = r2.call("COMMAND", "INFO", full)
                if alone != ("array", [kept_infos[full]]):
                    raise RuntimeError("COMMAND INFO %s differs from the nested info" % full)
                infos[full] = kept_infos[full]
        unknown = set(SUBCOMMANDS) - set(COMMANDS)
        if unknown:
            raise RuntimeError("SUBCOMMANDS lists unknown containers: %s" % sorted(unknown))

        # RESP3 keeps the key specs' maps, which RESP2 flattens; the readable JSON wants them.
        infos3 = {}
        for name in infos:
            tree3, _ = r3.call("COMMAND", "INFO", name)
            tree2, _ = r2.call("COMMAND", "INFO", name)
            if encode(tree3, resp3=False) != encode(tree2, resp3=False):
                raise RuntimeError("RESP2 COMMAND INFO %s is not the flattened RESP3 reply" % name)
            infos3[name] = tree3[1][0]

        # The RESP2 rule the server's reply builder relies on: map -> flat array, set -> array.
        for name in docs:
            r2.send("COMMAND", "DOCS", name)
            _, raw2 = r2.read()
            r3.send("COMMAND", "DOCS", name)
            tree3, _ = r3.read()
            if encode(tree3, resp3=False) != raw2:
                raise RuntimeError("RESP2 COMMAND DOCS %s is not the flattened RESP3 reply" % name)
        return version, docs, infos, infos3, skipped
    finally:
        r3.close()
        r2.close()


def filter_doc_subcommands(container, doc, keep):
    """Drops the subcommands Basalt lacks from a doc map; returns (doc, {fullname: doc})."""
    sub = map_get(doc, b"subcommands")
    if sub is None:
        return doc, {}
    kept = {}
    for k, v in sub[1]:
        full = k[1].decode()
        if full.split("|", 1)[1] in keep:
            kept[full] = v
    pairs = []
    for k, v in doc[1]:
        if k[1] == b"subcommands":
            if not kept:
                continue  # Basalt implements none: as if the command had no subcommands
            v = ("map", [(("bulk", n.encode()), kept[n]) for n in sorted(kept)])
        pairs.append((k, v))
    return ("map", pairs), kept


def filter_info_subcommands(container, info, keep):
    """Same for a RESP2 COMMAND INFO entry, whose 10th element lists the subcommands' entries."""
    items = list(info[1])
    if len(items) != 10:
        raise RuntimeError("COMMAND INFO %s has %d elements, expected 10" % (container, len(items)))
    kept = {}
    for entry in items[9][1]:
        full = entry[1][0][1].decode()
        if full.split("|", 1)[1] in keep:
            kept[full] = entry
    items[9] = ("array", [kept[n] for n in sorted(kept)])
    return ("array", items), kept


# ---------------------------------------------------------------------------------------------
# Output: the C++ table


KIND = {"map": "kMap", "array": "kArray", "set": "kSet", "bulk": "kBulk", "simple": "kSimple",
        "int": "kInteger"}


def cxx_string(data):
    """A C++ string literal for arbitrary bytes (octal escapes never swallow a following digit
    because they always have three digits)."""
    out = ['"']
    for b in data:
        c = chr(b)
        if c in '"\\':
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == "\t":
            out.append("\\t")
        elif 0x20 <= b < 0x7F:
            out.append(c)
        else:
            out.append("\\%03o" % b)
    out.append('"')
    return "".join(out)


def flatten(tree, nodes, marks, path=()):
    """Appends the prefix-order nodes of tree; marks[fullname] = (offset, count) for every nested
    subcommand doc (the value under a "subcommands" key)."""
    kind, payload = tree
    if kind not in KIND:
        raise RuntimeError("cannot represent RESP %s in the docs table" % kind)
    if kind == "map":
        nodes.append((kind, len(payload), None))
        for k, v in payload:
            flatten(k, nodes, marks)
            if path and path[-1] == b"subcommands":
                start = len(nodes)
                flatten(v, nodes, marks, path + (k[1],))
                marks[k[1].decode()] = (start, len(nodes) - start)
            else:
                flatten(v, nodes, marks, path + (k[1] if k[0] == "bulk" else b"",))
    elif kind in ("array", "set"):
        nodes.append((kind, len(payload), None))
        for v in payload:
            flatten(v, nodes, marks, path + (b"",))
    elif kind == "int":
        nodes.append((kind, payload, None))
    else:
        nodes.append((kind, 0, payload))


def node_line(node, depth):
    kind, n, s = node
    text = cxx_string(s) if s is not None else "{}"
    if s is not None and b"\0" in s:
        text = "{%s, %d}" % (text, len(s))
    return "%s{DocKind::%s, %d, %s}," % ("    " + "  " * depth, KIND[kind], n, text)


def emit_nodes(nodes):
    """One node per line, indented by depth; a map's key shares the line with a scalar value."""
    lines = []
    stack = []  # remaining children of each open aggregate (maps count keys and values)
    i = 0
    while i < len(nodes):
        depth = len(stack)
        kind, n, _ = nodes[i]
        in_map = bool(stack) and stack[-1][1] == "map"
        is_key = in_map and stack[-1][0] % 2 == 0
        if is_key and i + 1 < len(nodes) and nodes[i + 1][0] not in ("map", "array", "set"):
            lines.append(node_line(nodes[i], depth) + " " + node_line(nodes[i + 1], 0).lstrip())
            consumed = 2
        else:
            lines.append(node_line(nodes[i], depth))
            consumed = 1
        # Account for the consumed nodes, then open the aggregate (if any) this line ends with.
        for _ in range(consumed):
            if stack:
                stack[-1][0] -= 1
        last_kind, last_n, _ = nodes[i + consumed - 1]
        if last_kind in ("map", "array", "set"):
            stack.append([2 * last_n if last_kind == "map" else last_n, last_kind])
        while stack and stack[-1][0] == 0:
            stack.pop()
        i += consumed
    assert not stack
    return lines


def literal_lines(data, width=88):
    """data as adjacent C++ literals, split after a CRLF where possible, lines under width."""
    lines, cur = [], b""
    for token in data.split(b"\r\n")[:-1]:
        token += b"\r\n"
        if cur and len(cxx_string(cur + token)) > width:
            lines.append(cxx_string(cur))
            cur = b""
        cur += token
    if cur:
        lines.append(cxx_string(cur))
    return lines


def identifier(name):
    return "kDoc_" + "".join(c if c.isalnum() else "_" for c in name)


def render_inc(version, docs, skipped):
    top = sorted(n for n in docs if "|" not in n)
    subs = sorted(n for n in docs if "|" in n)
    out = [
        "// GENERATED FILE - DO NOT EDIT BY HAND.",
        "// Generated by tools/gen_command_docs.py from redis-server %s (COMMAND DOCS over RESP3);"
        % version,
        "// regenerate with: /usr/bin/python3 tools/gen_command_docs.py",
        "//",
        "// Included by command_docs.cpp inside namespace basalt::docs, which defines DocKind,",
        "// DocNode and CommandDoc. Each kDoc_<name> is the doc map of one command (the value of its",
        "// entry in the COMMAND DOCS map, not the name) as prefix-order nodes: an aggregate node",
        "// carries its element count (a map counts pairs) and is followed by its elements.",
        "// Containers keep only the subcommands Basalt implements, sorted by name (Redis uses hash",
        "// order, which changes from run to run). kSubcommandDocs points into its container's",
        "// array.",
    ]
    if skipped:
        out.append("// Not in redis-server %s, skipped: %s." % (version, " ".join(skipped)))
    out += ["", "// clang-format off", "",
            "inline constexpr std::string_view kDocsRedisVersion = %s;" % cxx_string(
                version.encode()), ""]
    ids = {}
    marks_by_top = {}
    for name in top:
        ident = identifier(name)
        if ident in ids.values():
            raise RuntimeError("identifier clash for %s" % name)
        ids[name] = ident
        nodes, marks = [], {}
        flatten(docs[name], nodes, marks)
        marks_by_top[name] = marks
        out.append("inline constexpr DocNode %s[] = {" % ident)
        out += emit_nodes(nodes)
        out += ["};", ""]
    out.append("inline constexpr CommandDoc kCommandDocs[] = {")
    out += ['    {%s, %s},' % (cxx_string(n.encode()), ids[n]) for n in top]
    out += ["};", ""]
    out.append("inline constexpr CommandDoc kSubcommandDocs[] = {")
    for n in subs:
        container = n.split("|", 1)[0]
        start, count = marks_by_top[container][n]
        out.append("    {%s, {%s + %d, %d}}," % (cxx_string(n.encode()), ids[container], start,
                                                  count))
    out += ["};", "", "// clang-format on", ""]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# Output: tips and key specs for COMMAND INFO (and COMMAND GETKEYS)
#
# Key specs become plain structs rather than replayable nodes, because COMMAND GETKEYS has to
# interpret them; spec_tree() renders a struct back to the RESP3 tree Redis sends, and the
# generator refuses to write anything unless that round trip reproduces Redis's reply exactly.

BEGIN_SEARCH = {"index": "kIndex", "keyword": "kKeyword", "unknown": "kUnknown"}
FIND_KEYS = {"range": "kRange", "keynum": "kKeynum", "unknown": "kUnknown"}


def bulk(text):
    return ("bulk", text.encode() if isinstance(text, str) else text)


def scalar_map(tree, keys, what):
    """{key: value} of a map whose keys are exactly `keys` (in that order)."""
    if tree[0] != "map" or [k[1].decode() for k, _ in tree[1]] != keys:
        raise RuntimeError("unexpected %s: %r" % (what, tree))
    return {k[1].decode(): v[1] for k, v in tree[1]}


def key_spec_struct(tree, name):
    """The fields of a C++ KeySpec for one RESP3 key spec map."""
    fields = dict((k[1].decode(), v) for k, v in tree[1])
    ks = {"notes": fields["notes"][1].decode() if "notes" in fields else None,
          "flags": [f[1].decode() for f in fields["flags"][1]]}
    bs = scalar_map(fields["begin_search"], ["type", "spec"], "begin_search of %s" % name)
    bs_type = bs["type"].decode()
    if bs_type == "index":
        ks.update(scalar_map(fields["begin_search"][1][1][1], ["index"], "index spec"))
    elif bs_type == "keyword":
        spec = scalar_map(fields["begin_search"][1][1][1], ["keyword", "startfrom"], "keyword")
        ks.update(keyword=spec["keyword"].decode(), startfrom=spec["startfrom"])
    elif bs_type == "unknown":
        scalar_map(fields["begin_search"][1][1][1], [], "unknown spec")
    else:
        raise RuntimeError("%s: begin_search type %s is not supported" % (name, bs_type))
    ks["begin_search"] = bs_type
    fk = scalar_map(fields["find_keys"], ["type", "spec"], "find_keys of %s" % name)
    fk_type = fk["type"].decode()
    if fk_type == "range":
        ks.update(scalar_map(fields["find_keys"][1][1][1], ["lastkey", "keystep", "limit"],
                             "range spec"))
    elif fk_type == "keynum":
        ks.update(scalar_map(fields["find_keys"][1][1][1], ["keynumidx", "firstkey", "keystep"],
                             "keynum spec"))
    elif fk_type == "unknown":
        scalar_map(fields["find_keys"][1][1][1], [], "unknown spec")
    else:
        raise RuntimeError("%s: find_keys type %s is not supported" % (name, fk_type))
    ks["find_keys"] = fk_type
    if spec_tree(ks) != tree:
        raise RuntimeError("%s: key spec does not round-trip: %r" % (name, tree))
    return ks


def spec_tree(ks):
    """The RESP3 tree of a key spec struct, in the order Redis's addReplyCommandKeySpecs uses."""
    pairs = []
    if ks["notes"] is not None:
        pairs.append((bulk("notes"), bulk(ks["notes"])))
    pairs.append((bulk("flags"), ("set", [("simple", f.encode()) for f in ks["flags"]])))
    if ks["begin_search"] == "index":
        bs_spec = [(bulk("index"), ("int", ks["index"]))]
    elif ks["begin_search"] == "unknown":
        bs_spec = []
    else:
        bs_spec = [(bulk("keyword"), bulk(ks["keyword"])),
                   (bulk("startfrom"), ("int", ks["startfrom"]))]
    pairs.append((bulk("begin_search"), ("map", [(bulk("type"), bulk(ks["begin_search"])),
                                                 (bulk("spec"), ("map", bs_spec))])))
    if ks["find_keys"] == "range":
        fk_spec = [(bulk(k), ("int", ks[k])) for k in ("lastkey", "keystep", "limit")]
    elif ks["find_keys"] == "unknown":
        fk_spec = []
    else:
        fk_spec = [(bulk(k), ("int", ks[k])) for k in ("keynumidx", "firstkey", "keystep")]
    pairs.append((bulk("find_keys"), ("map", [(bulk("type"), bulk(ks["find_keys"])),
                                              (bulk("spec"), ("map", fk_spec))])))
    return ("map", pairs)


def key_spec_line(ks):
    fields = []
    if ks["notes"] is not None:
        fields.append(".notes = %s" % cxx_string(ks["notes"].encode()))
    fields.append(".flags = %s" % cxx_string(" ".join(ks["flags"]).encode()))
    fields.append(".begin_search = BeginSearch::%s" % BEGIN_SEARCH[ks["begin_search"]])
    if ks["begin_search"] == "index":
        fields.append(".index = %d" % ks["index"])
    elif ks["begin_search"] == "unknown":
        pass
    else:
        fields.append(".keyword = %s" % cxx_string(ks["keyword"].encode()))
        fields.append(".startfrom = %d" % ks["startfrom"])
    fields.append(".find_keys = FindKeys::%s" % FIND_KEYS[ks["find_keys"]])
    if ks["find_keys"] == "range":
        fields += [".lastkey = %d" % ks["lastkey"], ".keystep = %d" % ks["keystep"],
                   ".limit = %d" % ks["limit"]]
    elif ks["find_keys"] == "unknown":
        pass
    else:
        fields += [".keystep = %d" % ks["keystep"], ".keynumidx = %d" % ks["keynumidx"],
                   ".firstkey = %d" % ks["firstkey"]]
    return "    {%s}," % ", ".join(fields)


def render_info_inc(version, infos3, skipped):
    out = [
        "// GENERATED FILE - DO NOT EDIT BY HAND.",
        "// Generated by tools/gen_command_docs.py from redis-server %s (COMMAND INFO over RESP3);"
        % version,
        "// regenerate with: /usr/bin/python3 tools/gen_command_docs.py",
        "//",
        "// Included by command_info.cpp inside namespace basalt::docs, which defines KeySpec and",
        "// CommandInfoExtra. For every command and subcommand Basalt implements: its command tips",
        "// and key specs, the two parts of a COMMAND INFO entry that the command table does not",
        "// hold. kCommandInfoExtras is sorted by name; subcommands are named \"container|sub\".",
    ]
    if skipped:
        out.append("// Not in redis-server %s, skipped: %s." % (version, " ".join(skipped)))
    out += ["", "// clang-format off", ""]
    rows = []
    for name in sorted(infos3):
        entry = infos3[name][1]
        if len(entry) != 10 or entry[7][0] != "set" or entry[8][0] != "set":
            raise RuntimeError("unexpected RESP3 COMMAND INFO entry for %s" % name)
        ident = "".join(c if c.isalnum() else "_" for c in name)
        tips = [t[1] for t in entry[7][1]]
        if any(t[0] != "bulk" for t in entry[7][1]):
            raise RuntimeError("%s: tips are not bulk strings" % name)
        specs = [key_spec_struct(ks, name) for ks in entry[8][1]]
        tips_ref = specs_ref = "{}"
        if tips:
            out.append("inline constexpr std::string_view kTips_%s[] = {" % ident)
            out += ["    %s," % cxx_string(t) for t in tips]
            out += ["};", ""]
            tips_ref = "kTips_%s" % ident
        if specs:
            out.append("inline constexpr KeySpec kKeySpecs_%s[] = {" % ident)
            out += [key_spec_line(ks) for ks in specs]
            out += ["};", ""]
            specs_ref = "kKeySpecs_%s" % ident
        rows.append("    {%s, %s, %s}," % (cxx_string(name.encode()), tips_ref, specs_ref))
    out.append("inline constexpr CommandInfoExtra kCommandInfoExtras[] = {")
    out += rows
    out += ["};", "", "// clang-format on", ""]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# Output: the COMMAND INFO reference


def info_json(info, key_specs):
    f = info[1]
    return {
        "name": to_json(f[0]),
        "arity": to_json(f[1]),
        "flags": to_json(f[2]),
        "first_key": to_json(f[3]),
        "last_key": to_json(f[4]),
        "step": to_json(f[5]),
        "acl_categories": to_json(f[6]),
        "tips": to_json(f[7]),
        "key_specs": key_specs,
        "subcommands": [to_json(s[1][0]) for s in f[9][1]],
        "resp2": encode(info, resp3=False).decode("utf-8"),
    }


def render_json(version, infos, key_specs, skipped):
    doc = {
        "comment": "Generated by tools/gen_command_docs.py from redis-server %s; do not edit by "
                   "hand. COMMAND INFO of each command Basalt implements (RESP2). Containers list "
                   "only the subcommands Basalt implements, sorted by name. 'resp2' is the exact "
                   "reply entry; the other fields are a readable view of it (key specs, flattened "
                   "to arrays in RESP2, shown as objects)." % version,
        "redis_version": version,
        "skipped_subcommands": skipped,
        "commands": {n: info_json(infos[n], key_specs[n]) for n in sorted(infos)},
    }
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--redis-server", default="/usr/bin/redis-server")
    ap.add_argument("--check", action="store_true",
                    help="compare with the files instead of writing them")
    ap.add_argument("--dump-raw", nargs="+", metavar="NAME",
                    help="print the raw COMMAND DOCS NAME replies as C++ literals and exit")
    args = ap.parse_args()

    with RedisServer(args.redis_server) as server:
        if args.dump_raw:
            conn = RespConnection(server.port)
            conn.call("HELLO", "3")
            for name in args.dump_raw:
                _, raw = conn.call("COMMAND", "DOCS", name)
                print("// COMMAND DOCS %s" % name)
                print("\n".join(literal_lines(raw)) + ";")
            conn.close()
            return 0
        version, docs, infos, infos3, skipped = fetch(server.port)

    key_specs = {n: to_json(infos3[n][1][8]) for n in infos3}
    outputs = {INC_PATH: render_inc(version, docs, skipped),
               INFO_INC_PATH: render_info_inc(version, infos3, skipped),
               JSON_PATH: render_json(version, infos, key_specs, skipped)}
    stale = []
    for rel, text in outputs.items():
        path = os.path.join(REPO_ROOT, rel)
        if args.check:
            try:
                with open(path, encoding="utf-8") as f:
                    if f.read() != text:
                        stale.append(rel)
            except FileNotFoundError:
                stale.append(rel)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote %s (%d bytes)" % (rel, len(text.encode())))
    if stale:
        print("stale: %s" % " ".join(stale), file=sys.stderr)
        return 1
    if skipped:
        print("skipped (not in redis-server %s): %s" % (version, " ".join(skipped)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
